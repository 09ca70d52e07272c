import CLibYAML

/// Reads one YAML document with libyaml's event parser and constructs it as ruamel.yaml's default `YAML()`
/// loader does (see ``YAMLValue``). Every form the YAML syntax allows is read: flow and block collections over
/// any number of lines, anchors and aliases, quoted, literal and folded scalars, tags, a byte-order mark and any
/// indentation of the root.
public enum YAMLDocument {
    /// Deeper nesting is refused, so that a hostile file cannot exhaust memory or the stack of a later walk.
    public static let maximumDepth = 256

    /// The document in `bytes`, or nil when there is none (an empty file, only comments). Throws ``YAMLError``.
    public static func parse(_ bytes: [UInt8]) throws -> YAMLValue? {
        guard !bytes.isEmpty else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw YAMLError("out of memory", at: YAMLMark(line: 1, column: 1)) }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = YAMLComposer()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser) }
                defer { yaml_event_delete(&event) }
                if let done = try composer.consume(event) { return done.value }
            }
        }
    }

    static func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        return YAMLError(
            problem, at: YAMLMark(parser.problem_mark), context: context,
            contextMark: context == nil ? nil : YAMLMark(parser.context_mark))
    }
}

extension YAMLMark {
    init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

/// Builds values from parser events with an explicit stack (no recursion, so no depth can overflow it).
struct YAMLComposer {
    /// The result of the stream: set once its end is reached.
    struct Done { var value: YAMLValue? }

    private enum Frame {
        case sequence([YAMLValue], YAMLMark, anchor: String?)
        case mapping(MappingBuilder, anchor: String?)
    }

    private var stack: [Frame] = []
    private var anchors: [String: YAMLValue] = [:]
    private var documents = 0
    private var yaml11 = false
    private var root: YAMLValue?

