#if canImport(Glibc)
import Glibc
#endif
import WaymarkLog

/// Reads a file or standard input as lines, in large chunks, without copying each line:
/// lines end at `\n`; a trailing `\r` is dropped (CRLF files); the last line may lack `\n`.
public final class LineReader {
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// The input's name for messages (a path, or `-` for standard input).
    public let name: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// The number of the line last returned (1-based).
    public private(set) var lineNumber = 0

    /// Reads `path`, or standard input when `path` is `-`.
    public init(path: String) throws {
        if path == "-" {
            fd = 0
            ownsDescriptor = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw LogError.system(operation: "open", path: path, errno: errno) }
            ownsDescriptor = true
        }
        name = path
        buffer = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Calls `body` with the next line's bytes (valid only during the call); false at the end.
    public func nextLine<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        while true {
            if let found = UnsafeRawBufferPointer(rebasing: buffer[start..<end]).firstIndex(of: 0x0A) {
                let nl = start + found
                var lineEnd = nl
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = nl + 1
                lineNumber += 1
                return try body(line)
            }
            if atEOF {
                guard start < end else { return nil }
                var lineEnd = end
                if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = end
                lineNumber += 1
                return try body(line)
            }
            try fill()
        }
    }

    private func fill() throws {
        if start > 0 {
            let keep = end - start
            if keep > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: keep) }
            start = 0
            end = keep
        }
        if end == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        while true {
            let n = read(fd, buffer.baseAddress! + end, buffer.count - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.system(operation: "read", path: name, errno: errno)
            }
            if n == 0 { atEOF = true } else { end += n }
            return
        }
    }
}
