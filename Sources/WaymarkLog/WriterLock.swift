#if canImport(Glibc)
import Glibc
#endif

/// The exclusive right to append to one log: a POSIX record lock on `DIR/.lock`, which also
/// holds the owner's process id for people. Released when closed or when the process dies.
public final class WriterLock {
    private let fd: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock, polling until `timeout` seconds have passed; then throws `.locked`
    /// naming the process that holds it.
    public init(path: String, timeout: Double) throws(LogError) {
        // Never through a symbolic link: a planted link would have the lock file's pid written
        // over the link's target.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP { throw .refused("\(path) is a symbolic link; Waymark does not write through one") }
            throw .system(operation: "open", path: path, errno: errno)
        }
        self.fd = fd
        self.path = path
        let deadline = Timestamp.monotonicSeconds() + max(0, timeout)
        while true {
            var lock = flock()
            lock.l_type = Int16(F_WRLCK)
            lock.l_whence = Int16(SEEK_SET)
            if fcntl(fd, F_SETLK, &lock) == 0 { break }
            let failure = errno
            guard failure == EAGAIN || failure == EACCES || failure == EINTR else {
                close(fd)
                throw .system(operation: "lock", path: path, errno: failure)
            }
            if Timestamp.monotonicSeconds() >= deadline {
                var probe = flock()
                probe.l_type = Int16(F_WRLCK)
                probe.l_whence = Int16(SEEK_SET)
                let holder: Int32? = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != Int16(F_UNLCK) ? probe.l_pid : nil
                close(fd)
                throw .locked(path: path, holderPID: holder, waitedSeconds: timeout)
            }
            usleep(20_000)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}

import WaymarkTime

extension Timestamp {
    /// Seconds on the monotonic clock (for timeouts; unrelated to wall time).
    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
