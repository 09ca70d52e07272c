import Foundation

/// How repo2docker picks the Python version for each Python-family buildpack (reference §3.6, §3.11).
public enum PythonVersionRules {
    public static let defaultVersion = "3.10"
    /// The versions a `requires-python` default may pick from, lowest first.
    public static let pyprojectCandidates = (8...14).map { "3.\($0)" }
    /// Every version some pathway can provide: uv for 3.8+, conda for the legacy ones.
    public static let supported: Set<String> = Set(["2.7", "3.5", "3.6", "3.7"] + pyprojectCandidates)

    /// `python-X` → that major's default; `python-X.Y` → X.Y; `python-X.Y.Z` is refused as repo2docker does.
    public static func pythonVersion(_ s: RepoSnapshot, runtime: RuntimeSpec?, defaultPython: String = defaultVersion) throws -> String {
        let runtimeFile = s.binderPath("runtime.txt")
        var version = defaultPython
        var fromRuntime = false
        if let runtime, runtime.name == "python", let requested = runtime.version {
            let parts = requested.split(separator: ".")
            switch parts.count {
            case 1: version = majorDefault(String(parts[0]), defaultPython: defaultPython) ?? requested
            case 2: version = requested
            default:
                throw BuildpackError.invalidRuntime(file: runtimeFile, content: "python-\(requested)",
                                                    reason: "the Python version must be given as X.Y")
            }
            fromRuntime = true
        }
        if s.binderDirectory.isEmpty, let text = try s.readText("pyproject.toml"),
           let specifier = PyprojectScan.requiresPython(text) {
            let set = VersionSpecifierSet(specifier)
            if fromRuntime {
                guard set.contains(version) else {
                    throw BuildpackError.invalidRuntime(file: runtimeFile, content: "python-\(version)",
                                                        reason: "version not allowed by requires-python \"\(specifier)\" in pyproject.toml")
                }
            } else {
                guard let best = pyprojectCandidates.last(where: set.contains) else {
                    throw BuildpackError.unsupportedPythonVersion(file: "pyproject.toml", version: specifier)
                }
                version = best
            }
        }
        guard supported.contains(version) else {
            throw BuildpackError.unsupportedPythonVersion(file: runtimeFile, version: version)
        }
        return version
    }

    /// Pipfile.lock `_meta.requires`, then Pipfile `[requires]`; `python_full_version` before `python_version`.
    public static func pipfileVersion(_ s: RepoSnapshot, defaultPython: String = defaultVersion) throws -> String {
        var candidates: [String] = []
        // Only `_meta` is parsed: a lock file may be tens of megabytes of hashes.
        if let lock = try s.readBytes(s.binderPath("Pipfile.lock")), let metaBytes = JSONTopLevel.member("_meta", in: lock),
           let meta = try? JSONSerialization.jsonObject(with: Data(metaBytes)) as? [String: Any],
           let requires = meta["requires"] as? [String: Any] {
            candidates += ["python_full_version", "python_version"].compactMap { requires[$0] as? String }
        }
        if let pipfile = try s.readText(s.binderPath("Pipfile")) {
            let requires = PyprojectScan.keyValues(in: "requires", of: pipfile)
            candidates += ["python_full_version", "python_version"].compactMap { requires[$0] }
        }
        guard let raw = candidates.first, let version = leadingVersion(raw, defaultPython: defaultPython) else { return defaultPython }
        return version
    }

    /// The `python` pin of environment.yml's dependencies (`python\s*=+\s*([\d.]*)`, truncated to X.Y; a major
    /// alone maps to its default); the default otherwise. runtime.txt does not count. Fails for a file that
    /// is not a mapping, or a Python conda-forge cannot provide.
    public static func condaVersion(_ s: RepoSnapshot, defaultPython: String = defaultVersion) throws -> String {
        guard let file = CondaFragments.environmentFilePath(s), let text = try s.readText(file) else { return defaultPython }
        let env = try CondaEnvironmentFile.parse(text, file: file)
        // The conda pathway's default stays repo2docker's 3.10 unless the caller chose another 3.x.
        let version = env.pythonVersion(defaultPython: defaultPython) ?? defaultPython
        guard supported.contains(version) else { throw BuildpackError.unsupportedPythonVersion(file: file, version: version) }
        return version
    }

    static func majorDefault(_ major: String, defaultPython: String) -> String? {
        switch major {
        case "2": return "2.7"
        case "3": return defaultPython.hasPrefix("3.") ? defaultPython : defaultVersion
        default: return nil
        }
    }

