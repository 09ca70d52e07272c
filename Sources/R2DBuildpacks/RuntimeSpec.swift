import Foundation

/// A parsed runtime.txt: `name-version`, `name-YYYY-MM-DD` or `name-version-YYYY-MM-DD`.
public struct RuntimeSpec: Sendable, Equatable {
    public var name: String
    public var version: String?
    public var date: String?

    public init(name: String, version: String?, date: String?) {
        self.name = name
        self.version = version
        self.date = date
    }

    /// Parses runtime.txt text (surrounding whitespace is ignored). `file` is only used in error messages.
    public static func parse(_ text: String, file: String = "runtime.txt") throws -> RuntimeSpec {
        let content = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = content.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard [2, 4, 5].contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw BuildpackError.invalidRuntime(
                file: file, content: content, reason: "expected name-version, name-YYYY-MM-DD or name-version-YYYY-MM-DD")
        }
        switch parts.count {
        case 2:
            return RuntimeSpec(name: parts[0], version: parts[1], date: nil)
        case 4:
            return RuntimeSpec(name: parts[0], version: nil, date: try validDate(parts[1...3], file: file, content: content))
        default:
            return RuntimeSpec(name: parts[0], version: parts[1], date: try validDate(parts[2...4], file: file, content: content))
        }
    }

    private static func validDate(_ parts: ArraySlice<String>, file: String, content: String) throws -> String {
        let date = parts.joined(separator: "-")
        let digits = parts.map { $0.allSatisfy(\.isASCIIDigit) }
        let lengths = parts.map(\.count)
        guard digits.allSatisfy({ $0 }), lengths == [4, 2, 2],
            let year = Int(parts[parts.startIndex]), let month = Int(parts[parts.startIndex + 1]),
            let day = Int(parts[parts.startIndex + 2]), isValidDay(year: year, month: month, day: day)
        else {
            throw BuildpackError.invalidRuntime(file: file, content: content, reason: "invalid date \(date)")
        }
        return date
    }

    private static func isValidDay(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1, year >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
