/// Point lookups of records by offset (the writer's duplicate checks, the timeline's events):
/// keeps the segment list, each segment's index and an open descriptor, so a lookup is a
/// binary search and one or two `pread`s. A writer tells it of every new segment.
final class RecordLookup {
    private final class OpenSegment {
        let name: SegmentName
        let file: SystemFile
        var index: SegmentIndex
        init(name: SegmentName, file: consuming SystemFile, index: SegmentIndex) {
            self.name = name
            self.file = file
            self.index = index
        }
    }

    private let directory: LogDirectory
    private var segments: [SegmentName]
    private var open: [Offset: OpenSegment] = [:]
    private var buffer: UnsafeMutableRawBufferPointer

    init(directory: LogDirectory, segments: [SegmentName]) {
        self.directory = directory
        self.segments = segments
        self.buffer = .allocate(byteCount: 16 << 10, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The writer started a new segment.
    func added(_ segment: SegmentName, index: SegmentIndex) {
        segments.append(segment)
        update(index: index, for: segment)
    }

    /// The writer's current index of `segment`.
    func update(index: SegmentIndex, for segment: SegmentName) {
        open[segment.baseOffset]?.index = index
        pendingIndexes[segment.baseOffset] = index
    }
    private var pendingIndexes: [Offset: SegmentIndex] = [:]

    /// Whether the record at `offset` has key `key`.
    func key(at offset: Offset, equals key: UnsafeRawBufferPointer) throws -> Bool {
        try withRecord(at: offset) { $0.key.elementsEqual(key) } ?? false
    }

    /// Calls `body` with the record at `offset` (a view valid during the call); nil when the
    /// log has no whole record there.
    func withRecord<R>(at offset: Offset, _ body: (RecordView) throws -> R) throws -> R? {
        var lo = 0, hi = segments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].baseOffset <= offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let segment = try openSegment(segments[lo - 1], isLast: lo == segments.count)
        var position = SegmentHeader.size
        var current = segment.name.baseOffset
        if let entry = segment.index.floorPosition(relativeOffset: UInt32(clamping: offset.rawValue - current.rawValue)) {
            position = Int(entry.position)
            current = current.advanced(by: Int64(entry.relativeOffset))
        }
        while true {
            var got = try segment.file.read(into: buffer, at: position)
            var start = 0
            while true {
                let window = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start..<got])
                switch RecordFrame.decode(window, position: SegmentPosition(position + start)) {
                case let .record(view):
                    if view.offset == offset { return try body(view) }
                    if view.offset > offset || view.offset != current { return nil }
                    current = current.next
                    start += view.length
                    continue
                case let .incomplete(length):
                    if got < buffer.count && start == 0 { return nil }   // end of file
                    if let length, length > buffer.count {
                        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
                        buffer.deallocate()
                        buffer = bigger
                    }
                default:
                    return nil
                }
                break
            }
            position += start
            got = 0
        }
    }

    private func openSegment(_ name: SegmentName, isLast: Bool) throws -> OpenSegment {
        if let s = open[name.baseOffset] { return s }
        let file = try SystemFile(path: directory.file(name.dataFile), flags: O_RDONLY_VALUE)
        var index = pendingIndexes[name.baseOffset]
        if index == nil {
            index = try LogReader(directory: directory.path).index(of: name, isLast: isLast)
        }
        let s = OpenSegment(name: name, file: file, index: index!)
        open[name.baseOffset] = s
        return s
    }
}
