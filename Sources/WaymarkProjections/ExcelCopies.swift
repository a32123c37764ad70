import WaymarkLog
import WaymarkStore

/// Copies of the CSV read models for Excel users (`project --csv-excel`): in `excel/` beside
/// them, each starting with a UTF-8 byte-order mark (so Excel reads names as UTF-8), rows
/// ending CRLF, times `DD/MM/YYYY HH:MM` and dates `DD/MM/YYYY` (UTC, as everywhere in
/// Waymark). The canonical CSVs, which tools and `waymark timeline` read, are unchanged.
enum ExcelCopies {
    static let folder = "excel"

    /// Writes `excel/<name>` for every `.csv` in `directory`.
    static func write(in directory: String) throws {
        let target = directory + "/" + folder
        try FileSystem.createDirectory(target, followingLinks: false)
        for name in try FileSystem.list(directory).sorted() where name.hasSuffix(".csv") {
            let csv = try CSVFile(path: directory + "/" + name)
            var out = ByteBuffer()
            out.append([0xEF, 0xBB, 0xBF])
            for (n, row) in ([csv.header] + csv.rows.map(\.fields)).enumerated() {
                for (i, cell) in row.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    CSVCell.append(n == 0 ? cell : excel(cell), to: &out)
                }
                out.append("\r\n")
            }
            try FileSystem.writeAtomically(Array(out.bytes), to: target + "/" + name, durable: true)
        }
    }

    /// `2023-03-01T21:15:00Z` as `01/03/2023 21:15`, `2023-03-01` as `01/03/2023`; any other
    /// text as it is.
    static func excel(_ cell: String) -> String {
        let u = Array(cell.utf8)
        func digits(_ r: Range<Int>) -> Bool { u[r].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard u.count >= 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), digits(0..<4), digits(5..<7), digits(8..<10) else { return cell }
        let date = String(decoding: u[8..<10], as: UTF8.self) + "/" + String(decoding: u[5..<7], as: UTF8.self) + "/" + String(decoding: u[0..<4], as: UTF8.self)
        if u.count == 10 { return date }
        guard u.count >= 17, u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), digits(11..<13), digits(14..<16), u.last == UInt8(ascii: "Z") else { return cell }
        return date + " " + String(decoding: u[11..<16], as: UTF8.self)
    }
}
