import Foundation
import XCTest
import WaymarkEvents
import WaymarkLog
import WaymarkProjections
import WaymarkStore
import WaymarkTestSupport
import WaymarkTime

enum P {
    static let root = Waymark.packageRoot
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Scenario"
    static func rules(_ name: String = "default") throws -> CountingRules {
        try CountingRules(path: root + "/rules/\(name).json", schema: SchemaDirectory.rulesSchema(in: root + "/Schemas"))
    }
    static func t(_ s: String) -> Timestamp { RFC3339.parse(s)! }

    /// Appends the lines of `path` (events) to `log`, stamped `recordedAt`.
    static func append(_ path: String, to log: String, at recordedAt: String) throws {
        let appender = try EventAppender(directory: log, catalogue: try SchemaDirectory.catalogue(in: root + "/Schemas"))
        let summary = try appender.append(try LineReader(path: path), recordedAt: t(recordedAt)) { XCTFail("rejected: \($0)") }
        try appender.writer.close()
        XCTAssertEqual(summary.rejected, 0)
    }

    static func files(_ dir: String) throws -> [String: String] { try readModelFiles(dir) }
}

extension XCTestCase {
    func scratchDir() -> TemporaryDirectory {
        let d = TemporaryDirectory("waymark-proj")
        addTeardownBlock { d.remove() }
        return d
    }
}
