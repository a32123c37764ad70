import Foundation
import XCTest
import WaymarkFuzz
import WaymarkIngest
import WaymarkTestSupport

/// The fuzz targets in `make test`: each replays its corpus and every crash ever found
/// (`Tests/Fuzz/`), then a fixed number of mutations of them from a fixed seed (bits flipped,
/// bytes inserted, removed, repeated, spliced from another input), so a run is the same run
/// each time. A property failing stops the test process, as under libFuzzer.
final class FuzzTests: XCTestCase {
    static let mutations = 3000

    func inputs(_ target: FuzzTarget) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for folder in ["corpus", "crashes"] {
            let dir = Waymark.packageRoot + "/Tests/Fuzz/\(folder)/\(target.rawValue)"
            for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where !name.hasPrefix(".") {
                out.append(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))))
            }
        }
        return out
    }

    func mutate(_ input: [UInt8], with other: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !b.isEmpty: b[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1: b.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...16, using: &rng)))
            case 3 where !b.isEmpty: b.insert(contentsOf: b[at..<min(b.count, at + Int.random(in: 1...32, using: &rng))], at: at)
            case 4 where !other.isEmpty:
                let from = Int.random(in: 0..<other.count, using: &rng)
                b.insert(contentsOf: other[from..<min(other.count, from + Int.random(in: 1...64, using: &rng))], at: at)
            default: if !b.isEmpty { b[at] = [0x00, 0x22, 0x2C, 0x0A, 0x0D, 0x5C, 0x7B, 0x7D, 0xFF][Int.random(in: 0..<9, using: &rng)] }
            }
        }
        return b
    }

    func run(_ target: FuzzTarget) throws {
        let seeds = try inputs(target)
        XCTAssertFalse(seeds.isEmpty, "no corpus for \(target)")
        for s in seeds { s.withUnsafeBytes { target.run($0) } }
        var rng = SplitMix64(seed: 0x5741_594D_4152_4B00 ^ UInt64(target.rawValue.utf8.count))
        for _ in 0..<FuzzTests.mutations {
            let input = mutate(seeds.randomElement(using: &rng)!, with: seeds.randomElement(using: &rng)!, &rng)
            input.withUnsafeBytes { target.run($0) }
        }
    }

    func testCSVReader() throws { try run(.csv) }
    func testJSONParser() throws { try run(.json) }
    func testEnvelopeCheckAgreesWithTheValidator() throws { try run(.envelope) }
    func testSegmentScanner() throws { try run(.segment) }
}
