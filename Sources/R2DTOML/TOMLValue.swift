/// A TOML 1.0 value as the reader builds it.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// An offset or local date-time, a local date or a local time, as written.
    case datetime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var table: TOMLTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    public var array: [TOMLValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// What the value is, for messages ("a string", "an array").
    public var typeDescription: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number"
        case .bool: return "a boolean"
        case .datetime: return "a date or time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// The kind `toml` 0.10 compares when it requires an array's values to be of one type: nested arrays are
    /// one kind, tables another, and dates and times one.
    public var kind: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "bool"
        case .datetime: return "datetime"
        case .array: return "array"
        case .table: return "table"
        }
    }
}

/// A table: its keys in document order and their values.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]

    public init() {}

    public subscript(key: String) -> TOMLValue? { values[key] }

    public func contains(_ key: String) -> Bool { values[key] != nil }

    mutating func set(_ key: String, _ value: TOMLValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }
}

/// Why a text is not TOML, with the 1-based line and column where reading stopped.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var problem: String

    public var description: String { "\(line):\(column): \(problem)" }
}
