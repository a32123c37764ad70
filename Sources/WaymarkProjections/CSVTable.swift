import CWaymarkSystem
import WaymarkEvents
import WaymarkTime

/// A CSV table being written straight to bytes: a header row, then rows, UTF-8, fields
/// quoted only when needed.
struct CSVTable: ~Copyable {
    let file: ModelFile
    let columns: Int
    private(set) var rowCount = 0
    private var bytes = ByteBuffer(capacity: ModelFile.chunk + (64 << 10))
    /// Where each data row starts in the file, then where the file ends (kept on request).
    private(set) var rowStarts: [UInt64]?
    /// Fields written of the row being written.
    private var cellsInRow = 0

    init(_ file: ModelFile, _ columns: [String]) {
        self.file = file
        self.columns = columns.count
        bytes.append(columns.joined(separator: ",") + "\n")
    }

    /// Keeps where each row starts (`rowStarts`), for an index of the rows.
    mutating func keepRowStarts(capacity: Int) {
        rowStarts = []
        rowStarts!.reserveCapacity(capacity + 1)
    }

    mutating func add(_ cells: CSVCell...) throws {
        for c in cells { cell(c) }
        try endRow()
    }

    /// Adds one field to the row being written (a row is its fields, then `endRow`): for
    /// tables written row after row in a hot loop, with no array of cells per row.
    mutating func cell(_ c: CSVCell) {
        startCell()
        c.write(to: &bytes)
        cellsInRow += 1
    }

    /// Adds a field holding a symbol's text (empty for none), copied from the symbol table.
    mutating func cell(_ s: Symbol, in names: Symbols) {
        startCell()
        names.withBytes(s) { CSVCell.append(bytes: $0, to: &bytes) }
        cellsInRow += 1
    }

    /// Adds a field listing two symbols' texts in byte order, joined by `;` (only `a` when
    /// `b` is none), quoted as one field when needed.
    mutating func cell(_ a: Symbol, _ b: Symbol, in names: Symbols) {
        guard !b.isNone else { return cell(a, in: names) }
        startCell()
        let (x, y) = names.less(b, a) ? (b, a) : (a, b)
        names.withBytes(x) { first in
            names.withBytes(y) { second in
                if CSVCell.needsQuotes(first) || CSVCell.needsQuotes(second) || CSVCell.looksLikeFormula(first) {
                    (Array(first) + [UInt8(ascii: ";")] + Array(second)).withUnsafeBytes { CSVCell.append(bytes: $0, to: &bytes) }
                } else {
                    bytes.append(first)
                    bytes.append(UInt8(ascii: ";"))
                    bytes.append(second)
                }
            }
        }
        cellsInRow += 1
    }

    /// Adds a field listing symbols' texts in the order given, joined by `;`, quoted as one
    /// field when needed: copied from the symbol table, with no text made per item.
    mutating func cell(_ list: [Symbol], in names: Symbols) {
        startCell()
        if list.contains(where: { s in names.withBytes(s) { CSVCell.needsQuotes($0) } })
            || list.first.map({ names.withBytes($0) { CSVCell.looksLikeFormula($0) } }) == true {
            var joined: [UInt8] = []
            for (n, s) in list.enumerated() {
                if n > 0 { joined.append(UInt8(ascii: ";")) }
                names.withBytes(s) { joined.append(contentsOf: $0) }
            }
            joined.withUnsafeBytes { CSVCell.append(bytes: $0, to: &bytes) }
        } else {
            for (n, s) in list.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ";")) }
                names.withBytes(s) { bytes.append($0) }
            }
        }
        cellsInRow += 1
    }

    private mutating func startCell() {
        if cellsInRow == 0, rowStarts != nil { rowStarts!.append(UInt64(file.written + bytes.count)) }
        if cellsInRow > 0 { bytes.append(UInt8(ascii: ",")) }
    }

    /// Ends the row being written.
    mutating func endRow() throws {
        precondition(cellsInRow == columns, "\(file.name): \(cellsInRow) fields for \(columns) columns")
        bytes.append(0x0A)
        cellsInRow = 0
        rowCount += 1
        try file.write(&bytes)
    }

    /// Hands the last rows to the file; returns how many rows the table has.
    mutating func finish() throws -> Int {
        try file.write(&bytes, force: true)
        if rowStarts != nil { rowStarts!.append(UInt64(file.written)) }
        return rowCount
    }
}

/// One field of a CSV row, written as the read models write values.
enum CSVCell {
    case text(String)
    /// Texts joined by `;` (quoted as one field when needed).
    case list([String])
    case time(Timestamp?)
    case hours(Double?)
    case flag(Bool?)
    case int(Int)

