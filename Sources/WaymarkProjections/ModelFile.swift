import CWaymarkSystem
import Foundation
import WaymarkLog

/// A read-model file being written into the build directory in chunks as it is rendered, so
/// no whole file is held in memory (a rebuild's memory then follows its entities, and the
/// kernel can write back while the next chunk is rendered).
final class ModelFile {
    let name: String
    private let file: SystemFile
    /// Bytes rendered and not yet written.
    var bytes: [UInt8] = []
    private var position = 0
    /// The CRC-32C of every byte written so far (for files that end with their checksum).
    private(set) var checksum: UInt32 = 0
    static let chunk = 1 << 20

    init(directory: String, name: String) throws {
        self.name = name
        file = try SystemFile(path: directory + "/" + name, flags: O_WRONLY | O_CREAT | O_TRUNC)
        bytes.reserveCapacity(ModelFile.chunk + (64 << 10))
    }

    func flush() throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { b throws in
            checksum = CRC32C.checksum(b, continuing: checksum)
            try file.write(b, at: position)
            // Writeback starts now, chunk by chunk, rather than all at the final sync.
            _ = wm_start_writeback(file.fd, Int64(position), Int64(b.count))
        }
        position += bytes.count
        bytes.removeAll(keepingCapacity: true)
    }

    /// Writes `buffer` (rendered elsewhere) after what is pending, once it is a chunk's
    /// worth, and empties it. `written` plus the pending bytes is where the next byte goes.
    func write(_ buffer: inout [UInt8], force: Bool = false) throws {
        guard force || buffer.count >= ModelFile.chunk else { return }
        try flush()
        swap(&bytes, &buffer)
        try flush()
        swap(&bytes, &buffer)
    }

    /// Bytes written to the file so far.
    var written: Int { position }

    /// Writes the rest and makes the file durable.
    func close() throws {
        try flush()
        try file.sync()
    }
}
