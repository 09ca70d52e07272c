/// Values: strings, booleans, numbers, dates and times, arrays and inline tables.
extension TOMLParser {
    mutating func value() throws -> TOMLValue {
        guard let c = peek else { throw error("expected a value") }
        switch c {
        case UInt8(ascii: "\""): return .string(at("\"\"\"") ? try multiLineBasicString() : try basicString())
        case UInt8(ascii: "'"): return .string(at("'''") ? try multiLineLiteralString() : try literalString())
        case UInt8(ascii: "["): return try nested { try $0.array() }
        case UInt8(ascii: "{"): return try nested { try $0.inlineTable() }
        default: return try scalar()
        }
    }

    mutating func nested(_ read: (inout TOMLParser) throws -> TOMLValue) throws -> TOMLValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= TOMLDocument.maximumDepth else {
            throw error("arrays or inline tables nested deeper than \(TOMLDocument.maximumDepth) levels")
        }
        return try read(&self)
    }

    mutating func array() throws -> TOMLValue {
        index += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlankLines()
            if peek == UInt8(ascii: "]") { index += 1; return .array(items) }
            items.append(try value())
            try skipBlankLines()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            guard peek == UInt8(ascii: "]") else { throw error("expected , or ] in the array") }
        }
    }

    /// `{ k = v, … }` on one line, without a trailing comma; complete once closed.
    mutating func inlineTable() throws -> TOMLValue {
        index += 1
        let table = TableNode()
        skipBlanks()
        if peek == UInt8(ascii: "}") { index += 1; return .table(table.value) }
        while true {
            skipBlanks()
            guard let c = peek, Self.isBareKey(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") else {
                throw error(
                    peek == UInt8(ascii: "}") ? "a trailing comma is not allowed in an inline table" : "expected a key in the inline table")
            }
            try keyValue(into: table)
            skipBlanks()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            guard peek == UInt8(ascii: "}") else { throw error("expected , or } in the inline table (which must fit on one line)") }
            index += 1
            return .table(table.value)
        }
    }

    /// Booleans, numbers, dates and times: one token, then classified.
    mutating func scalar() throws -> TOMLValue {
        let start = index
        while let c = peek, Self.isBareKey(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") { index += 1 }
        // A date and a time may be separated by one space.
        if index - start == 10, peek == 0x20, let d = peek(1), Self.isDigit(d), peek(2).map(Self.isDigit) == true,
            peek(3) == UInt8(ascii: ":")
        {
            index += 1
            while let c = peek, Self.isBareKey(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") {
                index += 1
            }
        }
        let token = Array(bytes[start..<index])
        let text = String(decoding: token, as: UTF8.self)
        guard !token.isEmpty else { throw error("expected a value") }
        if text == "true" || text == "false" { return .bool(text == "true") }
        if ["inf", "+inf", "-inf", "nan", "+nan", "-nan"].contains(text) {
            return .float(text.hasSuffix("nan") ? .nan : (text.hasPrefix("-") ? -.infinity : .infinity))
        }
        if token.contains(UInt8(ascii: ":")) || (token.count >= 10 && token[4] == UInt8(ascii: "-") && token[7] == UInt8(ascii: "-")) {
            guard TOMLDateTime.isValid(token) else { throw error("\(text) is not a valid date or time", at: start) }
            return .datetime(text)
        }
        if let number = TOMLNumber.parse(token) { return number }
        throw error("\(text) is not a valid value (strings need quotes)", at: start)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
