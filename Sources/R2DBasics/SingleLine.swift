extension String {
    /// The text with line breaks and other control characters escaped (`\n`, `\u{2028}`), so that a value read
    /// from a repository file cannot split an error message over several lines.
    public var singleLine: String {
        func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
        guard unicodeScalars.contains(where: needsEscape) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The text in double quotes, on one line (see ``singleLine``).
    public var quotedSingleLine: String { "\"" + singleLine + "\"" }
}

extension String {
    /// A value shown in a message: at most 80 characters, on one line, in double quotes.
    public var shortQuoted: String { "\"" + shortSingleLine + "\"" }

    /// At most 80 characters (then "…"), on one line: repository content echoed in a message stays short.
    public var shortSingleLine: String { (count > 80 ? String(prefix(80)) + "…" : self).singleLine }
}
