import Foundation

/// One member of a large JSON object, found without building the whole document: lock files (`Pipfile.lock`)
/// may be tens of megabytes, and detection needs one small member of them (`_meta`). The scan only tracks
/// strings and nesting; the member itself is then parsed by `JSONSerialization`.
enum JSONTopLevel {
    /// The bytes of the value of `key` in the top-level object, or nil (not an object, no such key, malformed).
    static func member(_ key: String, in bytes: [UInt8]) -> ArraySlice<UInt8>? {
        var index = skipWhitespace(bytes, 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        while true {
            index = skipWhitespace(bytes, index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            guard let keyEnd = stringEnd(bytes, index) else { return nil }
            let name = try? JSONSerialization.jsonObject(with: Data(bytes[index..<keyEnd]), options: [.fragmentsAllowed]) as? String
            index = skipWhitespace(bytes, keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let start = skipWhitespace(bytes, index + 1)
            guard let end = valueEnd(bytes, start) else { return nil }
            if name == key { return bytes[start..<end] }
            index = skipWhitespace(bytes, end)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    static func skipWhitespace(_ bytes: [UInt8], _ start: Int) -> Int {
        var index = start
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index
    }

    /// The index after the closing quote of the string starting at `start`.
    static func stringEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index after the value starting at `start` (an object, array, string or scalar).
    static func valueEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        var index = start, depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(bytes, index) else { return nil }
                index = end
                if depth == 0 { return index }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return index > start ? index : nil }
                depth -= 1
                if depth == 0 { return index + 1 }
            case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D:
                if depth == 0 { return index > start ? index : nil }
            default: break
            }
            index += 1
        }
        return depth == 0 && index > start ? index : nil
    }
}
