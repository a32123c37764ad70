#if canImport(Glibc)
import Glibc
#endif
import WaymarkLog

/// Buffered output to a file descriptor (standard output by default), flushed in large
/// writes. A closed pipe (`| head`) ends output quietly: `closed` becomes true.
public final class OutputBuffer {
    /// Bytes waiting to be written.
    public var bytes: [UInt8] = []
    private let fd: Int32
    private let threshold: Int
    /// Whether the reader of the output went away (EPIPE).
    public private(set) var closed = false

    /// Output to `fd`, flushed whenever `threshold` bytes are waiting.
    public init(fd: Int32 = 1, threshold: Int = 1 << 20) {
        self.fd = fd
        self.threshold = threshold
        bytes.reserveCapacity(threshold + 4096)
    }

    /// Writes the buffer when it holds at least the threshold.
    @inline(__always)
    public func flushIfFull() throws {
        if bytes.count >= threshold { try flush() }
    }

    /// Writes everything waiting.
    public func flush() throws {
        defer { bytes.removeAll(keepingCapacity: true) }
        if closed { return }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { closed = true; return }
                throw LogError.system(operation: "write", path: fd == 1 ? "standard output" : "fd \(fd)", errno: errno)
            }
            done += n
        }
    }
}
