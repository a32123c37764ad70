/// The files of one log directory and where each lives.
///
/// ```
/// DIR/00000000000000000000.log        segment data (records from offset 0)
/// DIR/00000000000000000000.index      its offset index
/// DIR/00000000000000000000.timeindex  its time index
/// DIR/00000000000000000000.marks      its correcting events (with a marker)
/// DIR/00000000000000000000.chain      its hash chain state (and commit marker)
/// DIR/00000000000000052113.log        the next segment, and so on
/// DIR/ids.index                       the key (event id) index
/// DIR/.lock                           the writer lock (holds the writer's PID)
/// ```
public struct LogDirectory: Sendable {
    /// The directory's path.
    public let path: String

    public init(path: String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// The writer lock file.
    public var lockFile: String { file(".lock") }
    /// The key index file.
    public var keyIndexFile: String { file("ids.index") }

    /// The segments present, in offset order.
    public func segments() throws(LogError) -> [SegmentName] {
        guard FileSystem.isDirectory(path) else { return [] }
        return try FileSystem.list(path).compactMap { SegmentName(dataFileName: $0) }.sorted()
    }

    /// Whether the directory exists.
    public var exists: Bool { FileSystem.isDirectory(path) }
}
