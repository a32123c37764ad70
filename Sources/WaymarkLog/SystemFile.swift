#if canImport(Glibc)
import Glibc
#endif
import CWaymarkSystem

/// An open file descriptor with the few POSIX calls the log needs; every platform call of
/// the log module goes through here. Errors carry the path for the message.
public struct SystemFile: ~Copyable {
    /// The descriptor.
    public let fd: Int32
    /// The path it was opened with, for error messages.
    public let path: String

    /// Opens `path` with open(2) `flags`; new files get `mode` (0600: owner only). A file
    /// opened for writing is never reached through a symbolic link (O_NOFOLLOW): a link
    /// planted where Waymark writes would otherwise have it overwrite the link's target.
    public init(path: String, flags: Int32, mode: mode_t = 0o600) throws(LogError) {
        let writes = flags & (O_WRONLY | O_RDWR | O_CREAT) != 0
        if writes { try FaultInjection.check(.open, path) }
        let fd = open(path, flags | O_CLOEXEC | (writes ? O_NOFOLLOW : 0), mode)
        if fd < 0 && errno == ELOOP {
            throw .refused("\(path) is a symbolic link; Waymark does not write through one")
        }
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    /// Opens `path` for reading, or returns nil when it does not exist.
    public static func openForReadingIfExists(_ path: String) throws(LogError) -> SystemFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .system(operation: "open", path: path, errno: errno)
        }
        return SystemFile(fd: fd, path: path)
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// The file's size in bytes.
    public func size() throws(LogError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Reads up to `buffer.count` bytes at `position`; fewer only at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(position + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads up to `count` bytes at `position` (fewer only at end of file).
    public func read(count: Int, at position: Int) throws(LogError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 8)
        defer { buffer.deallocate() }
        let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), at: position)
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
    }

    /// Reads the whole file.
    public func readAll() throws(LogError) -> [UInt8] {
        try read(count: try size(), at: 0)
    }

    /// Writes all of `bytes` at `position`.
    public func write(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(LogError) {
        try FaultInjection.check(.write, path)
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    /// Writes all of `bytes` at `position`.
    public func write(_ bytes: [UInt8], at position: Int) throws(LogError) {
        let result = bytes.withUnsafeBytes { b in Result { () throws(LogError) in try write(b, at: position) } }
        try result.get()
    }

    /// Forces the file's data (and the metadata needed to read it) to stable storage.
    public func sync() throws(LogError) {
        try FaultInjection.check(.fsync, path)
        guard fdatasync(fd) == 0 else { throw .system(operation: "fsync", path: path, errno: errno) }
    }

    /// Tells the kernel the file's cached pages in `range` will not be read again soon, so it
    /// may drop them (clean ones only: call after `sync`). Advice: never fails the caller.
    public func dropCachedPages(_ range: Range<Int>) {
        _ = posix_fadvise(fd, off_t(range.lowerBound), off_t(range.count), Int32(POSIX_FADV_DONTNEED))
    }

    /// Cuts the file to `length` bytes.
    public func truncate(to length: Int) throws(LogError) {
        try FaultInjection.check(.truncate, path)
        guard ftruncate(fd, off_t(length)) == 0 else { throw .system(operation: "truncate", path: path, errno: errno) }
    }

    /// errno's text.
    public static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Directory operations of the log: listing, creating, renaming, syncing.
public enum FileSystem {
    /// Creates `path` with mode 0700 (and its parents as needed); fine if it exists. With
    /// `followingLinks` false (a directory Waymark keeps inside its own, such as a log's
    /// `quarantine/`), a symbolic link there is refused rather than written through.
    public static func createDirectory(_ path: String, followingLinks: Bool = true) throws(LogError) {
        if !followingLinks && isSymbolicLink(path) {
            throw .refused("\(path) is a symbolic link; Waymark does not write through one")
        }
        if isDirectory(path) { return }
        let parent = parentDirectory(path)
        if !parent.isEmpty, parent != path, !isDirectory(parent) { try createDirectory(parent) }
        try FaultInjection.check(.mkdir, path)
        if mkdir(path, 0o700) != 0 {
            // Something is there that is not a directory (or a link to one): never chmod it.
            if errno == EEXIST {
                if isDirectory(path) { return }   // made by another process meanwhile
                throw .refused("\(path) exists and is not a directory")
            }
            throw .system(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// Whether `path` is itself a symbolic link (not followed).
    public static func isSymbolicLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// Makes the directory at `path` readable by its owner only (0700), as a log's directory
    /// always is, whatever mode it was made with; refuses a path that is not a directory.
    public static func restrictToOwner(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOTDIR { throw .refused("\(path) is not a directory") }
            throw .system(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        if st.st_mode & 0o7777 != 0o700, fchmod(fd, 0o700) != 0 { throw .system(operation: "chmod", path: path, errno: errno) }
    }

    /// Creates a new directory beside `prefix` named `prefix` plus six unpredictable
    /// characters (mkdtemp: mode 0700, never an existing path or link); returns its path.
    public static func makeUniqueDirectory(prefix: String) throws(LogError) -> String {
        var template = Array((prefix + "XXXXXX").utf8CString)
        try FaultInjection.check(.mkdir, prefix)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .system(operation: "mkdtemp", path: prefix + "XXXXXX", errno: errno)
        }
        return String(cString: made)
    }

    /// Whether `path` names an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The names in directory `path` (without `.` and `..`).
    public static func list(_ path: String) throws(LogError) -> [String] {
        guard let dir = opendir(path) else { throw .system(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Makes the directory's entries (new, renamed or removed files) durable.
    public static func syncDirectory(_ path: String) throws(LogError) {
        try FaultInjection.check(.fsync, path)
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system(operation: "fsync", path: path, errno: errno) }
    }

    /// Tells the kernel that the cached pages of the regular files directly in directory
    /// `path` will not be read again soon (clean pages are dropped, dirty ones only start
    /// writing back). Advice: a missing directory or an unreadable file is skipped.
    public static func dropCachedPages(inDirectory path: String) {
        for name in (try? list(path)) ?? [] {
            guard let file = try? SystemFile.openForReadingIfExists(path + "/" + name), let size = try? file.size() else { continue }
            file.dropCachedPages(0..<size)
        }
    }

    /// Atomically replaces `to` with `from`.
    public static func rename(_ from: String, _ to: String) throws(LogError) {
        try FaultInjection.check(.rename, to)
        guard Glibc.rename(from, to) == 0 else { throw .system(operation: "rename", path: from, errno: errno) }
    }

    /// Atomically swaps the directory entries `a` and `b` (renameat2 RENAME_EXCHANGE).
    public static func exchange(_ a: String, _ b: String) throws(LogError) {
        try FaultInjection.check(.rename, b)
        guard wm_exchange_paths(a, b) == 0 else { throw .system(operation: "exchange", path: b, errno: errno) }
    }

    /// Removes the file at `path`; fine if it does not exist.
    public static func remove(_ path: String) throws(LogError) {
        if unlink(path) != 0 && errno != ENOENT { throw .system(operation: "unlink", path: path, errno: errno) }
    }

    /// Writes `bytes` to `path` through a temporary file and a rename, so readers see the old
    /// file or the new one, never half of it; with `durable`, fsyncs file and directory.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool) throws(LogError) {
        let temporary = path + ".tmp-\(getpid())"
        do {
            // A leftover of a killed run with this pid (or anything planted there) goes first:
            // the temporary file is always made new (O_EXCL, never through a link).
            try remove(temporary)
            let file = try SystemFile(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
            try file.write(bytes, at: 0)
            if durable { try file.sync() }
        }
        try rename(temporary, path)
        if durable { try syncDirectory(parentDirectory(path)) }
    }

    /// The directory part of `path` ("." when there is none).
    public static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
