/// Docker's .dockerignore semantics (moby/patternmatcher): each line trimmed, blank and `#` lines dropped, leading `/` stripped, path.Clean'ed; `*`, `?`, `[...]`, `**` (any number of dirs), `!` exceptions with last-match-wins, a pattern matching a directory excludes everything under it, exceptions can re-include files under an excluded dir.
///
/// Patterns compile the way moby/patternmatcher compiles them (exact, prefix `dir/**`, suffix `**/name` and
/// general glob), and ``isExcluded(_:)`` follows `MatchesOrParentMatches`: a path is excluded when it or one of
/// its parent directories matches, and later patterns override earlier ones.
/// One deliberate difference: wildcards inside `[...]` are literal characters (Go turns `[*]` into a broken
/// regular expression). Patterns Docker would reject (an unclosed `[`, a trailing `\`, a lone `!`) match
/// nothing and are listed in ``invalidPatterns``.
public struct IgnoreRules: Sendable {
    struct Pattern: Sendable {
        /// The cleaned pattern without its `!`.
        let text: String
        let isException: Bool
        let matcher: GlobMatcher
    }

    let patterns: [Pattern]

    /// Patterns that could not be compiled and therefore match nothing.
    public let invalidPatterns: [String]

    /// Compiles patterns (raw lines or the output of ``parse(_:)``; both are normalised the same way).
    public init(patterns: [String]) {
        var compiled: [Pattern] = []
        var invalid: [String] = []
        for raw in patterns {
            guard let normalised = Self.normalise(raw) else { continue }
            var text = Substring(normalised)
            let isException = text.first == "!"
            if isException { text = text.dropFirst() }
            guard !text.isEmpty, let matcher = GlobMatcher(pattern: String(text)) else {
                invalid.append(raw)
                continue
            }
            compiled.append(Pattern(text: String(text), isException: isException, matcher: matcher))
        }
        self.patterns = compiled
        self.invalidPatterns = invalid
    }

    /// Splits the contents of a .dockerignore file into normalised patterns, dropping blank and `#` lines.
    public static func parse(_ fileContents: String) -> [String] {
        var lines = fileContents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") {
            lines[0] = String(first.dropFirst())
        }
        return lines.compactMap(normalise)
    }

    /// Whether any pattern is an `!` exception.
    public var hasExceptions: Bool { patterns.contains { $0.isException } }

    /// Whether `relativePath` (with "/" separators and no leading "./") is excluded by the patterns.
    public func isExcluded(_ relativePath: String) -> Bool {
        let file = PathText.clean(relativePath)
        let parentDirectories: [Substring]
        if let slash = file.lastIndex(of: "/") {
            let parent = file[..<slash]
            parentDirectories = parent.split(separator: "/", omittingEmptySubsequences: false)
        } else {
            parentDirectories = []
        }
        var matched = false
        for pattern in patterns {
            // An exclusion only matters while unmatched and an exception only while matched.
            if pattern.isException != matched { continue }
            var match = pattern.matcher.matches(file)
            if !match && !parentDirectories.isEmpty {
                var parent = ""
                for (index, component) in parentDirectories.enumerated() {
                    parent += index == 0 ? String(component) : "/" + component
                    if pattern.matcher.matches(parent) {
                        match = true
                        break
                    }
                }
            }
            if match { matched = !pattern.isException }
        }
        return matched
    }

    /// Whether some exception pattern could re-include a path strictly below the directory `relativePath`.
    ///
    /// Conservative: a pattern component with a wildcard is assumed to match, so an excluded directory is walked
    /// whenever an exception might apply inside it; each file found there is still decided by ``isExcluded(_:)``.
    func exceptionCouldMatchBelow(_ relativePath: String) -> Bool {
        let directory = PathText.clean(relativePath).split(separator: "/")
        return patterns.contains { pattern in
            guard pattern.isException else { return false }
            let components = pattern.text.split(separator: "/", omittingEmptySubsequences: false)
            for (index, name) in directory.enumerated() {
                guard index < components.count else { return false }
                let component = components[index]
                if component.contains(where: { "*?[\\".contains($0) }) { return true }
                if component != name { return false }
            }
            return components.count > directory.count
        }
    }

    /// Applies Docker's per-line normalisation; nil for blank and comment lines.
    static func normalise(_ line: String) -> String? {
        var pattern = Substring(line).trimmingWhitespace()
        if pattern.isEmpty || pattern.hasPrefix("#") { return nil }
        let isException = pattern.first == "!"
        if isException { pattern = pattern.dropFirst().trimmingWhitespace() }
        var cleaned = ""
        if !pattern.isEmpty {
            cleaned = PathText.clean(String(pattern))
            if cleaned.count > 1 && cleaned.hasPrefix("/") { cleaned.removeFirst() }
        }
        return isException ? "!" + cleaned : cleaned
    }
}

extension Substring {
    /// Trims the characters Go's `strings.TrimSpace` trims.
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return result
    }
}

/// Slash-separated path helpers with Go's `path.Clean` semantics.
enum PathText {
    /// Lexically cleans a path: collapses "//", drops ".", resolves "..", removes a trailing "/"; "" becomes ".".
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(component)
                }
                continue
            }
            parts.append(component)
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