    /// Leading `\d+(\.\d+)*`, truncated to X.Y; a bare major maps to its default.
    static func leadingVersion(_ text: String, defaultPython: String) -> String? {
        let numeric = text.trimmingCharacters(in: .whitespaces).prefix { $0.isASCIIDigit || $0 == "." }
        let parts = numeric.split(separator: ".", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        guard let major = parts.first else { return nil }
        if parts.count == 1 { return majorDefault(String(major), defaultPython: defaultPython) ?? String(major) }
        return "\(major).\(parts[1])"
    }
}

/// A PEP 440 specifier set such as `>=3.9,<3.13` evaluated against X.Y versions.
struct VersionSpecifierSet {
    private let clauses: [(op: String, version: String)]

    init(_ text: String) {
        clauses = text.split(separator: ",").compactMap { raw in
            let clause = raw.trimmingCharacters(in: .whitespaces)
            let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first { clause.hasPrefix($0) } ?? "=="
            let version = clause.dropFirst(clause.hasPrefix(op) ? op.count : 0).trimmingCharacters(in: .whitespaces)
            return version.isEmpty ? nil : (op, version)
        }
    }

    func contains(_ version: String) -> Bool {
        clauses.allSatisfy { Self.satisfies(version, $0.op, $0.version) }
    }

    static func satisfies(_ candidate: String, _ op: String, _ spec: String) -> Bool {
        let c = numbers(candidate)
        if spec.hasSuffix(".*") {
            let prefix = numbers(String(spec.dropLast(2)))
            let matches = Array(pad(c, prefix.count).prefix(prefix.count)) == prefix
            return op == "!=" ? !matches : matches
        }
        let s = numbers(spec)
        let order = compare(c, s)
        switch op {
        case ">=": return order >= 0
        case "<=": return order <= 0
        case ">": return order > 0
        case "<": return order < 0
        case "!=": return order != 0
        case "~=":
            guard s.count >= 2 else { return order >= 0 }
            let prefix = Array(s.dropLast())
            return order >= 0 && Array(pad(c, prefix.count).prefix(prefix.count)) == prefix
        default: return order == 0
        }
    }

    static func numbers(_ v: String) -> [Int] {
        v.split(separator: ".").map { Int($0.prefix { $0.isASCIIDigit }) ?? 0 }
    }

    static func pad(_ v: [Int], _ n: Int) -> [Int] { v.count >= n ? v : v + Array(repeating: 0, count: n - v.count) }

    static func compare(_ a: [Int], _ b: [Int]) -> Int {
        let n = max(a.count, b.count)
        for (x, y) in zip(pad(a, n), pad(b, n)) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}

/// Just enough TOML reading for detection: table names and simple `key = "value"` pairs.
/// Full parsing belongs to the renderers that need it.
enum PyprojectScan {
    static func tableNames(_ text: String) -> Set<String> {
        var names: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("["), !trimmed.hasPrefix("[["), let close = trimmed.firstIndex(of: "]") else { continue }
            names.insert(trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces))
        }
        return names
    }

    static func keyValues(in table: String, of text: String) -> [String: String] {
        var current = ""
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
                current = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == table, let eq = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            var value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if let quote = value.first, quote == "\"" || quote == "'" {
                value.removeFirst()
                if let end = value.firstIndex(of: quote) { value = String(value[..<end]) }
            }
            values[key] = value
        }
        return values
    }

    static func requiresPython(_ text: String) -> String? {
        keyValues(in: "project", of: text)["requires-python"]
    }
}

/// repo2docker's R version table (reference §3.7).
public enum RVersionRules {
    public static let defaultVersion = "4.4.2"
    public static let latestPatch: [String: String] = [
        "4.6": "4.6.1", "4.5": "4.5.1", "4.4": "4.4.2", "4.3": "4.3.3", "4.2": "4.2.3", "4.1": "4.1.3",
        "4.0": "4.0.5", "3.6": "3.6.3", "3.5": "3.5.3", "3.4": "3.4.4", "3.3": "3.3.3",
    ]

    /// The R version for a runtime.txt (X.Y → newest patch, X.Y.Z verbatim); the default otherwise.
    /// Any other form (`4.7`, `5`) is refused, as repo2docker does.
    public static func version(for runtime: RuntimeSpec?, file: String = "runtime.txt") throws -> String {
        guard let runtime, runtime.name == "r", let v = runtime.version else { return defaultVersion }
        if let full = latestPatch[v] { return full }
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            throw BuildpackError.unsupportedRVersion(file: file, version: v)
        }
        return v
    }
}
