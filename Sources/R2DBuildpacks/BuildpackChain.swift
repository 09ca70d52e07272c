import Foundation

/// repo2docker's ordered buildpack chain: the first buildpack whose detection matches wins.
public enum BuildpackChain {
    /// The detection order, first match wins (repo2docker's `app.py`, `buildpacks`). The legacy check comes before all of them.
    public static let order: [BuildpackKind] = [.docker, .julia, .juliaRequire, .nix, .r, .conda, .pipfile, .python]

    /// Detects the buildpack for `snapshot`. With `allowDefault` false, a repository that matches nothing fails
    /// (`--Repo2Docker.default_buildpack=None`).
    public static func detect(_ snapshot: RepoSnapshot, allowDefault: Bool = true,
                              defaultPython: String = PythonVersionRules.defaultVersion) throws -> BuildPlan {
        try checkLegacyDockerfile(snapshot)
        let runtime = try snapshot.readText(snapshot.binderPath("runtime.txt")).map {
            try RuntimeSpec.parse($0, file: snapshot.binderPath("runtime.txt"))
        }
        let matched = try order.first { try matches($0, snapshot: snapshot, runtime: runtime) }
        if matched == nil && !allowDefault { throw BuildpackError.noEnvironmentSpecification }
        let kind = matched ?? .python
        var plan = BuildPlan(
            kind: kind, isDefault: matched == nil, binderDirectory: snapshot.binderDirectory,
            pythonVersion: nil, rVersion: nil, juliaVersion: nil, aptPackages: [], postBuild: [], start: nil,
            dockerfile: nil, ignoreFiles: [], runtime: runtime)
        if kind == .docker {
            plan.dockerfile = snapshot.binderPath("Dockerfile")
            // Docker's own rules: the context root's ignore files, plus the per-Dockerfile one.
            plan.ignoreFiles = [".dockerignore", ".containerignore", snapshot.binderPath("Dockerfile") + ".dockerignore"]
                .filter(snapshot.fileExists)
            return plan
        }
        plan.ignoreFiles = [snapshot.binderPath(".dockerignore"), snapshot.binderPath(".containerignore")]
            .filter(snapshot.fileExists)
        if let apt = try snapshot.readText(snapshot.binderPath("apt.txt")) {
            plan.aptPackages = try AptPackages.parse(apt, file: snapshot.binderPath("apt.txt"))
        }
        if snapshot.binderFileExists("postBuild") { plan.postBuild = [snapshot.binderPath("postBuild")] }
        if kind == .nix {
            plan.start = "/usr/local/bin/nix-shell-wrapper"
            return plan
        }
        if snapshot.binderFileExists("start") { plan.start = snapshot.binderPath("start") }
        switch kind {
        case .pipfile:
            plan.pythonVersion = try PythonVersionRules.pipfileVersion(snapshot, defaultPython: defaultPython)
        case .conda:
            plan.pythonVersion = try PythonVersionRules.condaVersion(snapshot, defaultPython: defaultPython)
        case .r:
            plan.rVersion = try RVersionRules.version(for: runtime, file: snapshot.binderPath("runtime.txt"))
            plan.pythonVersion = try PythonVersionRules.pythonVersion(snapshot, runtime: runtime, defaultPython: defaultPython)
        case .julia:
            plan.juliaVersion = try JuliaVersionRules.version(snapshot)
            plan.pythonVersion = try PythonVersionRules.pythonVersion(snapshot, runtime: runtime, defaultPython: defaultPython)
        case .juliaRequire:
            plan.pythonVersion = try PythonVersionRules.pythonVersion(snapshot, runtime: runtime, defaultPython: defaultPython)
        default:
            plan.pythonVersion = try PythonVersionRules.pythonVersion(snapshot, runtime: runtime, defaultPython: defaultPython)
        }
        plan.notes = try versionNotes(plan, snapshot: snapshot, defaultPython: defaultPython)
        return plan
    }

    /// Where runtime.txt, requires-python and a Pipfile disagree, the file repo2docker follows wins; these lines
    /// say which one did, so the choice is not silent.
    static func versionNotes(_ plan: BuildPlan, snapshot s: RepoSnapshot, defaultPython: String) throws -> [String] {
        guard let python = plan.pythonVersion else { return [] }
        var notes: [String] = []
        let runtimeFile = s.binderPath("runtime.txt")
        if let runtime = plan.runtime, runtime.name == "python", let asked = runtime.version, [.conda, .pipfile].contains(plan.kind) {
            let source = plan.kind == .conda ? (CondaFragments.environmentFilePath(s) ?? "environment.yml") : s.binderPath("Pipfile")
            notes.append("\(runtimeFile) asks for python-\(asked), but the \(plan.kind.rawValue) pathway takes Python from \(source) (\(python)); \(runtimeFile) is not used for the version, as in repo2docker.")
        }
        let versionWasDefault = plan.runtime?.version.map { !$0.contains(".") } ?? true
        if [.python, .r, .julia].contains(plan.kind), versionWasDefault, python != defaultPython,
           let specifier = try Pyproject.requiresPython(s) {
            notes.append("pyproject.toml requires-python \(specifier.shortQuoted) does not allow the default Python \(defaultPython): using \(python), the highest supported version it allows.")
        }
        return notes
    }

    static func matches(_ kind: BuildpackKind, snapshot s: RepoSnapshot, runtime: RuntimeSpec?) throws -> Bool {
        switch kind {
        case .docker:
            return s.binderFileExists("Dockerfile")
        case .julia:
            return s.binderFileExists("Project.toml") || s.binderFileExists("JuliaProject.toml")
        case .juliaRequire:
            return s.binderFileExists("REQUIRE")
        case .nix:
            return s.binderFileExists("default.nix")
        case .r:
            if let runtime, runtime.name == "r", runtime.date != nil { return true }
            return s.binderDirectory.isEmpty && s.fileExists("DESCRIPTION")
        case .conda:
            return s.binderFileExists("environment.yml") || s.binderFileExists("environment.yaml")
        case .pipfile:
            if let runtime, runtime.name != "python" { return false }
            return s.binderFileExists("Pipfile") || s.binderFileExists("Pipfile.lock")
        case .python:
            if let runtime { return runtime.name == "python" }
            return try Pyproject.isPythonPackage(s) || s.binderFileExists("requirements.txt")
        }
    }

    /// repo2docker refuses Dockerfiles based on the removed legacy binder image (root Dockerfile, first FROM line).
    static func checkLegacyDockerfile(_ s: RepoSnapshot) throws {
        guard let text = try s.readText("Dockerfile") else { return }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("FROM") {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if code.lowercased().contains("andrewosh/binder-base") { throw BuildpackError.legacyDockerfile(file: "Dockerfile") }
            return
        }
    }
}
