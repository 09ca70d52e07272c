/// repo2docker's `is_local_pip_requirement` (`repo2docker/utils.py`), for requirements.txt lines and the `pip:`
/// entries of environment.yml alike: one rule, so both pathways place their installs the same way.
public enum PipRequirement {
    /// Whether `rawLine` refers to files of the repository: `-r`/`-c` and their long forms, anything holding
    /// `file://`, and a requirement (after an option such as `-e` or `--editable=`, and after a `scheme://`)
    /// that starts with `.`. Comments (from the first `#`), `--pre` and options without an argument are not.
    public static func isLocal(_ rawLine: String) -> Bool {
        var line = Substring(rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        line = trimmed(line)
        if line.isEmpty { return false }
        if ["-r", "-c", "--requirement", "--constraint"].contains(where: line.hasPrefix) { return true }
        if line.hasPrefix("--pre") { return false }
        if line.hasPrefix("--"), let equals = line.firstIndex(of: "=") {
            line = line[line.index(after: equals)...]
        }
        if line.hasPrefix("-") {
            // Python's `line.split(None, 1)`: the option, then the rest after the whitespace that follows it.
            guard let space = line.firstIndex(where: isSpace) else { return false }
            line = line[space...].drop(while: isSpace)
            if line.isEmpty { return false }
        }
        if line.contains("file://") { return true }
        let path = line.range(of: "://").map { line[$0.upperBound...] } ?? line
        return path.hasPrefix(".")
    }

    /// Python's `str.isspace` for the characters a text line can hold.
    static func isSpace(_ c: Character) -> Bool {
        c.isWhitespace
    }

    static func trimmed(_ s: Substring) -> Substring {
        guard let start = s.firstIndex(where: { !isSpace($0) }), let end = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return s[start...end]
    }
}
