import XCTest
@testable import WaymarkLog

/// CRC-32C against published test vectors (RFC 3720 appendix B.4, and the "check" value of
/// the CRC catalogue), for the CPU instruction and for the portable table alike.
final class CRC32CTests: XCTestCase {
    let vectors: [([UInt8], UInt32)] = [
        (Array("123456789".utf8), 0xE306_9283),
        ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        (Array(0...31), 0x46DD_794E),
        (Array((0...31).reversed()), 0x113F_DB5C),
        ([], 0),
    ]

    func testPublishedVectors() {
        for (input, expected) in vectors {
            XCTAssertEqual(CRC32C.checksum(input), expected, "\(input.prefix(4))…")
            XCTAssertEqual(CRC32C.portableChecksum(input), expected, "portable \(input.prefix(4))…")
        }
    }

    func testContinuationEqualsOneShotAtEverySplit() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(data)
        XCTAssertEqual(whole, CRC32C.portableChecksum(data))
        for split in [0, 1, 7, 8, 9, 63, 500, 999, 1000] {
            let first = data[..<split].withUnsafeBytes { CRC32C.checksum($0) }
            let both = data[split...].withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
            XCTAssertEqual(both, whole, "split at \(split)")
        }
    }
}
