/// `uv.lock` beside a root `pyproject.toml` (swift-r2d's own; repo2docker has none): the notebook environment
/// gets exactly the locked versions of the default groups, as `uv sync` installs them, on top of the Jupyter
/// stack. The dependencies go in before the full copy, the project itself after it (Docs/environments.md).
struct UVLockBuildpack: Buildpack {
    let kind = BuildpackKind.uvLock
    let className = "UVLockBuildPack"

    /// Root files only (pyproject.toml counts only without a binder directory, as in repo2docker); a runtime.txt
    /// naming another language leaves the repository to repo2docker's rules.
    func matches(_ d: DetectionContext) throws -> Bool {
        if let runtime = d.runtime, runtime.name != "python" { return false }
        let s = d.snapshot
        return s.binderDirectory.isEmpty && s.fileExists("pyproject.toml") && s.fileExists(UVFragments.lockName)
    }

    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        let lock = try UVFragments.lock(d.snapshot)
        if let pyproject = try d.snapshot.rootPyproject(), let stale = try lock.staleRequirement(pyproject) {
            throw BuildpackError.invalidEnvironmentFile(
                file: UVFragments.lockName,
                problem: "it is out of date with pyproject.toml (\(stale)); run `uv lock` and commit uv.lock.")
        }
        let choice = try PythonVersionRules.lockPathwayVersion(
            d.snapshot, runtime: d.runtime, defaultPython: d.defaultPython,
            lockSpecifier: lock.requiresPython.map { (UVFragments.lockName, $0) })
        (plan.pythonVersion, plan.pythonVersionSource) = (choice.version, choice.source)
        plan.notes = choice.notes + LockPathways.ignoredFiles(d.snapshot, by: UVFragments.lockName)
        if let stack = JupyterStack(python: choice.version, platform: "linux/amd64") {
            plan.notes += try stack.check(try UVFragments.locked(lock, d.snapshot), lockFile: UVFragments.lockName)
        }
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        guard let version = c.plan.pythonVersion, let architecture = c.architecture,
            let stack = JupyterStack(python: version, platform: architecture.dockerPlatform)
        else {
            throw BuildpackError.unsupportedPythonVersion(
                file: c.plan.pythonVersionSource ?? "uv.lock", version: c.plan.pythonVersion ?? "")
        }
        let lock = try UVFragments.lock(c.snapshot)
        let replaced = try stack.replaced(try UVFragments.locked(lock, c.snapshot), lockFile: UVFragments.lockName)
        var f = try PythonFragments.base(pythonVersion: version, context: c)
        f.append(try UVFragments.sync(lock, c.snapshot, replaced: replaced))
        return f
    }
}
