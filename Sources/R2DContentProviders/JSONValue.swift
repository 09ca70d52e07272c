import Foundation

/// A parsed JSON document with repo2docker's `deep_get` access: dotted paths where digits index arrays.
public enum JSONValue: Sendable, Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        return JSONValue(object)
    }

    init(_ object: Any) {
        switch object {
        case let bool as Bool where !(object is NSNumber): self = .bool(bool)
        case let dictionary as [String: Any]: self = .object(dictionary.mapValues(JSONValue.init))
        case let array as [Any]: self = .array(array.map(JSONValue.init))
        case let string as String: self = .string(string)
        case let number as NSNumber:
            // JSONSerialization gives booleans as NSNumber too; their Objective-C type code is "c".
            if number.objCType.pointee == CChar(UInt8(ascii: "c")) {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        default: self = .null
        }
    }

    /// The value at a dotted path such as `links.files` or `electronic_name.0`.
    public subscript(path path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") {
            switch current {
            case .object(let dictionary): current = dictionary[String(key)]
            case .array(let array):
                guard let index = Int(key), array.indices.contains(index) else { return nil }
                current = array[index]
            default: return nil
            }
        }
        return current
    }

    public subscript(key: String) -> JSONValue? { self[path: key] }

    /// The value as text: strings as they are, numbers without a fractional part as integers.
    public var text: String? {
        switch self {
        case .string(let string): return string
        case .number(let number):
            return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: return nil
        }
    }

    /// A whole, non-negative number (a file size), from a number or its decimal text.
    public var integer: Int64? {
        switch self {
        case .number(let number): return number >= 0 && number < 9e18 && number == number.rounded() ? Int64(number) : nil
        case .string(let string): return Int64(string).flatMap { $0 >= 0 ? $0 : nil }
        default: return nil
        }
    }

    public var array: [JSONValue] {
        if case .array(let array) = self { return array }
        return []
    }

    public var bool: Bool {
        if case .bool(let value) = self { return value }
        return false
    }
}
