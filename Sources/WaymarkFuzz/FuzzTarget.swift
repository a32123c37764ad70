import Foundation
import WaymarkEvents
import WaymarkLog
import WaymarkStore

/// The inputs Waymark reads from others, each as a fuzz target: a function that takes any
/// bytes, must not crash, and checks a property that must hold whatever the bytes are (a
/// violation stops the process, which libFuzzer reports as a crash). `make fuzz` runs them
/// under libFuzzer for a bounded time; `make test` replays the corpus and the crashes found
/// (`Tests/Fuzz/`) and a fixed number of mutations of them (`FuzzTests`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The CSV reader of every feed: a row it reads has the header's number of fields, and
    /// writing the rows back and reading them again gives the same rows.
    case csv
    /// The JSON parser: a value it parses prints as text that parses to the same value.
    case json
    /// The one-pass envelope check of `append` against the full validator: the check never
    /// accepts a line the validator refuses, and finds the same id.
    case envelope
    /// The segment scanner: on any bytes after a segment header it yields only records whose
    /// checksum holds, with dense offsets, and ends clean, torn or damaged.
    case segment

    /// Runs the target on `bytes`; stops the process when the property fails.
    public func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .csv: FuzzTarget.csv(Array(bytes))
        case .json: FuzzTarget.json(bytes)
        case .envelope: FuzzTarget.envelope(bytes)
        case .segment: FuzzTarget.segment(bytes)
        }
    }

    static func csv(_ bytes: [UInt8]) {
        let file = CSVFile(bytes: bytes)
        for row in file.rows where row.fields.count != file.header.count {
            fatalError("csv: row \(row.line) has \(row.fields.count) fields under a header of \(file.header.count)")
        }
        // Written back only when every byte was UTF-8 text (the reader shows other bytes as
        // U+FFFD) and the file read without problems.
        guard String(validating: bytes, as: UTF8.self) != nil, !file.header.isEmpty, file.problems.isEmpty, file.headerProblem == nil,
              !file.header.contains(where: { $0 != $0.trimmingCharacters(in: .whitespaces) }) else { return }
        func field(_ s: String) -> String {
            // By bytes: "\r\n" is one Character, equal neither to "\r" nor to "\n".
            s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) || s.isEmpty
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let text = ([file.header] + file.rows.map(\.fields)).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        let again = CSVFile(bytes: Array(text.utf8))
        guard again.header == file.header, again.rows.map(\.fields) == file.rows.map(\.fields) else {
            fatalError("csv: rows written back read differently")
        }
    }

    static func json(_ bytes: UnsafeRawBufferPointer) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let text = value.serialized
        guard let again = try? JSONParser.parse(text) else { fatalError("json: printed value does not parse: \(text.prefix(200))") }
        guard again == value else { fatalError("json: printed value parses to a different value") }
    }

    /// The event catalogue, from the package's Schemas (or WAYMARK_SCHEMAS).
    nonisolated(unsafe) static var catalogue: EventCatalogue? = {
        guard let dir = try? SchemaDirectory.locate() else { return nil }
        return try? SchemaDirectory.catalogue(in: dir)
    }()

    static func envelope(_ bytes: UnsafeRawBufferPointer) {
        guard let catalogue = catalogue else { fatalError("envelope: no Schemas directory (set WAYMARK_SCHEMAS)") }
        guard let fast = EventBytesCheck.check(bytes, catalogue: catalogue) else { return }
        let id = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[fast.id]), as: UTF8.self)
        guard let value = try? JSONParser.parse(bytes), case let .success(e) = Envelope.validate(value), catalogue.validate(e) == nil else {
            fatalError("envelope: the byte check accepted a line the validator refuses")
        }
        guard e.id == id else { fatalError("envelope: the byte check found id \(id), the validator \(e.id)") }
    }

    static func segment(_ bytes: UnsafeRawBufferPointer) {
        let dir = NSTemporaryDirectory() + "waymark-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/00000000000000000000.log"
        FileManager.default.createFile(atPath: path, contents: Data(SegmentHeader.bytes(base: .zero) + Array(bytes)))
        guard let scanner = try? SegmentScanner(path: path, fileName: "fuzz", from: SegmentPosition(SegmentHeader.size), expectedOffset: .zero) else { return }
        var expected = Offset.zero
        var end = SegmentHeader.size
        while let r = try? scanner.next() {
            guard r.offset == expected, r.position.rawValue == end else { fatalError("segment: offsets or positions not dense") }
            guard case .record = RecordFrame.decode(r.frame, position: r.position) else { fatalError("segment: yielded a record that does not decode") }
            expected = expected.next
            end += r.length
        }
        guard let stop = scanner.end, stop.position.rawValue == end else { fatalError("segment: the scan ended without saying where") }
    }
}
