#if canImport(Glibc)
import Glibc
#endif
import WaymarkLog

/// One line of input: its bytes (valid only during the call that receives them), or, for a
/// line longer than the reader's limit, nothing but the fact (`overlong`).
public struct InputLine {
    /// The line without its end (`\n` or `\r\n`); empty when `overlong`.
    public var bytes: UnsafeRawBufferPointer
    /// The line was longer than the limit and was skipped.
    public var overlong: Bool
}

/// Reads a file or standard input as lines, in large chunks, without copying each line:
/// lines end at `\n`; a trailing `\r` is dropped (CRLF files); the last line may lack `\n`.
/// A line longer than `maxLineBytes` is skipped (reported as `overlong`), so no input can
/// make the buffer grow without bound.
public final class LineReader {
    /// The longest line kept.
    public let maxLineBytes: Int
    private var skippingOverlong = false
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
    /// Called when the input is a pipe or terminal with nothing to read yet, before waiting
    /// for it: a streaming writer appends what it has instead of holding it.
    public var onIdle: (() throws -> Void)?
    private lazy var isStream: Bool = {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG
    }()

    /// Reads `path`, or standard input when `path` is `-`.
    public init(path: String, maxLineBytes: Int = 16 << 20) throws {
        self.maxLineBytes = maxLineBytes
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

    /// Calls `body` with the next line (valid only during the call); nil at the end.
    public func nextLine<R>(_ body: (InputLine) throws -> R) throws -> R? {
        while true {
            if start < end, let found = memchr(buffer.baseAddress! + start, 0x0A, end - start) {
                let nl = buffer.baseAddress!.distance(to: found)
                var lineEnd = nl
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = nl + 1
                lineNumber += 1
                if skippingOverlong {
                    skippingOverlong = false
                    return try body(InputLine(bytes: UnsafeRawBufferPointer(start: nil, count: 0), overlong: true))
                }
                return try body(InputLine(bytes: line, overlong: false))
            }
            if atEOF {
                guard start < end || skippingOverlong else { return nil }
                var lineEnd = end
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = end
                lineNumber += 1
                if skippingOverlong {
                    skippingOverlong = false
                    return try body(InputLine(bytes: UnsafeRawBufferPointer(start: nil, count: 0), overlong: true))
                }
                return try body(InputLine(bytes: line, overlong: false))
            }
            if end - start > maxLineBytes {
                // Too long to be a record: drop what is buffered and skip to the line's end.
                skippingOverlong = true
                start = end
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
        if isStream, let onIdle {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 0) == 0 { try onIdle() }
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
