import R2DTOML

/// The uv.lock pathway's parts: `uv sync` into the notebook environment, never removing what the lock lacks
/// (`--inexact` keeps the Jupyter stack), with the lock checked (`--locked`) and the environment's own
/// interpreter named, so that uv never replaces the environment for another Python.
enum UVFragments {
    static let lockName = "uv.lock"
    static let sync =
        "uv sync --locked --inexact --python ${NB_PYTHON_PREFIX}/bin/python"

    static func lock(_ s: RepoSnapshot) throws -> UVLockFile {
        guard let bytes = try s.readBytes(lockName) else {
            throw BuildpackError.unreadable(file: lockName, reason: "the file disappeared")
        }
        return try UVLockFile(bytes: bytes, file: lockName)
    }

    /// The groups `uv sync` installs by default: `[tool.uv] default-groups` (a list, or "all"), else `dev`.
    static func defaultGroups(_ s: RepoSnapshot, lock: UVLockFile) throws -> [String] {
        let value = try s.rootPyproject()?.value(["tool", "uv", "default-groups"])
        if value?.string == "all" { return lock.root.map { Array($0.devDependencies.keys).sorted() } ?? [] }
        return value?.array?.compactMap(\.string) ?? ["dev"]
    }

    /// The versions `uv sync` installs, by normalized name.
    static func locked(_ lock: UVLockFile, _ s: RepoSnapshot) throws -> [(name: String, version: String)] {
        try lock.installed(groups: defaultGroups(s, lock: lock)).compactMap { p in p.version.map { (p.name, $0) } }
    }

    /// Whether nothing can be installed before the full copy: the lock names other repository directories
    /// (workspace members, path dependencies), or the project's dependencies are dynamic (uv must build the
    /// project to read them).
    static func needsCheckout(_ lock: UVLockFile, _ s: RepoSnapshot) throws -> Bool {
        let dynamic = try s.rootPyproject()?.value(["project", "dynamic"])?.array ?? []
        return lock.hasLocalDependencies || dynamic.contains(.string("dependencies")) || dynamic.contains(.string("optional-dependencies"))
    }

    /// The dependencies from pyproject.toml and uv.lock alone (unless `needsCheckout`), then the project itself
    /// after the full copy (unless it is virtual: nothing to install).
    static func sync(_ lock: UVLockFile, _ s: RepoSnapshot, replaced: [String]) throws -> Fragments {
        var f = Fragments()
        let check = JupyterStack.checkStep(lockFile: lockName, replaced: replaced)
        let environment = "export UV_PROJECT_ENVIRONMENT=${NB_PYTHON_PREFIX}"
        let afterCopyOnly = try needsCheckout(lock, s)
        if !afterCopyOnly {
            f.preassembleFiles = ["pyproject.toml", lockName]
            f.preassembleSteps = [BuildStep(.notebookUser, "\(environment)\n\(sync) --no-install-project\n\(check)", caches: [.uv])]
        }
        if afterCopyOnly || lock.root?.sourceKind != "virtual" {
            f.assembleSteps = [BuildStep(.notebookUser, "\(environment)\n\(sync)\n\(check)", caches: [.uv])]
        }
        return f
    }
}

/// What the lock pathways share.
enum LockPathways {
    /// The older environment files a lock pathway does not install, for the log (one line).
    static func ignoredFiles(_ s: RepoSnapshot, by lockFile: String) -> [String] {
        let files =
            ["environment.yml", "environment.yaml", "requirements.txt", "requirements3.txt", "Pipfile", "Pipfile.lock"]
            .map(s.binderPath).filter(s.fileExists)
            + (s.binderDirectory.isEmpty && s.fileExists("setup.py") ? ["setup.py"] : [])
        guard !files.isEmpty else { return [] }
        return ["\(lockFile) decides the environment: \(files.joined(separator: ", ")) \(files.count == 1 ? "is" : "are") not installed."]
    }
}
