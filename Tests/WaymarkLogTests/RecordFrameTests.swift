import XCTest
import WaymarkTime
@testable import WaymarkLog

final class RecordFrameTests: XCTestCase {
    func frame(offset: UInt64 = 42, key: String = "id-1", payload: String = "{\"a\":1}") -> [UInt8] {
        var out: [UInt8] = []
        Array(key.utf8).withUnsafeBytes { k in
            Array(payload.utf8).withUnsafeBytes { p in
                RecordFrame.encode(offset: Offset(offset), recordedAt: Timestamp(millisecondsSinceEpoch: 1_677_705_300_042), key: k, payload: p, into: &out)
            }
        }
        return out
    }

    func testLayoutIsAsDocumented() {
        let f = frame()
        XCTAssertEqual(f.count, 28 + 4 + 7)
        XCTAssertEqual(Array(f[4..<8]), [39, 0, 0, 0], "length, little-endian, header included")
        XCTAssertEqual(Array(f[8..<16]), [42, 0, 0, 0, 0, 0, 0, 0], "offset")
        // 1677705300042 = 0x0186_9F07_484A
        XCTAssertEqual(Array(f[16..<24]), [0x4A, 0x48, 0x07, 0x9F, 0x86, 0x01, 0, 0], "recordedAt ms")
        XCTAssertEqual(Array(f[24..<28]), [4, 0, 0, 0], "key length, flags")
        XCTAssertEqual(String(decoding: f[28..<32], as: UTF8.self), "id-1")
        XCTAssertEqual(String(decoding: f[32...], as: UTF8.self), "{\"a\":1}")
        let crc = UInt32(f[0]) | UInt32(f[1]) << 8 | UInt32(f[2]) << 16 | UInt32(f[3]) << 24
        XCTAssertEqual(crc, CRC32C.checksum(Array(f[4...])))
    }

    func testDecodesWhatItEncodes() {
        let f = frame()
        f.withUnsafeBytes { b in
            guard case let .record(view) = RecordFrame.decode(b, position: SegmentPosition(16)) else { return XCTFail("not decoded") }
            XCTAssertEqual(view.offset, Offset(42))
            XCTAssertEqual(view.recordedAt.millisecondsSinceEpoch, 1_677_705_300_042)
            XCTAssertEqual(Array(view.key), Array("id-1".utf8))
            XCTAssertEqual(Array(view.payload), Array("{\"a\":1}".utf8))
            XCTAssertEqual(view.length, f.count)
        }
    }

    func testEveryFlippedByteIsDetected() {
        let f = frame(payload: String(repeating: "z", count: 64))
        for i in 0..<f.count {
            var bad = f
            bad[i] ^= 0x10
            bad.withUnsafeBytes { b in
                if case .record = RecordFrame.decode(b, position: SegmentPosition(16)) { XCTFail("flip at byte \(i) not detected") }
            }
        }
    }

    func testIncompleteFramesAskForMore() {
        let f = frame()
        for cut in [0, 3, 7, 8, 27, f.count - 1] {
            Array(f[0..<cut]).withUnsafeBytes { b in
                guard case .incomplete = RecordFrame.decode(b, position: SegmentPosition(16)) else { return XCTFail("cut \(cut)") }
            }
        }
    }
}
