/// The implicit types of plain scalars, as ruamel.yaml's `VersionedResolver` assigns them: YAML 1.2 unless the
/// document has a `%YAML 1.1` directive. The checks are ruamel's regular expressions written out over bytes
/// (this module loads no regex engine: see its README). A resolver applies only when the scalar's first
/// character is one it lists, and the first that matches wins, in ruamel's order: bool, float, int, merge,
/// null, timestamp, value.
enum YAMLScalarResolver {
    static func implicitType(of text: String, yaml11: Bool) -> YAMLScalarType? {
        let b = Array(text.utf8)
        guard let first = b.first else { return .null }
        if isBool(b, yaml11: yaml11) { return .bool }
        if ASCIISet.floatStart.contains(first), isFloat(b, yaml11: yaml11) { return .float }
        if ASCIISet.intStart.contains(first), isInt(b, yaml11: yaml11) { return .int }
        if text == "<<" { return .merge }
        if ["~", "null", "Null", "NULL"].contains(text) { return .null }
        if isDigit(first), isTimestamp(b) { return .timestamp }
        if text == "=" { return .value }
        return nil
    }

    static func isBool(_ b: [UInt8], yaml11: Bool) -> Bool {
        let text = String(decoding: b, as: UTF8.self)
        let core = ["true", "True", "TRUE", "false", "False", "FALSE"]
        let old = ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]
        return core.contains(text) || (yaml11 && old.contains(text))
    }

    // MARK: float

    static func isFloat(_ b: [UInt8], yaml11: Bool) -> Bool {
        var s = Scanner(b)
        let signed = s.skipSign()
        if s.peek == UInt8(ascii: ".") {
            s.advance()
            // `.inf` takes a sign; `.nan` does not; YAML 1.1's `.5` does not either.
            if ["inf", "Inf", "INF"].contains(where: { s.rest.elementsEqual($0.utf8) }) { return true }
            if ["nan", "NaN", "NAN"].contains(where: { s.rest.elementsEqual($0.utf8) }) { return !signed }
            if yaml11 && signed { return false }
            guard s.take(while: isDigitOrUnderscore) > 0 else { return false }
            return s.atEnd || (s.exponent(signRequired: true) && s.atEnd)
        }
        guard let first = s.peek, isDigit(first) else { return false }
        s.take(while: isDigitOrUnderscore)
        if yaml11, s.peek == UInt8(ascii: ":") {
            guard s.sexagesimalGroups(), s.take(byte: ".") else { return false }
            s.take(while: isDigitOrUnderscore)
            return s.atEnd
        }
        if s.take(byte: ".") {
            s.take(while: isDigitOrUnderscore)
            return s.atEnd || (s.exponent(signRequired: false) && s.atEnd)
        }
        return s.exponent(signRequired: false) && s.atEnd
    }

    // MARK: int

    static func isInt(_ b: [UInt8], yaml11: Bool) -> Bool {
        var s = Scanner(b)
        s.skipSign()
        let body = s
        let prefixed: [(String, (UInt8) -> Bool)] =
            [
                ("0b", { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") || $0 == UInt8(ascii: "_") }),
                ("0x", { isHexDigit($0) || $0 == UInt8(ascii: "_") }),
            ] + (yaml11 ? [] : [("0o", { isOctalDigit($0) || $0 == UInt8(ascii: "_") })])
        for (prefix, allowed) in prefixed where s.rest.starts(with: prefix.utf8) {
            var t = s
            t.advance(by: 2)
            if t.take(while: allowed) > 0, t.atEnd { return true }
        }
        if yaml11 {
            // 0?[0-7_]+ | (0|[1-9][0-9_]*) | [1-9][0-9_]*(:[0-5]?[0-9])+
            if s.rest.allSatisfy({ isOctalDigit($0) || $0 == UInt8(ascii: "_") }) && !s.atEnd { return true }
            if s.rest.elementsEqual("0".utf8) { return true }
            guard let first = s.peek, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return false }
            s.take(while: isDigitOrUnderscore)
            if s.atEnd { return true }
            return s.peek == UInt8(ascii: ":") && s.sexagesimalGroups() && s.atEnd
        }
        s = body
        return s.take(while: isDigitOrUnderscore) > 0 && s.atEnd
    }

    // MARK: timestamp

    /// `YYYY-MM-DD`, or `YYYY-M-D` followed by a time (`T` or blanks, `h:mm:ss`, fraction, zone).
    static func isTimestamp(_ b: [UInt8]) -> Bool {
        var s = Scanner(b)
        guard s.take(exactly: 4, isDigit), s.take(byte: "-") else { return false }
        let dateOnly =
            s.rest.count == 5
            && {
                var t = s; return t.take(exactly: 2, isDigit) && t.take(byte: "-") && t.take(exactly: 2, isDigit)
            }()
        if dateOnly { return true }
        guard s.take(from: 1, to: 2, isDigit), s.take(byte: "-"), s.take(from: 1, to: 2, isDigit) else { return false }
        if s.peek == UInt8(ascii: "T") || s.peek == UInt8(ascii: "t") {
            s.advance()
        } else {
            guard s.take(while: isBlank) > 0 else { return false }
        }
        guard s.take(from: 1, to: 2, isDigit), s.take(byte: ":"), s.take(exactly: 2, isDigit),
            s.take(byte: ":"), s.take(exactly: 2, isDigit)
        else { return false }
        if s.take(byte: ".") { s.take(while: isDigit) }
        if s.atEnd { return true }
        s.take(while: isBlank)
        if s.take(byte: "Z") { return s.atEnd }
        guard s.peek == UInt8(ascii: "+") || s.peek == UInt8(ascii: "-") else { return false }
        s.advance()
        guard s.take(from: 1, to: 2, isDigit) else { return false }
        if s.take(byte: ":") { guard s.take(exactly: 2, isDigit) else { return false } }
        return s.atEnd
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    static func isOctalDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "7") }
    static func isDigitOrUnderscore(_ c: UInt8) -> Bool { isDigit(c) || c == UInt8(ascii: "_") }
    static func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
    static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }
}

