/// One compiled .dockerignore pattern, mirroring moby/patternmatcher's four match kinds.
struct GlobMatcher: Sendable {
    enum Kind: Sendable {
        /// The whole path equals the pattern.
        case exact(String)
        /// `dir/**`: the path starts with `dir/`.
        case prefix(String)
        /// `**/name` or `**name`: the path ends with the rest (or equals it without the leading "/").
        case suffix(String)
        /// Anything else: a small glob program matched against the whole path.
        case glob([Token])
    }

    enum Token: Sendable, Equatable {
        case literal(Unicode.Scalar)
        /// `?`: one character other than "/".
        case oneExceptSlash
        /// `*`: any run of characters other than "/".
        case runExceptSlash
        /// `**/` in the middle of a pattern: nothing, or anything ending in "/".
        case optionalDirectories
        /// A trailing `**` after wildcards: anything at all.
        case anything
        case characterClass(CharacterClass)
    }

    struct CharacterClass: Sendable, Equatable {
        var negated: Bool
        var ranges: [ClosedRange<UInt32>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            ranges.contains { $0.contains(scalar.value) } != negated
        }
    }

    let kind: Kind

    /// Compiles a cleaned pattern (no leading `!`); nil when Docker would reject it.
    init?(pattern: String) {
        let scalars = Array(pattern.unicodeScalars)
        var detected = Detected.exact
        var tokens: [Token] = []
        var index = 0
        var step = 0
        while index < scalars.count {
            defer { step += 1 }
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*":
                if index < scalars.count && scalars[index] == "*" {
                    index += 1
                    // "**/" behaves like "**".
                    if index < scalars.count && scalars[index] == "/" { index += 1 }
                    detected = Self.doubleStar(atEnd: index == scalars.count, first: step == 0, after: detected, tokens: &tokens)
                } else {
                    tokens.append(.runExceptSlash)
                    detected = .glob
                }
            case "?":
                tokens.append(.oneExceptSlash)
                detected = .glob
            case "\\":
                // A trailing backslash is a syntax error for Go's filepath.Match.
                guard index < scalars.count else { return nil }
                tokens.append(.literal(scalars[index]))
                index += 1
                detected = .glob
            case "[":
                guard let (characterClass, next) = Self.parseClass(scalars, from: index) else { return nil }
                tokens.append(.characterClass(characterClass))
                index = next
                detected = .glob
            case "]":
                tokens.append(.literal(scalar))
                detected = .glob
            default:
                tokens.append(.literal(scalar))
            }
        }
        switch detected {
        case .exact: kind = .exact(pattern)
        case .prefix: kind = .prefix(String(pattern.unicodeScalars.dropLast(2)))
        case .suffix: kind = .suffix(String(pattern.unicodeScalars.dropFirst(2)))
        case .glob: kind = .glob(tokens)
        }
    }

    /// What the pattern is, as far as it has been read: a plain name, `name/**`, `**/name`, or a real glob.
    private enum Detected { case exact, prefix, suffix, glob }

    /// After `**` (and its optional `/`): at the end it matches anything (a prefix pattern when nothing before
    /// it was special), elsewhere any run of directories; at the start the pattern is a suffix pattern.
    private static func doubleStar(atEnd: Bool, first: Bool, after detected: Detected, tokens: inout [Token]) -> Detected {
        var result = Detected.glob
        if atEnd && detected == .exact {
            result = .prefix
        } else {
            tokens.append(atEnd ? .anything : .optionalDirectories)
        }
        return first ? .suffix : result
    }

    /// Whether the whole of `path` matches.
    func matches(_ path: String) -> Bool {
        switch kind {
        case .exact(let text):
            return path == text
        case .prefix(let text):
            return path.hasPrefix(text)
        case .suffix(let text):
            if path.hasSuffix(text) { return true }
            // "**/foo" also matches "foo" itself.
            return text.hasPrefix("/") && path == text.dropFirst()
        case .glob(let tokens):
            return Self.match(tokens, Array(path.unicodeScalars))
        }
    }

    /// Parses the inside of `[...]` starting after the `[`; returns the class and the index after `]`.
    private static func parseClass(_ scalars: [Unicode.Scalar], from start: Int) -> (CharacterClass, Int)? {
        var index = start
        var negated = false
        if index < scalars.count && scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        func nextScalar() -> Unicode.Scalar? {
            guard index < scalars.count else { return nil }
            var scalar = scalars[index]
            index += 1
            if scalar == "\\" {
                guard index < scalars.count else { return nil }
                scalar = scalars[index]
                index += 1
            }
            return scalar
        }
        while true {
            guard index < scalars.count else { return nil }
            if scalars[index] == "]" && !first {
                index += 1
                break
            }
            first = false
            guard let low = nextScalar() else { return nil }
            var high = low
            if index + 1 < scalars.count && scalars[index] == "-" && scalars[index + 1] != "]" {
                index += 1
                guard let upper = nextScalar() else { return nil }
                high = upper
            }
            guard low.value <= high.value else { return nil }
            ranges.append(low.value...high.value)
        }
        return (CharacterClass(negated: negated, ranges: ranges), index)
    }

    /// Anchored match of a token program against a path, with memoised backtracking (linear in tokens × path).
    private static func match(_ tokens: [Token], _ path: [Unicode.Scalar]) -> Bool {
        var failed = Set<Int>()
        let width = path.count + 1
        func attempt(_ tokenIndex: Int, _ pathIndex: Int) -> Bool {
            if tokenIndex == tokens.count { return pathIndex == path.count }
            let key = tokenIndex * width + pathIndex
            if failed.contains(key) { return false }
            let result: Bool
            switch tokens[tokenIndex] {
            case .literal(let scalar):
                result = pathIndex < path.count && path[pathIndex] == scalar && attempt(tokenIndex + 1, pathIndex + 1)
            case .oneExceptSlash:
                result = pathIndex < path.count && path[pathIndex] != "/" && attempt(tokenIndex + 1, pathIndex + 1)
            case .characterClass(let characterClass):
                result =
                    pathIndex < path.count && characterClass.contains(path[pathIndex])
                    && attempt(tokenIndex + 1, pathIndex + 1)
            case .runExceptSlash:
                var end = pathIndex
                var found = attempt(tokenIndex + 1, end)
                while !found && end < path.count && path[end] != "/" {
                    end += 1
                    found = attempt(tokenIndex + 1, end)
                }
                result = found
            case .optionalDirectories:
                var found = attempt(tokenIndex + 1, pathIndex)
                var position = pathIndex
                while !found && position < path.count {
                    if path[position] == "/" { found = attempt(tokenIndex + 1, position + 1) }
                    position += 1
                }
                result = found
            case .anything:
                var found = false
                var position = pathIndex
                while !found && position <= path.count {
                    found = attempt(tokenIndex + 1, position)
                    position += 1
                }
                result = found
            }
            if !result { failed.insert(key) }
            return result
        }
        return attempt(0, 0)
    }
}
