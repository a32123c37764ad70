import CWaymarkSystem
import Foundation
import WaymarkLog

/// A read-model file being written into the build directory in chunks as it is rendered, so
/// no whole file is held in memory (a rebuild's memory then follows its entities, and the
/// kernel can write back while the next chunk is rendered).
final class ModelFile {
    let name: String
    private let file: SystemFile
    private var position = 0
    /// The CRC-32C of every byte written so far (for files that end with their checksum).
    private(set) var checksum: UInt32 = 0
    static let chunk = 1 << 20

    init(directory: String, name: String) throws {
        self.name = name
        file = try SystemFile(path: directory + "/" + name, flags: O_WRONLY | O_CREAT | O_TRUNC)
    }

    /// Writes `b` after what is written.
    func write(_ b: UnsafeRawBufferPointer) throws {
        guard b.count > 0 else { return }
        checksum = CRC32C.checksum(b, continuing: checksum)
        try file.write(b, at: position)
        // Writeback starts now, chunk by chunk, rather than all at the final sync.
        _ = wm_start_writeback(file.fd, Int64(position), Int64(b.count))
        position += b.count
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Writes `buffer` (rendered elsewhere) once it is a chunk's worth, or now with `force`,
    /// and empties it. `written` plus the buffer's bytes is where its next byte goes.
    func write(_ buffer: inout ByteBuffer, force: Bool = false) throws {
        guard force || buffer.count >= ModelFile.chunk else { return }
        try write(buffer.bytes)
        buffer.removeAll()
    }

    /// Bytes written to the file so far.
    var written: Int { position }

    /// Makes the file durable.
    func close() throws {
        try file.sync()
    }
}
