import R2DBasics
import Foundation

/// How repo2docker picks the Python version for each Python-family buildpack (repo2docker's `buildpacks/python`, repo2docker's `buildpacks/pipfile`).
public enum PythonVersionRules {
    public static let defaultVersion = "3.10"
    /// The versions a `requires-python` default may pick from, lowest first.
    public static let pyprojectCandidates = (8...14).map { "3.\($0)" }
    /// Every version some pathway can provide: uv for 3.8+, conda for the legacy ones.
    public static let supported: Set<String> = Set(["2.7", "3.5", "3.6", "3.7"] + pyprojectCandidates)

    /// repo2docker's `PythonBuildPack.python_version`: a runtime.txt naming something else (R) gives the default
    /// at once; `python-X.Y` is taken as asked and `python-X` maps to that major's default (`python-X.Y.Z` is
    /// refused). Then, with no binder directory, a root pyproject.toml's `requires-python` keeps the version
    /// when it allows it; a runtime.txt version it does not allow is an error; a default it does not allow gives
    /// way to the highest supported version it does.
    public static func pythonVersion(_ s: RepoSnapshot, runtime: RuntimeSpec?, defaultPython: String = defaultVersion) throws -> String {
        if let runtime, runtime.name != "python" { return defaultPython }
        let runtimeFile = s.binderPath("runtime.txt")
        var (version, fromRuntime) = (defaultPython, false)
        if let requested = runtime?.version {
            let parts = requested.split(separator: ".", omittingEmptySubsequences: false)
            switch parts.count {
            case 1: version = majorDefault(String(parts[0]), defaultPython: defaultPython) ?? requested
            case 2: (version, fromRuntime) = (requested, true)
            default:
                throw BuildpackError.invalidRuntime(
                    file: runtimeFile, content: "python-\(requested)",
                    reason: "the Python version must be given as X.Y")
            }
        }
        if let specifier = try Pyproject.requiresPython(s) {
            let allowed = try specifierSet(specifier)
            if !allowed.contains(version) {
                guard !fromRuntime else {
                    throw BuildpackError.invalidRuntime(
                        file: runtimeFile, content: "python-\(version)",
                        reason: "version not allowed by requires-python \(specifier.shortQuoted) in pyproject.toml")
                }
                guard let best = pyprojectCandidates.last(where: allowed.contains) else {
                    throw BuildpackError.noPythonForRequiresPython(file: "pyproject.toml", specifier: specifier)
                }
                version = best
            }
        }
        guard supported.contains(version) else {
            throw BuildpackError.unsupportedPythonVersion(file: runtimeFile, version: version)
        }
        return version
    }

    static func specifierSet(_ specifier: String) throws -> PythonSpecifierSet {
        do {
            return try PythonSpecifierSet(specifier)
        } catch {
            throw BuildpackError.invalidRequiresPython(file: "pyproject.toml", specifier: specifier, reason: error.reason)
        }
    }

    /// repo2docker's `PipfileBuildPack.python_version`: Pipfile.lock `_meta.requires`, then Pipfile `[requires]`;
    /// in each `python_full_version` before `python_version`; the first whose leading `\\d+(\\.\\d+)*` matches
    /// decides, truncated to X.Y. runtime.txt and pyproject.toml do not count.
    public static func pipfileVersion(_ s: RepoSnapshot, defaultPython: String = defaultVersion) throws -> String {
        var candidates: [String] = []
        // Only `_meta` is parsed: a lock file may be tens of megabytes of hashes.
        if let lock = try s.readBytes(s.binderPath("Pipfile.lock")), let metaBytes = JSONTopLevel.member("_meta", in: lock),
            let meta = try? JSONSerialization.jsonObject(with: Data(metaBytes)) as? [String: Any],
            let requires = meta["requires"] as? [String: Any]
        {
            candidates += ["python_full_version", "python_version"].compactMap { requires[$0] as? String }
        }
        if let pipfile = try TOMLFile.read(s.binderPath("Pipfile"), in: s, reader: .toml), try pipfile.table(["requires"]) != nil {
            candidates += try ["python_full_version", "python_version"].compactMap { try pipfile.string(["requires", $0]) }
        }
        return candidates.lazy.compactMap { leadingVersion($0, defaultPython: defaultPython) }.first ?? defaultPython
    }

    /// The `python` pin of environment.yml's dependencies (`python\s*=+\s*([\d.]*)`, truncated to X.Y; a major
    /// alone maps to its default); the default otherwise. runtime.txt does not count. Fails for a file that
    /// is not a mapping, or a Python conda-forge cannot provide.
    public static func condaVersion(_ s: RepoSnapshot, defaultPython: String = defaultVersion) throws -> String {
        guard let file = CondaFragments.environmentFilePath(s), let bytes = try s.readBytes(file) else { return defaultPython }
        let env = try CondaEnvironmentFile.parse(bytes, file: file)
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

    /// `\d+(\.\d+)*` at the very start of `text` (Python's `re.match`), truncated to X.Y; a bare major maps to
    /// its default; nil when `text` does not start with a digit.
    static func leadingVersion(_ text: String, defaultPython: String) -> String? {
        let chars = Array(text)
        var end = 0
        while end < chars.count, chars[end].isASCIIDigit { end += 1 }
        guard end > 0 else { return nil }
        while end + 1 < chars.count, chars[end] == ".", chars[end + 1].isASCIIDigit {
            end += 1
            while end < chars.count, chars[end].isASCIIDigit { end += 1 }
        }
        let parts = String(chars[..<end]).split(separator: ".").map(String.init)
        if parts.count == 1 { return majorDefault(parts[0], defaultPython: defaultPython) ?? parts[0] }
        return parts[0] + "." + parts[1]
    }
}

/// repo2docker's R version table (repo2docker's `buildpacks/r.py`).
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

/// Where runtime.txt, requires-python and a Pipfile disagree, the file repo2docker follows wins; these lines
/// say which one did, so the choice is not silent.
enum VersionNotes {
    /// For the pathways that take Python from another file (`source`: environment.yml, Pipfile) while
    /// runtime.txt asks for one.
    static func runtimeNotFollowed(_ plan: BuildPlan, snapshot s: RepoSnapshot, source: String) -> [String] {
        guard let python = plan.pythonVersion, let runtime = plan.runtime, runtime.name == "python",
            let asked = runtime.version
        else { return [] }
        let runtimeFile = s.binderPath("runtime.txt")
        return [
            "\(runtimeFile) asks for python-\(asked), but the \(plan.kind.rawValue) pathway takes Python from \(source) (\(python)); \(runtimeFile) is not used for the version, as in repo2docker."
        ]
    }

    /// For the pathways that follow requires-python (Python, R, Julia) when it replaced the default.
    static func requiresPythonReplacedDefault(_ plan: BuildPlan, snapshot s: RepoSnapshot, defaultPython: String) throws -> [String] {
        guard let python = plan.pythonVersion else { return [] }
        let versionWasDefault = plan.runtime?.version.map { !$0.contains(".") } ?? true
        guard versionWasDefault, python != defaultPython, let specifier = try Pyproject.requiresPython(s) else { return [] }
        return [
            "pyproject.toml requires-python \(specifier.shortQuoted) does not allow the default Python \(defaultPython): using \(python), the highest supported version it allows."
        ]
    }
}
