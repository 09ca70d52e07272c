/// environment.yml / environment.yaml through micromamba and conda-forge (repo2docker's `buildpacks/conda`).
struct CondaBuildpack: Buildpack {
    let kind = BuildpackKind.conda
    let className = "CondaBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool {
        d.snapshot.binderFileExists("environment.yml") || d.snapshot.binderFileExists("environment.yaml")
    }

    /// Python comes from the environment file's `python` pin, never from runtime.txt.
    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        plan.pythonVersion = try PythonVersionRules.condaVersion(d.snapshot, defaultPython: d.defaultPython)
        plan.pythonVersionSource = try PythonVersionRules.condaVersionSource(d.snapshot, defaultPython: d.defaultPython)
        let source = CondaFragments.environmentFilePath(d.snapshot) ?? "environment.yml"
        plan.notes = VersionNotes.runtimeNotFollowed(plan, snapshot: d.snapshot, source: source)
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        let version = c.plan.pythonVersion ?? PythonVersionRules.defaultVersion
        let file = CondaFragments.environmentFilePath(c.snapshot) ?? "environment.yml"
        var fragments = try CondaFragments.base(pythonVersion: version, file: file, context: c)
        fragments.append(try CondaFragments.environmentFile(c.snapshot, pythonVersion: version, context: c))
        return fragments
    }
}
