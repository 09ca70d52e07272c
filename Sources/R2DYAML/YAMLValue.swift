/// A position in a YAML text, 1-based as editors show it.
public struct YAMLMark: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// The type a scalar that is not a string resolved to. Strings are kept apart (``YAMLValue/Kind/string``)
/// because they are what environment files are made of; the rest only need telling from strings.
public enum YAMLScalarType: Sendable, Hashable {
    case null, bool, int, float, timestamp
    /// `<<`, the merge key, when it is not used as one.
    case merge
    /// `=`, YAML 1.1's value key.
    case value
    /// A scalar with a tag outside the core schema (`!custom x`), which stays tagged, not a string.
    case tagged(String)
}

/// A YAML document as ruamel.yaml's round-trip loader constructs it (YAML 1.2 core schema unless the document
/// says `%YAML 1.1`): aliases resolved, merge keys applied, plain scalars typed.
public struct YAMLValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string(String)
        /// A non-string scalar: its type and its text as written.
        case scalar(YAMLScalarType, String)
        case sequence([YAMLValue])
        case mapping([YAMLEntry])
    }

    public var kind: Kind
    /// Where the node starts; an alias carries the mark of its anchor's node.
    public var mark: YAMLMark

    public init(_ kind: Kind, at mark: YAMLMark) {
        self.kind = kind
        self.mark = mark
    }

    public var string: String? {
        if case .string(let s) = kind { return s }
        return nil
    }

    public var sequence: [YAMLValue]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var mapping: [YAMLEntry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    public var isNull: Bool {
        if case .scalar(.null, _) = kind { return true }
        return false
    }

    /// The value of the entry whose key is the string `key`, in a mapping.
    public subscript(key: String) -> YAMLValue? {
        mapping?.first { $0.key.string == key }?.value
    }

    /// What the value is, for messages ("a list", "a string").
    public var typeDescription: String {
        switch kind {
        case .string: return "a string"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let type, _):
            switch type {
            case .null: return "nothing (null)"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .timestamp: return "a date"
            case .merge, .value: return "a special key"
            case .tagged(let tag): return "a value tagged \(tag)"
            }
        }
    }
}

/// One `key: value` pair of a mapping, in document order.
public struct YAMLEntry: Sendable, Equatable {
    public var key: YAMLValue
    public var value: YAMLValue

    public init(key: YAMLValue, value: YAMLValue) {
        self.key = key
        self.value = value
    }
}

/// A document that libyaml could not parse, or that ruamel.yaml would refuse to construct (a duplicate key,
/// an undefined alias, a second document).
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: String
    public var mark: YAMLMark
    /// What the parser was in the middle of, with where that started ("while parsing a block mapping").
    public var context: (String, YAMLMark)? {
        contextText.map { ($0, contextMark ?? mark) }
    }
    var contextText: String?
    var contextMark: YAMLMark?

    public init(_ problem: String, at mark: YAMLMark, context: String? = nil, contextMark: YAMLMark? = nil) {
        self.problem = problem
        self.mark = mark
        self.contextText = context
        self.contextMark = contextMark
    }

    /// `line:column: problem (context at line:column)`, on one line.
    public var description: String {
        guard let (text, at) = context else { return "\(mark): \(problem)" }
        return "\(mark): \(problem) (\(text) at \(at))"
    }
}