enum ASCIISet {
    static let intStart = Set("-+0123456789".utf8)
    static let floatStart = Set("-+0123456789.".utf8)
}

/// A cursor over the bytes of one scalar.
struct Scanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    var atEnd: Bool { index >= bytes.count }
    var rest: ArraySlice<UInt8> { bytes[index...] }

    mutating func advance(by n: Int = 1) { index = min(bytes.count, index + n) }

    @discardableResult
    mutating func skipSign() -> Bool {
        guard peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") else { return false }
        advance()
        return true
    }

    @discardableResult
    mutating func take(while predicate: (UInt8) -> Bool) -> Int {
        let start = index
        while let c = peek, predicate(c) { index += 1 }
        return index - start
    }

    mutating func take(byte: Unicode.Scalar) -> Bool {
        guard peek == UInt8(ascii: byte) else { return false }
        index += 1
        return true
    }

    mutating func take(exactly n: Int, _ predicate: (UInt8) -> Bool) -> Bool {
        take(from: n, to: n, predicate)
    }

    /// Between `low` and `high` bytes that satisfy `predicate`, greedily.
    mutating func take(from low: Int, to high: Int, _ predicate: (UInt8) -> Bool) -> Bool {
        var count = 0
        while count < high, let c = peek, predicate(c) {
            index += 1
            count += 1
        }
        return count >= low
    }

    /// `[eE][-+]?[0-9]+` (the sign required when `signRequired`).
    mutating func exponent(signRequired: Bool) -> Bool {
        guard peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") else { return false }
        advance()
        if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { advance() } else if signRequired { return false }
        return take(while: YAMLScalarResolver.isDigit) > 0
    }

    /// One or more `:[0-5]?[0-9]` groups (YAML 1.1's base-60 numbers).
    mutating func sexagesimalGroups() -> Bool {
        var groups = 0
        while peek == UInt8(ascii: ":") {
            advance()
            let start = index
            guard take(from: 1, to: 2, YAMLScalarResolver.isDigit) else { return false }
            // [0-5]?[0-9]: of two digits, the first is at most 5.
            if index - start == 2, bytes[start] > UInt8(ascii: "5") { return false }
            groups += 1
        }
        return groups > 0
    }
}
