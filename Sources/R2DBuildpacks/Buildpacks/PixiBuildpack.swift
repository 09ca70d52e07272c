/// A pixi workspace (`pixi.toml`, or a root `pyproject.toml` with `[tool.pixi]`) with its `pixi.lock` (swift-r2d's
/// own; repo2docker has none): pixi installs the locked default environment, which becomes the `python3`
/// kernel of the usual notebook environment (Docs/environments.md).
struct PixiBuildpack: Buildpack {
    let kind = BuildpackKind.pixi
    let className = "PixiBuildPack"

    /// The lock is looked at first, so that a repository without one never has its pyproject.toml read here.
    func matches(_ d: DetectionContext) throws -> Bool { try PixiFragments.manifest(d.snapshot) != nil }

    /// Jupyter runs on the default Python; the pixi environment brings its own.
    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        (plan.pythonVersion, plan.pythonVersionSource) = (d.defaultPython, "default")
        guard let manifest = try PixiFragments.manifest(d.snapshot) else { return }
        try PixiFragments.lock(d.snapshot, manifest: manifest).check(platform: "linux-64", manifest: manifest)
        plan.notes =
            [
                "\(manifest) and \(PixiFragments.lockPath(manifest)): pixi installs the locked default environment, the python3 kernel; Jupyter itself runs from the notebook environment (Python \(d.defaultPython))."
            ] + LockPathways.ignoredFiles(d.snapshot, by: PixiFragments.lockPath(manifest))
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        guard let version = c.plan.pythonVersion, let architecture = c.architecture, let manifest = try PixiFragments.manifest(c.snapshot)
        else {
            throw BuildpackError.invalidEnvironmentFile(
                file: "pixi.lock", problem: "pixi images build for linux/amd64 or linux/arm64 only.")
        }
        try PixiFragments.lock(c.snapshot, manifest: manifest).check(platform: architecture.condaPlatform, manifest: manifest)
        var f = try PythonFragments.base(pythonVersion: version, context: c)
        f.append(try PixiFragments.fragments(c, manifest: manifest, architecture: architecture))
        return f
    }
}