    mutating func consume(_ event: yaml_event_t) throws -> Done? {
        let mark = YAMLMark(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return Done(value: root)
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            guard documents == 1 else {
                throw YAMLError("expected a single document in the stream, but found another document", at: mark)
            }
            if let version = event.data.document_start.version_directive {
                yaml11 = version.pointee.major == 1 && version.pointee.minor == 1
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let kind = resolve(text, tag: Self.string(scalar.tag), plain: scalar.plain_implicit == 1)
            try finish(YAMLValue(kind, at: mark), anchor: Self.string(scalar.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let value = anchors[name] else { throw YAMLError("found undefined alias \"\(name)\"", at: mark) }
            try attach(value)
        case YAML_SEQUENCE_START_EVENT:
            try push(.sequence([], mark, anchor: Self.string(event.data.sequence_start.anchor)), at: mark)
        case YAML_MAPPING_START_EVENT:
            try push(.mapping(MappingBuilder(mark: mark), anchor: Self.string(event.data.mapping_start.anchor)), at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            try pop()
        default:
            break
        }
        return nil
    }

    private mutating func push(_ frame: Frame, at mark: YAMLMark) throws {
        guard stack.count < YAMLDocument.maximumDepth else {
            throw YAMLError("nesting deeper than \(YAMLDocument.maximumDepth) levels", at: mark)
        }
        stack.append(frame)
    }

    private mutating func pop() throws {
        switch stack.removeLast() {
        case .sequence(let items, let mark, let anchor):
            try finish(YAMLValue(.sequence(items), at: mark), anchor: anchor)
        case .mapping(let builder, let anchor):
            try finish(YAMLValue(.mapping(builder.entries()), at: builder.mark), anchor: anchor)
        }
    }

    private mutating func finish(_ value: YAMLValue, anchor: String?) throws {
        if let anchor { anchors[anchor] = value }
        try attach(value)
    }

    private mutating func attach(_ value: YAMLValue) throws {
        guard let top = stack.popLast() else {
            root = value
            return
        }
        switch top {
        case .sequence(var items, let mark, let anchor):
            items.append(value)
            stack.append(.sequence(items, mark, anchor: anchor))
        case .mapping(var builder, let anchor):
            try builder.add(value)
            stack.append(.mapping(builder, anchor: anchor))
        }
    }

    /// A quoted or block scalar is a string; a plain one takes its implicit type, also under the non-specific
    /// tag `!`. An explicit tag decides the type, and ruamel's round-trip loader keeps an explicit `!!str` (like
    /// any tag outside the core schema) as a tagged scalar, which is not a string to repo2docker.
    private func resolve(_ text: String, tag: String?, plain: Bool) -> YAMLValue.Kind {
        let core = "tag:yaml.org,2002:"
        if let tag, tag != "!" {
            guard tag.hasPrefix(core) else { return .scalar(.tagged(tag), text) }
            switch tag.dropFirst(core.count) {
            case "null": return .scalar(.null, text)
            case "bool": return .scalar(.bool, text)
            case "int": return .scalar(.int, text)
            case "float": return .scalar(.float, text)
            case "timestamp": return .scalar(.timestamp, text)
            default: return .scalar(.tagged(tag), text)
            }
        }
        guard plain || tag == "!", let type = YAMLScalarResolver.implicitType(of: text, yaml11: yaml11) else { return .string(text) }
        return .scalar(type, text)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}

/// A mapping under construction: its explicit entries, with ruamel's duplicate-key check, and what `<<` merges in.
struct MappingBuilder {
    let mark: YAMLMark
    private var explicit: [YAMLEntry] = []
    private var seen: Set<KeyIdentity> = []
    private var merged: [YAMLEntry] = []
    private var pendingKey: YAMLValue?

    init(mark: YAMLMark) { self.mark = mark }

    mutating func add(_ value: YAMLValue) throws {
        guard let key = pendingKey else {
            pendingKey = value
            return
        }
        pendingKey = nil
        if case .scalar(.merge, _) = key.kind {
            merged += try Self.mergeEntries(value, key: key)
            return
        }
        if let identity = KeyIdentity(key) {
            guard seen.insert(identity).inserted else {
                throw YAMLError(
                    "found duplicate key \(identity)", at: key.mark,
                    context: "while constructing a mapping", contextMark: mark)
            }
        }
        explicit.append(YAMLEntry(key: key, value: value))
    }

    /// Explicit keys win over merged ones; of merged mappings, the first that has a key wins.
    func entries() -> [YAMLEntry] {
        var result = explicit
        var keys = seen
        for entry in merged {
            guard let identity = KeyIdentity(entry.key) else {
                result.append(entry)
                continue
            }
            if keys.insert(identity).inserted { result.append(entry) }
        }
        return result
    }

    private static func mergeEntries(_ value: YAMLValue, key: YAMLValue) throws -> [YAMLEntry] {
        switch value.kind {
        case .mapping(let entries):
            return entries
        case .sequence(let items):
            return try items.flatMap { item -> [YAMLEntry] in
                guard let entries = item.mapping else {
                    throw YAMLError(
                        "expected a mapping for merging, but found \(item.typeDescription)", at: item.mark,
                        context: "while constructing a mapping", contextMark: key.mark)
                }
                return entries
            }
        default:
            throw YAMLError(
                "expected a mapping or list of mappings for merging, but found \(value.typeDescription)",
                at: value.mark, context: "while constructing a mapping", contextMark: key.mark)
        }
    }
}

/// What makes two keys the same key, as Python compares the constructed keys: strings by their text, and
/// numbers by value, so that `1`, `1.0` and `true` are one key (a NaN is never equal, so never a duplicate).
enum KeyIdentity: Hashable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case scalar(YAMLScalarType, String)

    init?(_ key: YAMLValue) {
        switch key.kind {
        case .string(let s): self = .string(s)
        case .scalar(.bool, let text):
            self = .number(["true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].contains(text) ? 1 : 0)
        case .scalar(let type, let text) where type == .int || type == .float:
            guard let value = Self.numericValue(text, isInt: type == .int) else { self = .scalar(type, text); return }
            if value.isNaN { return nil }
            self = .number(value)
        case .scalar(let type, let text): self = .scalar(type, text)
        default: return nil
        }
    }

    /// The value of an int or float scalar as YAML writes them (`0x1F`, `0o17`, `1_000`, `.inf`); nil for forms
    /// this does not read (base 60), which are then compared by their text.
    static func numericValue(_ text: String, isInt: Bool) -> Double? {
        var body = text.replacingUnderscores()
        var sign = 1.0
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            body.removeFirst()
        }
        let lower = body.lowercased()
        if [".inf"].contains(lower) { return sign * .infinity }
        if lower == ".nan" { return .nan }
        if isInt {
            for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
                return Int(lower.dropFirst(2), radix: radix).map { sign * Double($0) }
            }
            return Int(lower, radix: 10).map { sign * Double($0) }
        }
        let normal = (lower.hasSuffix(".") ? lower + "0" : lower).replacingLeadingDot()
        return Double(normal).map { sign * $0 }
    }

    var description: String {
        switch self {
        case .string(let s), .scalar(_, let s): return "\"" + s + "\""
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        }
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
    func replacingLeadingDot() -> String { hasPrefix(".") ? "0" + self : self }
}
