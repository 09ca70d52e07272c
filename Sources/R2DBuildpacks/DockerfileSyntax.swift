/// One instruction of a Dockerfile: its keyword, its flags (`--x=y` before the arguments) and its arguments,
/// continuation lines joined, with the line it starts on.
public struct DockerfileInstruction: Equatable, Sendable {
    public let line: Int
    public let keyword: String
    public let flags: [String]
    public let arguments: String
}

/// A use of syntax only BuildKit understands, with where it is.
public struct BuildKitFeature: Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let feature: String
    public var description: String { "\(feature) (line \(line))" }
}

/// Reads a Dockerfile as the Dockerfile frontend does: parser directives first, then instructions, comments and
/// blank lines skipped, lines ending in the escape character joined. It is used to tell, before a build, whether
/// a user's Dockerfile needs BuildKit, so the classic builder's refusal becomes one clear line.
public enum DockerfileSyntax {
    /// RUN flags the classic builder lacks.
    static let buildKitRunFlags: Set<String> = ["mount", "network", "security"]
    /// COPY and ADD flags the classic builder lacks (it has `--chown` and `--from`).
    static let buildKitCopyFlags: Set<String> = ["chmod", "link", "parents", "exclude", "checksum", "keep-git-dir"]

    /// The first BuildKit-only construct in `text`: a `syntax` directive, a BuildKit flag or a heredoc.
    public static func firstBuildKitFeature(in text: String) -> BuildKitFeature? {
        let (directives, instructions) = parse(text)
        if let syntax = directives.first(where: { $0.key == "syntax" }) {
            return BuildKitFeature(line: syntax.line, feature: "the # syntax= directive")
        }
        for instruction in instructions {
            if let feature = buildKitFeature(of: instruction) { return BuildKitFeature(line: instruction.line, feature: feature) }
        }
        return nil
    }

    static func buildKitFeature(of instruction: DockerfileInstruction) -> String? {
        let names = instruction.flags.map { flagName($0) }
        let keyword = instruction.keyword
        let allowed: Set<String> =
            keyword == "RUN" ? buildKitRunFlags : (keyword == "COPY" || keyword == "ADD" ? buildKitCopyFlags : [])
        if let flag = names.first(where: { allowed.contains($0) }) { return "\(keyword) --\(flag)" }
        if ["RUN", "COPY", "ADD"].contains(keyword), hasHeredoc(instruction.arguments) { return "a heredoc in \(keyword)" }
        return nil
    }

    /// `--mount=type=cache` → `mount`.
    static func flagName(_ flag: String) -> String {
        String(flag.dropFirst(2).prefix { $0 != "=" }).lowercased()
    }

    /// `<<EOF`, `<<-EOF`, `<<"EOF"` or `<<'EOF'` as a word of its own (not `<<<` or a shift inside quotes).
    static func hasHeredoc(_ arguments: String) -> Bool {
        arguments.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains { word in
            guard word.hasPrefix("<<"), !word.hasPrefix("<<<") else { return false }
            var rest = word.dropFirst(2)
            if rest.first == "-" { rest = rest.dropFirst() }
            if let quote = rest.first, quote == "\"" || quote == "'" { rest = rest.dropFirst() }
            return rest.first.map { $0.isLetter || $0 == "_" } ?? false
        }
    }

    /// The parser directives (`# key=value` lines before anything else) and the instructions.
    public static func parse(_ text: String) -> (
        directives: [(key: String, value: String, line: Int)], instructions: [DockerfileInstruction]
    ) {
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var directives: [(key: String, value: String, line: Int)] = []
        var index = 0
        while index < lines.count, let directive = directive(lines[index]) {
            directives.append((directive.key, directive.value, index + 1))
            index += 1
        }
        let escape: Character = directives.first { $0.key == "escape" }?.value == "`" ? "`" : "\\"
        return (directives, instructions(lines, from: index, escape: escape))
    }

    static func directive(_ line: Substring) -> (key: String, value: String)? {
        guard line.hasPrefix("#") else { return nil }
        let body = line.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard let equals = body.firstIndex(of: "=") else { return nil }
        let key = body[..<equals].trimmingSpaces.lowercased()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter }) else { return nil }
        return (key, String(body[body.index(after: equals)...].trimmingSpaces))
    }

    static func instructions(_ lines: [Substring], from start: Int, escape: Character) -> [DockerfileInstruction] {
        var result: [DockerfileInstruction] = []
        var index = start
        while index < lines.count {
            let first = index
            var logical = ""
            while index < lines.count {
                let line = lines[index]
                index += 1
                let trimmed = line.trimmingSpaces
                // Comment lines inside a continued instruction are dropped, as the frontend does.
                if trimmed.hasPrefix("#") { if logical.isEmpty { break } else { continue } }
                if trimmed.last == escape {
                    logical += trimmed.dropLast() + " "
                    continue
                }
                logical += trimmed
                break
            }
            if let instruction = instruction(logical, line: first + 1) { result.append(instruction) }
        }
        return result
    }

    static func instruction(_ logical: String, line: Int) -> DockerfileInstruction? {
        var words = logical.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        guard let keyword = words.popFirst() else { return nil }
        var flags: [String] = []
        while let word = words.first, word.hasPrefix("--") {
            flags.append(String(word))
            words.removeFirst()
        }
        return DockerfileInstruction(line: line, keyword: keyword.uppercased(), flags: flags, arguments: words.joined(separator: " "))
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring { self[...].trimmingSpaces }
}
