import XCTest
import WaymarkTime
import WaymarkTestSupport
@testable import WaymarkLog

/// A batch of `count` records keyed `prefix-i` with payloads of varying size.
func makeBatch(_ count: Int, prefix: String = "k", start: Int = 0, payloadBytes: Int = 100) -> AppendBatch {
    var batch = AppendBatch()
    for i in start..<(start + count) {
        let payload = "{\"n\":\(i),\"pad\":\"" + String(repeating: "p", count: payloadBytes + i % 37) + "\"}"
        batch.add(key: Array("\(prefix)-\(i)".utf8), payload: Array(payload.utf8))
    }
    return batch
}

func ts(_ text: String) -> Timestamp { RFC3339.parse(text)! }

func fileBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

func writeBytes(_ bytes: [UInt8], _ path: String) { FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

extension XCTestCase {
    /// A temporary directory removed when the test ends, with the log inside at `log`.
    func scratch() -> TemporaryDirectory {
        let dir = TemporaryDirectory("waymark-log")
        addTeardownBlock { dir.remove() }
        return dir
    }
}
