import WaymarkTime

/// A UK postcode as an SSDA903 return gives it: a full postcode (`N17 6AA`, `N176AA`,
/// `n17 6aa`) or, where a system keeps less, its district and sector (`N17 6`) or its
/// district alone (`N17`). Read in any case and spacing; written upper-case with one space.
public struct Postcode: Sendable, Equatable {
    /// The outward code, the postcode district (`N17`).
    public let district: String
    /// The inward code's digit, when given (`6` of `N17 6AA`).
    public let sectorDigit: Character?
    /// The inward code's two letters, when given (`AA` of `N17 6AA`).
    public let unit: String?

    /// `text` as a postcode, nil when it has no postcode's shape.
    public init?(_ text: String) {
        let letters = text.uppercased().filter { $0 != " " && $0 != "\t" }
        let chars = Array(letters)
        guard chars.count >= 2, chars.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        // Split off an inward code: a digit and two letters, or a digit alone (a sector).
        func isOutward(_ s: ArraySlice<Character>) -> Bool {
            // A9, A99, AA9, AA99, A9A, AA9A.
            let a = Array(s)
            guard a.count >= 2, a.count <= 4, a[0].isLetter else { return false }
            let lettersFirst = a[1].isLetter ? 2 : 1
            guard lettersFirst < a.count, a[lettersFirst].isNumber else { return false }
            let rest = a[(lettersFirst + 1)...]
            return rest.count <= 1 && rest.allSatisfy { $0.isNumber || $0.isLetter }
        }
        let n = chars.count
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if words.count == 2, words[1].count <= 3 {
            // Spaced: the outward code, then all or part of the inward code.
            let outward = Array(words[0].uppercased()), inward = Array(words[1].uppercased())
            guard isOutward(outward[...]), inward[0].isNumber,
                  inward.count == 1 || (inward.count == 3 && inward[1].isLetter && inward[2].isLetter) else { return nil }
            district = String(outward); sectorDigit = inward[0]; unit = inward.count == 3 ? String(inward[1...]) : nil
        } else if words.count == 1, n >= 5, chars[n - 3].isNumber, chars[n - 2].isLetter, chars[n - 1].isLetter, isOutward(chars[..<(n - 3)]) {
            district = String(chars[..<(n - 3)]); sectorDigit = chars[n - 3]; unit = String(chars[(n - 2)...])
        } else if words.count == 1, isOutward(chars[...]) {
            district = String(chars); sectorDigit = nil; unit = nil
        } else {
            return nil
        }
    }

    /// `N17 6AA`, `N17 6` or `N17`: as much as the source gave.
    public var normalised: String {
        guard let d = sectorDigit else { return district }
        return district + " " + String(d) + (unit ?? "")
    }

    /// The district and sector (`N17 6`), nil when the source gave only the district.
    public var sector: String? { sectorDigit.map { district + " " + String($0) } }
}

/// An Ofsted unique reference number as the feeds give it: `SC` + 6 digits (older
/// registrations), a 7-digit number (newer ones), or `XXXXXXX` (not applicable).
public enum OfstedURN {
    /// `text` upper-cased when it is one of the three forms, else nil.
    public static func normalised(_ text: String) -> String? {
        let u = text.uppercased()
        let b = Array(u.utf8)
        func digits(_ s: ArraySlice<UInt8>) -> Bool { s.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if b.count == 8, b[0] == UInt8(ascii: "S"), b[1] == UInt8(ascii: "C"), digits(b[2...]) { return u }
        if b.count == 7, digits(b[...]) { return u }
        if u == "XXXXXXX" { return u }
        return nil
    }

    /// Whether `urn` (normalised) names a registered home, not `XXXXXXX`.
    public static func namesAHome(_ urn: String) -> Bool { urn != "XXXXXXX" }
}

/// SSDA903 dates: `D/M/YYYY` with or without leading zeros (`5/6/2022`, `05/06/2022`).
public enum SSDA903Date {
    /// The date `text` names, nil when it is not a real date in that form.
    public static func parse(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
        let date = CivilDate(year: y, month: m, day: d)
        return date.isValid ? date : nil
    }
}
