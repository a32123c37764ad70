import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import WaymarkLog

final class FileSystemTests: XCTestCase {
    /// How many of the file's pages are in the page cache (mincore over a mapping of it).
    private func residentPages(_ path: String) throws -> Int {
        let file = try SystemFile(path: path, flags: O_RDONLY)
        let size = try file.size()
        let map = mmap(nil, size, PROT_READ, MAP_SHARED, file.fd, 0)!
        defer { munmap(map, size) }
        let pages = (size + 4095) / 4096
        var vector = [UInt8](repeating: 0, count: pages)
        XCTAssertEqual(mincore(map, size, &vector), 0)
        return vector.filter { $0 & 1 == 1 }.count
    }

    /// A rebuild lets go of the cached pages of the files it is about to replace: they stay
    /// whole on disk, and leave the page cache (subdirectories and a missing directory are
    /// skipped without a fault).
    func testDroppingADirectorysCachedPagesKeepsItsFiles() throws {
        let dir = scratch()
        let path = dir.file("episodes.csv")
        let bytes = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = try SystemFile(path: path, flags: O_WRONLY | O_CREAT)
        try file.write(bytes, at: 0)
        try file.sync()
        try FileSystem.createDirectory(dir.file("sub"))
        let before = try residentPages(path)
        FileSystem.dropCachedPages(inDirectory: dir.path)
        FileSystem.dropCachedPages(inDirectory: dir.file("missing"))
        let after = try residentPages(path)
        XCTAssertEqual(fileBytes(path), bytes)
        guard before > 0 else { throw XCTSkip("the written file was not in the page cache (a file system without one?)") }
        XCTAssertLessThan(after, before / 2, "the file's pages were dropped")
    }
}
