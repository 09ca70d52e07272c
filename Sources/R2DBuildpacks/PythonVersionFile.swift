import R2DBasics

/// `.python-version` (pyenv's and uv's file): the Python version of the pip pathways when runtime.txt names
/// none, a deliberate difference from repo2docker, which does not read it (Docs/environments.md). Only a plain
/// `X.Y` or `X.Y.Z` of a Python the uv pathway installs (3.8 to 3.14) counts; pyenv's other forms (older
/// versions, `system`, `miniconda3-…`, virtualenv names) are ignored with a note, so the build stays what
/// repo2docker builds.
public enum PythonVersionFile {
    public static let name = ".python-version"

    /// What a `.python-version` asks for.
    public enum Reading: Sendable, Equatable {
        /// A version to use, as "X.Y"; `written` is the file's request ("3.11.4").
        case version(String, written: String)
        /// Not a version this pathway follows; `written` is the request as it stands in the file.
        case ignored(written: String, reason: String)
    }

    /// The file's first request: the first line that is neither blank nor a `#` comment (pyenv and uv read the
    /// same line; later lines name fallbacks, which an image with one Python has no use for).
    public static func parse(_ text: String) -> Reading {
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard
            let request = lines.lazy.map({ String($0).trimmingCharacters(in: .whitespaces) })
                .first(where: { !$0.isEmpty && !$0.hasPrefix("#") })
        else {
            return .ignored(written: "", reason: "it names no version")
        }
        let parts = request.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) && $0.count <= 3 }) else {
            return .ignored(written: request, reason: "it is not a Python version written as X.Y or X.Y.Z")
        }
        let minor = parts[0] + "." + parts[1]
        guard PythonVersionRules.pyprojectCandidates.contains(String(minor)) else {
            return .ignored(written: request, reason: "Python \(minor) is not one of 3.8 to 3.14, which this pathway installs")
        }
        return .version(String(minor), written: request)
    }

    /// The snapshot's `.python-version` (in the binder directory when there is one), or nil when there is none.
    static func read(_ s: RepoSnapshot) throws -> (file: String, reading: Reading)? {
        let file = s.binderPath(name)
        return try s.readText(file).map { (file, parse($0)) }
    }

    /// The note for a file that is not followed.
    static func ignoredNote(file: String, written: String, reason: String) -> String {
        let shown = written.isEmpty ? "" : " (\(written.shortQuoted))"
        return
            "\(file)\(shown) is ignored: \(reason); Python comes from runtime.txt, requires-python or the default, as in repo2docker."
    }
}

/// The Python version of a pip pathway and the file it came from (`detect --json`'s `python_version_source`).
struct PythonVersionChoice: Equatable {
    var version: String
    var source: String
    var notes: [String] = []
}

extension PythonVersionRules {
    /// The requirements.txt pathway's version: runtime.txt's `python-X.Y` as repo2docker reads it; when runtime.txt
    /// names no version, a `.python-version` that holds a supported one (checked against requires-python);
    /// otherwise repo2docker's default, or what requires-python allows.
    static func pipPathwayVersion(_ s: RepoSnapshot, runtime: RuntimeSpec?, defaultPython: String) throws -> PythonVersionChoice {
        let runtimeNamesVersion = runtime.map { $0.name != "python" || $0.version != nil } ?? false
        var notes: [String] = []
        if let (file, reading) = try PythonVersionFile.read(s) {
            switch reading {
            case .version(let version, let written) where !runtimeNamesVersion:
                try checkRequiresPython(version, file: file, written: written, s)
                return PythonVersionChoice(version: version, source: file, notes: patchNote(file, written, version))
            case .version(_, let written):
                notes.append(
                    "\(file) asks for \(written), but \(s.binderPath("runtime.txt")) names the runtime and wins, as for repo2docker.")
            case .ignored(let written, let reason):
                notes.append(PythonVersionFile.ignoredNote(file: file, written: written, reason: reason))
            }
        }
        var choice = try repo2dockerChoice(s, runtime: runtime, defaultPython: defaultPython)
        choice.notes = notes + choice.notes
        return choice
    }

    /// The lock pathways' version (uv.lock, pylock.toml): `.python-version` first, as uv reads it; then
    /// runtime.txt and requires-python as for requirements.txt. `lockSpecifier` is the lock's own
    /// `requires-python`, which the version must satisfy too.
    static func lockPathwayVersion(
        _ s: RepoSnapshot, runtime: RuntimeSpec?, defaultPython: String, lockSpecifier: (file: String, specifier: String)?
    ) throws -> PythonVersionChoice {
        var choice: PythonVersionChoice
        if let (file, reading) = try PythonVersionFile.read(s), case .version(let version, let written) = reading {
            try checkRequiresPython(version, file: file, written: written, s)
            choice = PythonVersionChoice(version: version, source: file, notes: patchNote(file, written, version))
            if let asked = runtime?.version, runtime?.name == "python" {
                choice.notes.append(
                    "\(s.binderPath("runtime.txt")) asks for python-\(asked), but \(file) decides the version here, as for uv.")
            }
        } else {
            choice = try pipPathwayVersion(s, runtime: runtime, defaultPython: defaultPython)
        }
        if let (file, specifier) = lockSpecifier {
            let allowed = try specifierSet(specifier, file: file)
            if !allowed.contains(choice.version) {
                guard choice.source == "default", let best = pyprojectCandidates.last(where: allowed.contains) else {
                    throw BuildpackError.invalidEnvironmentFile(
                        file: file,
                        problem:
                            "requires-python \(specifier.shortQuoted) does not allow Python \(choice.version) (from \(choice.source)); relock for that Python or change \(choice.source)."
                    )
                }
                choice.version = best
                choice.source = "\(file) requires-python"
            }
        }
        return choice
    }

    /// repo2docker's rule (`pythonVersion`), with the file that decided.
    static func repo2dockerChoice(_ s: RepoSnapshot, runtime: RuntimeSpec?, defaultPython: String) throws -> PythonVersionChoice {
        let version = try pythonVersion(s, runtime: runtime, defaultPython: defaultPython)
        let source: String
        if let runtime, runtime.name == "python", let asked = runtime.version, asked.contains(".") {
            source = s.binderPath("runtime.txt")
        } else if version != (runtime?.version.flatMap { majorDefault($0, defaultPython: defaultPython) } ?? defaultPython) {
            source = "pyproject.toml requires-python"
        } else {
            source = "default"
        }
        return PythonVersionChoice(version: version, source: source)
    }

    /// A `.python-version` whose version requires-python (root pyproject.toml, no binder directory) refuses.
    static func checkRequiresPython(_ version: String, file: String, written: String, _ s: RepoSnapshot) throws {
        guard let specifier = try Pyproject.requiresPython(s) else { return }
        guard try specifierSet(specifier).contains(version) else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file,
                problem:
                    "Python \(written) is not allowed by requires-python \(specifier.shortQuoted) in pyproject.toml; change one of the two so that they agree."
            )
        }
    }

    static func specifierSet(_ specifier: String, file: String) throws -> PythonSpecifierSet {
        do {
            return try PythonSpecifierSet(specifier)
        } catch {
            throw BuildpackError.invalidRequiresPython(file: file, specifier: specifier, reason: error.reason)
        }
    }

    /// An `X.Y.Z` request gets the image's X.Y (the Jupyter locks are per X.Y; uv installs its newest patch).
    static func patchNote(_ file: String, _ written: String, _ version: String) -> [String] {
        written == version
            ? [] : ["\(file) asks for \(written): the image gets Python \(version) (the patch release uv finds or installs)."]
    }
}
