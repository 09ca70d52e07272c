/// Reads a TOML 1.0 document: every form the specification allows (dotted and quoted keys, inline tables,
/// arrays of tables, the four string kinds, all numbers, dates and times), and its rules on defining a table
/// twice, as tomllib applies them. Anything else is a ``TOMLError`` with its line and column; no input traps.
public enum TOMLDocument {
    /// Deeper nesting of arrays and inline tables, or more key segments, is refused.
    public static let maximumDepth = 256

    public static func parse(_ bytes: [UInt8]) throws -> TOMLTable {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw TOMLError(line: 1, column: 1, problem: "the file is not UTF-8 text")
        }
        var parser = TOMLParser(bytes)
        return try parser.document()
    }
}

/// A table while the document is read: what defined it decides what may still add to it.
final class TableNode {
    enum Entry {
        case table(TableNode)
        case tables(TableArray)
        case value(TOMLValue)
    }

    var order: [String] = []
    var children: [String: Entry] = [:]
    /// Defined by a `[header]`: no second header, and no dotted key from elsewhere reaches into it.
    var byHeader = false
    /// Created by a dotted key: no header may define it afterwards.
    var byDottedKey = false

    init(byHeader: Bool = false, byDottedKey: Bool = false) {
        self.byHeader = byHeader
        self.byDottedKey = byDottedKey
    }

    func add(_ key: String, _ entry: Entry) {
        if children.updateValue(entry, forKey: key) == nil { order.append(key) }
    }

    var value: TOMLTable {
        var table = TOMLTable()
        for key in order {
            switch children[key]! {
            case .table(let node): table.set(key, .table(node.value))
            case .tables(let array): table.set(key, .array(array.tables.map { .table($0.value) }))
            case .value(let value): table.set(key, value)
            }
        }
        return table
    }
}

final class TableArray {
    var tables: [TableNode] = []
}

/// The parser: a cursor over the bytes with the tables read so far.
struct TOMLParser {
    let bytes: [UInt8]
    var index = 0
    let root = TableNode()
    var current: TableNode
    var depth = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        current = root
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
    func at(_ text: String) -> Bool { bytes[index...].starts(with: text.utf8) }

    func error(_ problem: String, at position: Int? = nil) -> TOMLError {
        let end = min(position ?? index, bytes.count)
        let line = bytes[..<end].count { $0 == 0x0A } + 1
        let start = bytes[..<end].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return TOMLError(line: line, column: end - start + 1, problem: problem)
    }

    mutating func document() throws -> TOMLTable {
        while true {
            skipBlanks()
            guard let c = peek else { break }
            if c == UInt8(ascii: "#") || c == 0x0A || c == 0x0D {
                try lineEnd()
            } else if c == UInt8(ascii: "[") {
                try header()
                try lineEnd()
            } else if Self.isBareKey(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                try keyValue(into: current)
                try lineEnd()
            } else if Self.isControl(c) {
                throw error("a control character (byte \(c)), which TOML allows only as an escape in a string")
            } else {
                throw error("expected a key, a [table] header or a comment")
            }
        }
        return root.value
    }

    /// Blanks, an optional comment, then a line break or the end of the text.
    mutating func lineEnd() throws {
        skipBlanks()
        if peek == UInt8(ascii: "#") { try comment() }
        guard let c = peek else { return }
        if c == 0x0A { index += 1; return }
        if c == 0x0D, peek(1) == 0x0A { index += 2; return }
        throw error("expected the end of the line after a value")
    }

    mutating func comment() throws {
        index += 1
        while let c = peek, c != 0x0A {
            if c == 0x0D, peek(1) == 0x0A { return }
            if Self.isControl(c) { throw error("a control character in a comment") }
            index += 1
        }
    }

    mutating func skipBlanks() {
        while let c = peek, c == 0x20 || c == 0x09 { index += 1 }
    }

    /// Blanks, comments and line breaks (inside arrays).
    mutating func skipBlankLines() throws {
        while true {
            skipBlanks()
            if peek == UInt8(ascii: "#") { try comment() }
            if peek == 0x0A { index += 1 } else if peek == 0x0D, peek(1) == 0x0A { index += 2 } else { return }
        }
    }

    static func isBareKey(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    /// Control characters TOML allows nowhere but as escapes (tab aside).
    static func isControl(_ c: UInt8) -> Bool { (c < 0x20 && c != 0x09) || c == 0x7F }
}
