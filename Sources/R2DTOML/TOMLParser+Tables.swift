/// Keys, `[table]` and `[[array]]` headers, and `key = value` lines, with TOML's rules on what may be defined
/// where (as tomllib enforces them).
extension TOMLParser {
    /// `simple-key ( . simple-key )*`, blanks allowed around the dots.
    mutating func key() throws -> [String] {
        var segments: [String] = []
        while true {
            skipBlanks()
            segments.append(try simpleKey())
            guard segments.count <= TOMLDocument.maximumDepth else {
                throw error("a key with more than \(TOMLDocument.maximumDepth) parts")
            }
            skipBlanks()
            guard peek == UInt8(ascii: ".") else { return segments }
            index += 1
        }
    }

    mutating func simpleKey() throws -> String {
        if at("\"\"\"") || at("'''") { throw error("a multi-line string cannot be a key") }
        if peek == UInt8(ascii: "\"") { return try basicString() }
        if peek == UInt8(ascii: "'") { return try literalString() }
        let start = index
        while let c = peek, Self.isBareKey(c) { index += 1 }
        guard index > start else { throw error("expected a key (letters, digits, _ and -, or a quoted string)") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// `[a.b]` or `[[a.b]]`; makes the named table the current one.
    mutating func header() throws {
        let start = index
        let isArray = peek(1) == UInt8(ascii: "[")
        index += isArray ? 2 : 1
        let keys = try key()
        skipBlanks()
        guard peek == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") else {
            throw error(isArray ? "expected ]] to close the [[array]] header" : "expected ] to close the [table] header")
        }
        index += isArray ? 2 : 1
        var table = root
        for segment in keys.dropLast() {
            switch table.children[segment] {
            case .table(let node): table = node
            case .tables(let array): table = array.tables[array.tables.count - 1]
            case .value(let value) where value.table != nil:
                throw error("cannot add to the inline table \(quoted(segment)), which is complete where it is written", at: start)
            case .value:
                throw error("cannot define a table under \(quoted(segment)), which holds a value", at: start)
            case nil:
                let node = TableNode()
                table.add(segment, .table(node))
                table = node
            }
        }
        current = try isArray ? appendTable(keys.last!, to: table, at: start) : defineTable(keys.last!, in: table, at: start)
    }

    func defineTable(_ key: String, in parent: TableNode, at start: Int) throws -> TableNode {
        switch parent.children[key] {
        case nil:
            let node = TableNode(byHeader: true)
            parent.add(key, .table(node))
            return node
        case .table(let node) where !node.byHeader && !node.byDottedKey:
            node.byHeader = true
            return node
        case .table:
            throw error("the table \(quoted(key)) is defined twice", at: start)
        default:
            throw error("cannot define the table \(quoted(key)): the key already holds a value", at: start)
        }
    }

    func appendTable(_ key: String, to parent: TableNode, at start: Int) throws -> TableNode {
        let node = TableNode(byHeader: true)
        switch parent.children[key] {
        case nil:
            let array = TableArray()
            array.tables = [node]
            parent.add(key, .tables(array))
        case .tables(let array):
            array.tables.append(node)
        default:
            throw error("cannot append to \(quoted(key)) with [[...]]: it is not an array of tables", at: start)
        }
        return node
    }

    /// `key = value`, the key's dotted parts creating tables inside `table`.
    mutating func keyValue(into table: TableNode) throws {
        let start = index
        let keys = try key()
        skipBlanks()
        guard peek == UInt8(ascii: "=") else { throw error("expected = after the key") }
        index += 1
        skipBlanks()
        let value = try self.value()
        var target = table
        for segment in keys.dropLast() {
            switch target.children[segment] {
            case .table(let node) where !node.byHeader:
                target = node
            case nil:
                let node = TableNode(byDottedKey: true)
                target.add(segment, .table(node))
                target = node
            default:
                throw error("cannot add \(keys.joined(separator: ".")) here: \(quoted(segment)) is already defined", at: start)
            }
        }
        let last = keys[keys.count - 1]
        guard target.children[last] == nil else {
            throw error("the key \(quoted(keys.joined(separator: "."))) is defined twice", at: start)
        }
        target.add(last, .value(value))
    }

    func quoted(_ key: String) -> String { "\"" + key + "\"" }
}
