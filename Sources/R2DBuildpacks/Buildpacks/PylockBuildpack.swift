/// A PEP 751 `pylock.toml` (or one `pylock.<name>.toml`; swift-r2d's own, repo2docker has none): exactly its
/// versions, hash-checked by uv, into the notebook environment on top of the Jupyter stack.
struct PylockBuildpack: Buildpack {
    let kind = BuildpackKind.pylock
    let className = "PylockBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool {
        if let runtime = d.runtime, runtime.name != "python" { return false }
        return try PylockFile.path(in: d.snapshot) != nil
    }

    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        let lock = try PylockFragments.lock(d.snapshot)
        let choice = try PythonVersionRules.lockPathwayVersion(
            d.snapshot, runtime: d.runtime, defaultPython: d.defaultPython, lockSpecifier: lock.requiresPython.map { (lock.file, $0) })
        (plan.pythonVersion, plan.pythonVersionSource) = (choice.version, choice.source)
        plan.notes = choice.notes + LockPathways.ignoredFiles(d.snapshot, by: lock.file)
        if let stack = JupyterStack(python: choice.version, platform: "linux/amd64") {
            plan.notes += try stack.check(PylockFragments.locked(lock), lockFile: lock.file)
        }
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        guard let version = c.plan.pythonVersion, let architecture = c.architecture,
            let stack = JupyterStack(python: version, platform: architecture.dockerPlatform)
        else {
            throw BuildpackError.unsupportedPythonVersion(
                file: c.plan.pythonVersionSource ?? "pylock.toml", version: c.plan.pythonVersion ?? "")
        }
        let lock = try PylockFragments.lock(c.snapshot)
        let replaced = try stack.replaced(PylockFragments.locked(lock), lockFile: lock.file)
        var f = try PythonFragments.base(pythonVersion: version, context: c)
        f.append(try PylockFragments.install(lock, c.snapshot, replaced: replaced))
        return f
    }
}
