import Foundation

/// The XML form of the SSDA903 return, as the DfE's validator reads it: root `EXPSSDA903`,
/// one `CHILD` per child with `CHILDID`, a `HEADER` (SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB,
/// and `AMISSING` elements for missing periods) and `EPISODE` elements (`PL` is the
/// placement type, PLACE in the CSV form). A row takes the child's id (and, for Header and
/// Missing, the header's values) and its own element's; it gives exactly the rows the CSV
/// form of the same data gives. (The DfE's reader also lets an element an episode leaves out
/// take another episode's value; Waymark reads it as blank.)
enum SSDA903XML {
    /// Whether the bytes start (after a byte-order mark and spaces) with `<`.
    static func looksLikeXML(_ bytes: [UInt8]) -> Bool {
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i < bytes.count && bytes[i] == UInt8(ascii: "<")
    }

    /// An element: its tag, text, children and the line it starts on.
    final class Element {
        let tag: String
        let line: Int
        var text = ""
        var children: [Element] = []
        init(tag: String, line: Int) { self.tag = tag; self.line = line }

        /// The text of every element under this one that has no children, by tag (`CHILDID`
        /// read as CHILD, `PL` as PLACE); a later one wins, as in the DfE's reader.
        func leaves(into values: inout [String: String]) {
            for c in children {
                if c.children.isEmpty {
                    let tag = c.tag == "CHILDID" ? "CHILD" : c.tag == "PL" ? "PLACE" : c.tag
                    values[tag] = c.text
                } else {
                    c.leaves(into: &values)
                }
            }
        }
    }

    /// A small XML reader for the return's plain shape (elements, text, the five entities and
    /// numeric references, comments, CDATA, declarations; attributes are skipped). Not
    /// Foundation's XMLParser: linking FoundationXML and libxml2 slows the start of every
    /// `waymark` command. Nil, with the line, for a document that is not well-formed.
    static func parse(_ b: [UInt8]) -> (root: Element?, errorLine: Int) {
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var stack: [Element] = []
        var root: Element?
        var text: [UInt8] = []
        func advance(to j: Int) { for k in i..<min(j, b.count) where b[k] == 0x0A { line += 1 }; i = j }
        func find(_ pattern: [UInt8], from: Int) -> Int? {
            var k = from
            while k + pattern.count <= b.count {
                if b[k] == pattern[0], Array(b[k..<(k + pattern.count)]) == pattern { return k }
                k += 1
            }
            return nil
        }
        func flushText() {
            guard let top = stack.last, !text.isEmpty else { text.removeAll(); return }
            top.text += decodeEntities(String(decoding: text, as: UTF8.self))
            text.removeAll()
        }
        while i < b.count {
            if b[i] != UInt8(ascii: "<") { if b[i] == 0x0A { line += 1 }; text.append(b[i]); i += 1; continue }
            flushText()
            if b[(i + 1)...].starts(with: Array("!--".utf8)) {
                guard let e = find(Array("-->".utf8), from: i + 4) else { return (nil, line) }
                advance(to: e + 3)
            } else if b[(i + 1)...].starts(with: Array("![CDATA[".utf8)) {
                guard let e = find(Array("]]>".utf8), from: i + 9) else { return (nil, line) }
                stack.last?.text += String(decoding: b[(i + 9)..<e], as: UTF8.self)
                advance(to: e + 3)
            } else if i + 1 < b.count, b[i + 1] == UInt8(ascii: "?") || b[i + 1] == UInt8(ascii: "!") {
                guard let e = find([UInt8(ascii: ">")], from: i) else { return (nil, line) }
                advance(to: e + 1)
            } else {
                guard let e = find([UInt8(ascii: ">")], from: i) else { return (nil, line) }
                let closing = b[i + 1] == UInt8(ascii: "/")
                let selfClosing = b[e - 1] == UInt8(ascii: "/")
                var n = i + (closing ? 2 : 1)
                let nameStart = n
                while n < e, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/")].contains(b[n]) { n += 1 }
                let name = String(decoding: b[nameStart..<n], as: UTF8.self).uppercased()
                guard !name.isEmpty else { return (nil, line) }
                let startLine = line
                advance(to: e + 1)
                if closing {
                    guard let top = stack.popLast(), top.tag == name else { return (nil, startLine) }
                } else {
                    let el = Element(tag: name, line: startLine)
                    stack.last?.children.append(el)
                    if stack.isEmpty { guard root == nil else { return (nil, startLine) }; root = el }
                    if !selfClosing { stack.append(el) }
                }
            }
        }
        return stack.isEmpty && root != nil ? (root, line) : (nil, line)
    }

    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and `&#N;` / `&#xH;` as the characters they name.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = "", rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
            let name = rest[rest.index(after: amp)..<semi]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"][String(name)]
            if let named { out += named }
            else if name.hasPrefix("#x"), let v = UInt32(name.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) }
            else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) }
            else { out += rest[amp...semi] }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    /// Columns of each table in the DfE's order (for the row's text in reports).
    static let columns: [SSDA903Table: [String]] = [
        .header: ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
        .episodes: ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "PL_LA"],
        .missing: ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    ]

    /// Reads the file into `extract`; a file that is not well-formed XML, or whose root is not
    /// `EXPSSDA903`, is rejected whole.
    static func read(path: String, bytes: [UInt8], into extract: inout SSDA903Extract, quarantine: inout Quarantine) {
        let (parsed, errorLine) = parse(bytes)
        guard let root = parsed else {
            quarantine.add(file: path, line: errorLine, field: nil, reason: "not well-formed XML: the file is rejected whole", raw: "")
            return
        }
        guard root.tag == "EXPSSDA903" else {
            quarantine.add(file: path, line: root.line, field: nil, reason: "the root element is not EXPSSDA903: the file is rejected whole", raw: "")
            return
        }
        for t in SSDA903Table.allCases where extract.rows[t] == nil { extract.rows[t] = [] }
        for child in root.children where child.tag == "CHILD" {
            // A row takes the child's id and header values, then its own element's values: an
            // element a row leaves out is blank (never another episode's value).
            var base: [String: String] = [:]
            for leaf in child.children where leaf.children.isEmpty { base[leaf.tag == "CHILDID" ? "CHILD" : leaf.tag] = leaf.text }
            for part in child.children where part.tag == "HEADER" {
                for leaf in part.children where leaf.children.isEmpty { base[leaf.tag] = leaf.text }
            }
            func add(_ table: SSDA903Table, _ element: Element, _ own: [String: String]) {
                let cols = columns[table]!
                var values: [String: String] = [:]
                for c in cols {
                    let inherited = c == "CHILD" || (table != .episodes && (c == "DOB" || table == .header)) ? base[c] : nil
                    if let v = own[c] ?? inherited { values[c] = v } else if c != "PL_LA" { values[c] = "" }
                }
                extract.rowCount += 1
                extract.add(table, file: path, line: element.line, raw: cols.compactMap { values[$0] }.joined(separator: ","), values: values)
            }
            add(.header, child, [:])
            for part in child.children {
                if part.tag == "EPISODE" {
                    var own: [String: String] = [:]
                    part.leaves(into: &own)
                    add(.episodes, part, own)
                } else if part.tag == "HEADER" {
                    for sub in part.children where sub.tag == "AMISSING" {
                        var own: [String: String] = [:]
                        sub.leaves(into: &own)
                        add(.missing, sub, own)
                    }
                }
            }
        }
    }
}