    func write(to out: inout ByteBuffer) {
        switch self {
        case let .text(s): CSVCell.append(s, to: &out)
        case let .list(items):
            if items.contains(where: CSVCell.needsQuotes) || items.first.map({ var f = $0; return f.withUTF8 { CSVCell.looksLikeFormula(UnsafeRawBufferPointer($0)) } }) == true {
                CSVCell.append(items.joined(separator: ";"), to: &out)
            } else {
                for (n, s) in items.enumerated() { if n > 0 { out.append(UInt8(ascii: ";")) }; out.append(s) }
            }
        case let .time(t): if let t { Cell.appendTime(t, to: &out) }
        case let .hours(h): if let h { Cell.appendHours(h, to: &out) }
        case let .flag(b):
            // As JSON writes them (the timeline), so CSV and JSON readers agree.
            if b == true { out.append("true" as StaticString) } else if b == false { out.append("false" as StaticString) }
        case let .int(n): out.appendInt(n)
        }
    }

    static func needsQuotes(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { needsQuotes(UnsafeRawBufferPointer($0)) }
    }

    /// Whether a field must be quoted: it holds a separator, a quote or a line break (sixteen
    /// bytes at a time, `wm_csv_needs_quotes`).
    @inline(__always) static func needsQuotes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return wm_csv_needs_quotes(base.assumingMemoryBound(to: UInt8.self), bytes.count) != 0
    }

    /// Whether a spreadsheet would take the field for a formula (OWASP's CSV injection rule:
    /// it starts with `=`, `+`, `-`, `@`, a tab or a carriage return), unless it is a plain
    /// number such as `-3` or `+1.5`, which no spreadsheet evaluates.
    @inline(__always) static func looksLikeFormula(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let c = bytes.first else { return false }
        switch c {
        case UInt8(ascii: "="), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return !isPlainNumber(UnsafeRawBufferPointer(rebasing: bytes.dropFirst()))
        default: return false
        }
    }

    /// Digits with at most one `.` between them.
    private static func isPlainNumber(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var digits = 0, dots = 0
        for c in bytes {
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { digits += 1 } else if c == UInt8(ascii: ".") { dots += 1 } else { return false }
        }
        return digits > 0 && dots <= 1 && bytes.first != UInt8(ascii: ".") && bytes.last != UInt8(ascii: ".")
    }

    /// Appends `s` as a field: its bytes whole, or quoted (`""` for a quote) when it holds a
    /// separator, a quote or a line break; a field a spreadsheet would run as a formula is
    /// quoted with an apostrophe first (`"'=1+2"`), which spreadsheets show as text.
    static func append(_ s: String, to out: inout ByteBuffer) {
        var s = s
        s.withUTF8 { append(bytes: UnsafeRawBufferPointer($0), to: &out) }
    }

    @inline(__always) static func append(bytes: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        let formula = looksLikeFormula(bytes)
        guard formula || needsQuotes(bytes) else { out.append(bytes); return }
        out.append(UInt8(ascii: "\""))
        if formula { out.append(UInt8(ascii: "'")) }
        for c in bytes { if c == UInt8(ascii: "\"") { out.append(c) }; out.append(c) }
        out.append(UInt8(ascii: "\""))
    }
}

/// How values are written in the read models.
enum Cell {
    /// Appends `2023-03-01T21:15:00Z` (whole seconds) to `out`.
    static func appendTime(_ t: Timestamp, to out: inout ByteBuffer) {
        out.appendTime(t, milliseconds: false)
    }
    /// Hours with two decimals (`12.50`, `24.02`, `-0.30`): a hundredth of an hour is 36
    /// seconds, so times to the minute keep every minute apart (24 h 1 min is `24.02`, never
    /// read as 24 h), and a count of "under 24 hours" from the column is right.
    static func appendHours(_ h: Double, to out: inout ByteBuffer) {
        let hundredths = Int((h * 100).rounded())
        let whole = hundredths / 100, frac = abs(hundredths) % 100
        if hundredths < 0 && whole == 0 { out.append(UInt8(ascii: "-")) }
        out.appendInt(whole)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(truncatingIfNeeded: 48 + frac / 10))
        out.append(UInt8(truncatingIfNeeded: 48 + frac % 10))
    }

    /// The financial year of `t` written `2022-23`.
    static func financialYear(_ t: Timestamp, startMonth: Int) -> String {
        WaymarkProjections.financialYear(of: CivilDate(daysSinceEpoch: t.millisecondsSinceEpoch / 86_400_000), startMonth: startMonth)
    }
    /// The month of `t` written `2022-05`.
    static func month(_ t: Timestamp) -> String {
        let d = CivilDate(daysSinceEpoch: t.millisecondsSinceEpoch / 86_400_000)
        return "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)"
    }
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
