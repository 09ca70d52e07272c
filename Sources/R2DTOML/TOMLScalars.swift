/// TOML integers and floats: decimal with `_` only between digits and no leading zeros, `0x`/`0o`/`0b` without a
/// sign, fractions and exponents. An integer outside 64 bits is refused.
enum TOMLNumber {
    static func parse(_ token: [UInt8]) -> TOMLValue? {
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where token.starts(with: prefix.utf8) {
            let digits = Array(token.dropFirst(2))
            guard digitRun(digits, radix: radix),
                let value = Int64(String(decoding: digits.filter { $0 != 0x5F }, as: UTF8.self), radix: radix)
            else {
                return nil
            }
            return .integer(value)
        }
        var body = token[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        let exponentAt = body.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = body[..<(exponentAt ?? body.endIndex)]
        let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
        let whole = Array(mantissa[..<(dot ?? mantissa.endIndex)])
        guard digitRun(whole, radix: 10), whole.first != UInt8(ascii: "0") || whole.count == 1 else { return nil }
        if let dot, !digitRun(Array(mantissa[mantissa.index(after: dot)...]), radix: 10) { return nil }
        if let exponentAt {
            var exponent = body[body.index(after: exponentAt)...]
            if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            guard digitRun(Array(exponent), radix: 10) else { return nil }
        }
        let plain = String(decoding: token.filter { $0 != 0x5F }, as: UTF8.self)
        if dot == nil && exponentAt == nil { return Int64(plain).map(TOMLValue.integer) }
        return Double(plain).map(TOMLValue.float)
    }

    /// One or more digits of `radix`, each `_` between two digits.
    static func digitRun(_ bytes: [UInt8], radix: Int) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isDigit(first, radix), isDigit(last, radix) else { return false }
        for (a, b) in zip(bytes, bytes.dropFirst()) where a == 0x5F && b == 0x5F { return false }
        return bytes.allSatisfy { $0 == 0x5F || isDigit($0, radix) }
    }

    static func isDigit(_ c: UInt8, _ radix: Int) -> Bool {
        switch radix {
        case 2: return c == 0x30 || c == 0x31
        case 8: return c >= 0x30 && c <= 0x37
        case 16: return TOMLParser.isHexDigit(c)
        default: return c >= 0x30 && c <= 0x39
        }
    }
}

/// TOML dates and times: `YYYY-MM-DD`, `HH:MM:SS[.frac]`, or a date, `T`/`t`/space, a time and an optional
/// `Z` or `±HH:MM` offset; every field in range (seconds 0–59, as tomllib reads them).
enum TOMLDateTime {
    static func isValid(_ token: [UInt8]) -> Bool {
        if token.count >= 3, token[2] == UInt8(ascii: ":") { return time(token[...]) == token.endIndex }
        guard token.count >= 10, date(token[..<10]) else { return false }
        if token.count == 10 { return true }
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), 0x20].contains(token[10]), let end = time(token[11...]) else { return false }
        return end == token.endIndex || offset(token[end...])
    }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    static func date(_ b: ArraySlice<UInt8>) -> Bool {
        let s = b.startIndex
        guard b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"), let year = number(b[s..<(s + 4)]),
            let month = number(b[(s + 5)..<(s + 7)]), let day = number(b[(s + 8)..<(s + 10)]), (1...12).contains(month)
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day >= 1 && day <= days[month - 1]
    }

    /// `HH:MM:SS[.digits]`: the index after it, or nil.
    static func time(_ b: ArraySlice<UInt8>) -> Int? {
        let s = b.startIndex
        guard b.count >= 8, b[s + 2] == UInt8(ascii: ":"), b[s + 5] == UInt8(ascii: ":"),
            let hour = number(b[s..<(s + 2)]), let minute = number(b[(s + 3)..<(s + 5)]), let second = number(b[(s + 6)..<(s + 8)]),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var end = s + 8
        if end < b.endIndex, b[end] == UInt8(ascii: ".") {
            let digits = b[(end + 1)...].prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !digits.isEmpty else { return nil }
            end += 1 + digits.count
        }
        return end
    }

    static func offset(_ b: ArraySlice<UInt8>) -> Bool {
        if b.count == 1 { return b.first == UInt8(ascii: "Z") || b.first == UInt8(ascii: "z") }
        let s = b.startIndex
        guard b.count == 6, b[s] == UInt8(ascii: "+") || b[s] == UInt8(ascii: "-"), b[s + 3] == UInt8(ascii: ":"),
            let hour = number(b[(s + 1)..<(s + 3)]), let minute = number(b[(s + 4)..<(s + 6)])
        else { return false }
        return hour < 24 && minute < 60
    }
}
