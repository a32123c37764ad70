import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

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

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var root: Element?
        weak var parser: XMLParser?
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            let e = Element(tag: name.uppercased(), line: parser.lineNumber)
            stack.last?.children.append(e)
            if stack.isEmpty { root = e }
            stack.append(e)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { _ = stack.popLast() }
        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
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
        let parser = XMLParser(data: Data(bytes))
        let builder = TreeBuilder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            quarantine.add(file: path, line: parser.lineNumber, field: nil,
                           reason: "not well-formed XML (\(parser.parserError.map { "error \(($0 as NSError).code)" } ?? "unreadable")): the file is rejected whole", raw: "")
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
