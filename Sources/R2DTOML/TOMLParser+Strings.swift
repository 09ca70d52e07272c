/// The four string kinds: basic `"…"` (escapes), literal `'…'`, and their multi-line `"""` / `'''` forms.
extension TOMLParser {
    mutating func basicString() throws -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("a string that is never closed") }
            if c == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") { out += try escape(); continue }
            if Self.isControl(c) {
                throw error(c == 0x0A || c == 0x0D ? "a string that is never closed on its line" : "a control character in a string")
            }
            out.append(c)
            index += 1
        }
    }

    mutating func literalString() throws -> String {
        index += 1
        let start = index
        while true {
            guard let c = peek else { throw error("a string that is never closed") }
            if c == UInt8(ascii: "'") { index += 1; return String(decoding: bytes[start..<(index - 1)], as: UTF8.self) }
            if Self.isControl(c) {
                throw error(c == 0x0A || c == 0x0D ? "a string that is never closed on its line" : "a control character in a string")
            }
            index += 1
        }
    }

    mutating func multiLineBasicString() throws -> String {
        index += 3
        skipFirstLineBreak()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("a multi-line string that is never closed") }
            if at("\"\"\"") { return try closeMultiLine(quote: UInt8(ascii: "\""), into: &out) }
            if c == UInt8(ascii: "\\") {
                if try lineEndingBackslash() { continue }
                out += try escape()
                continue
            }
            try appendMultiLineByte(c, into: &out)
        }
    }

    mutating func multiLineLiteralString() throws -> String {
        index += 3
        skipFirstLineBreak()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("a multi-line string that is never closed") }
            if at("'''") { return try closeMultiLine(quote: UInt8(ascii: "'"), into: &out) }
            try appendMultiLineByte(c, into: &out)
        }
    }

    mutating func skipFirstLineBreak() {
        if peek == 0x0A { index += 1 } else if peek == 0x0D, peek(1) == 0x0A { index += 2 }
    }

    mutating func appendMultiLineByte(_ c: UInt8, into out: inout [UInt8]) throws {
        if c == 0x0D, peek(1) == 0x0A {
            out += [0x0D, 0x0A]
            index += 2
            return
        }
        if c != 0x0A && Self.isControl(c) { throw error("a control character in a string") }
        out.append(c)
        index += 1
    }

    /// At the closing quotes: up to two more quotes belong to the content, then the string ends.
    mutating func closeMultiLine(quote: UInt8, into out: inout [UInt8]) throws -> String {
        var run = 0
        while peek(run) == quote { run += 1 }
        guard run <= 5 else { throw error("more than five quotes in a row in a multi-line string") }
        out += Array(repeating: quote, count: run - 3)
        index += run
        return String(decoding: out, as: UTF8.self)
    }

    /// A backslash ending a line (blanks after it allowed): it and all blanks and line breaks after it go.
    mutating func lineEndingBackslash() throws -> Bool {
        var probe = index + 1
        while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
        guard probe < bytes.count, bytes[probe] == 0x0A || (bytes[probe] == 0x0D && probe + 1 < bytes.count && bytes[probe + 1] == 0x0A)
        else {
            return false
        }
        index = probe
        while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || (c == 0x0D && peek(1) == 0x0A) { index += 1 }
        return true
    }

    mutating func escape() throws -> [UInt8] {
        let start = index
        index += 1
        guard let c = peek else { throw error("a string that is never closed") }
        index += 1
        let simple: [UInt8: UInt8] = [0x62: 0x08, 0x74: 0x09, 0x6E: 0x0A, 0x66: 0x0C, 0x72: 0x0D, 0x22: 0x22, 0x5C: 0x5C]
        if let byte = simple[c] { return [byte] }
        guard c == UInt8(ascii: "u") || c == UInt8(ascii: "U") else { throw error("an unknown escape in a string", at: start) }
        let count = c == UInt8(ascii: "u") ? 4 : 8
        guard index + count <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
            bytes[index..<(index + count)].allSatisfy({ Self.isHexDigit($0) }), let scalar = Unicode.Scalar(code)
        else {
            throw error("an escape that is not a Unicode scalar value", at: start)
        }
        index += count
        return Array(String(Character(scalar)).utf8)
    }

    static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
}
