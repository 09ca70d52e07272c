import Foundation

/// What the conda pathway needs from environment.yml: its string dependencies and its `pip:` list.
/// Only the YAML that environment files use is understood (block and flow lists, quoted scalars, comments);
/// the file itself is handed to mamba unchanged.
public struct CondaEnvironmentFile: Sendable, Equatable {
    /// String entries of `dependencies`, in order (`python=3.11`, `numpy`, `r-base=4.3`).
    public var dependencies: [String] = []
    /// Entries of the `pip:` item of `dependencies`.
    public var pip: [String] = []

    public init(dependencies: [String] = [], pip: [String] = []) {
        self.dependencies = dependencies
        self.pip = pip
    }

    /// Parses the text of `file`. An empty file (or only comments, or `null`) is an empty mapping, as in
    /// repo2docker; a top-level list or scalar is refused.
    public static func parse(_ text: String, file: String) throws -> CondaEnvironmentFile {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { stripComment(String($0)) }
        let significant = lines.filter { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return !t.isEmpty && t != "---" && t != "..." && !t.hasPrefix("%")
        }
        guard let first = significant.first?.trimmingCharacters(in: .whitespaces) else { return CondaEnvironmentFile() }
        if significant.count == 1, ["null", "~", "Null", "NULL"].contains(first) { return CondaEnvironmentFile() }
        if first == "-" || first.hasPrefix("- ") || first.hasPrefix("[") {
            throw BuildpackError.environmentNotMapping(file: file, found: "a list")
        }
        if !first.hasPrefix("{") && keyOf(first) == nil {
            throw BuildpackError.environmentNotMapping(file: file, found: "a plain value")
        }
        var result = CondaEnvironmentFile()
        guard let start = lines.firstIndex(where: { indentation($0) == 0 && keyOf($0) == "dependencies" }) else { return result }
        let inline = valueOf(lines[start])
        if inline.hasPrefix("[") {
            result.dependencies = flowList(inline)
            return result
        }
        // The block list: lines after the key until the next top-level key.
        var body: [String] = []
        for line in lines[(start + 1)...] {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            if indentation(line) == 0 && !t.hasPrefix("-") { break }
            body.append(line)
        }
        guard let itemIndent = body.first.map(indentation) else { return result }
        var inPip = false
        for line in body {
            let indent = indentation(line)
            let t = line.trimmingCharacters(in: .whitespaces)
            if indent == itemIndent, t.hasPrefix("-") {
                let item = String(t.dropFirst()).trimmingCharacters(in: .whitespaces)
                inPip = false
                if keyOf(item) == "pip" {
                    let value = valueOf(item)
                    if value.hasPrefix("[") { result.pip += flowList(value) } else { inPip = true }
                } else if keyOf(item) == nil, !item.isEmpty {
                    result.dependencies.append(unquote(item))
                }
            } else if inPip, indent > itemIndent, t.hasPrefix("-") {
                result.pip.append(unquote(String(t.dropFirst()).trimmingCharacters(in: .whitespaces)))
            }
        }
        return result
    }

    /// The Python of the environment: the first dependency matching `python\s*=+\s*([\d.]*)`, truncated to X.Y;
    /// a major alone maps to 2.7 or the default 3; nil when no dependency pins it (repo2docker's rule).
    public func pythonVersion(defaultPython: String) -> String? {
        for dependency in dependencies {
            guard let pin = Self.pin(of: "python", in: dependency), !pin.isEmpty else { continue }
            let parts = pin.split(separator: ".").map(String.init)
            guard let major = parts.first else { continue }
            if parts.count == 1 { return major == "2" ? "2.7" : (major == "3" ? defaultPython : major) }
            return "\(major).\(parts[1])"
        }
        return nil
    }

    /// Whether R is wanted: any dependency starting with `r-`.
    public var wantsR: Bool { dependencies.contains { $0.hasPrefix("r-") } }

    /// The `r-base` pin, e.g. "4.3" for `r-base=4.3`; nil when unpinned.
    public var rBaseVersion: String? {
        dependencies.lazy.compactMap { Self.pin(of: "r-base", in: $0) }.first { !$0.isEmpty }
    }

    /// Whether a `pip:` entry refers to repository files, so the environment can only be installed after the
    /// full copy (repo2docker's `is_local_pip_requirement`).
    public var hasLocalPipRequirement: Bool { pip.contains(where: Self.isLocalPipRequirement) }

    public static func isLocalPipRequirement(_ raw: String) -> Bool {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { return false }
        for option in ["-r", "-c", "--requirement", "--constraint"] where line == option || line.hasPrefix(option + " ") || line.hasPrefix(option + "=") {
            return true
        }
        if line.contains("file://") { return true }
        var path = line
        for option in ["--editable", "-e"] where path.hasPrefix(option) {
            path = String(path.dropFirst(option.count)).trimmingCharacters(in: CharacterSet(charactersIn: " ="))
            break
        }
        if path.hasPrefix("-") { return false }
        if path.hasPrefix(".") { return true }
        // A URL whose path is relative (git+./x is not a thing, but `pkg @ ./dir` is).
        if let at = path.range(of: " @ ") {
            return path[at.upperBound...].trimmingCharacters(in: .whitespaces).hasPrefix(".")
        }
        return false
    }

    /// `name\s*=+\s*([\d.]*)` anchored at the start of `dependency`.
    static func pin(of name: String, in dependency: String) -> String? {
        guard dependency.hasPrefix(name) else { return nil }
        var rest = dependency.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        rest = rest.drop { $0 == "=" }.drop { $0 == " " || $0 == "\t" }
        return String(rest.prefix { $0.isASCIIDigit || $0 == "." })
    }

    static func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    /// The key of a `key: value` or `key:` line, or nil.
    static func keyOf(_ line: String) -> String? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard let colon = t.range(of: ":"), colon.upperBound == t.endIndex || t[colon.upperBound] == " " else { return nil }
        let key = unquote(String(t[..<colon.lowerBound]).trimmingCharacters(in: .whitespaces))
        return key.isEmpty || key.contains(" ") && !t.hasPrefix("\"") && !t.hasPrefix("'") ? nil : key
    }

    static func valueOf(_ line: String) -> String {
        guard let colon = line.range(of: ":") else { return "" }
        return String(line[colon.upperBound...]).trimmingCharacters(in: .whitespaces)
    }

    static func flowList(_ text: String) -> [String] {
        var inner = text.trimmingCharacters(in: .whitespaces)
        if inner.hasPrefix("[") { inner.removeFirst() }
        if let close = inner.lastIndex(of: "]") { inner = String(inner[..<close]) }
        return inner.split(separator: ",").map { unquote($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
    }

    static func unquote(_ text: String) -> String {
        guard text.count >= 2, let q = text.first, q == "\"" || q == "'", text.last == q else { return text }
        return String(text.dropFirst().dropLast())
    }

    /// Drops a ` #` comment (or a whole-line one) outside quotes.
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && (previous == " " || previous == "\t") {
                return String(line.prefix(offset))
            }
            previous = c
        }
        return line
    }
}
