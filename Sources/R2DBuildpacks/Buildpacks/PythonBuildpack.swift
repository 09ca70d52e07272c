/// requirements.txt, setup.py or a pyproject.toml package (repo2docker's `buildpacks/python`); also the default
/// when nothing else matches.
struct PythonBuildpack: Buildpack {
    let kind = BuildpackKind.python
    let className = "PythonBuildPack"

    /// A runtime.txt decides alone: it matches when it names Python.
    func matches(_ d: DetectionContext) throws -> Bool {
        if let runtime = d.runtime { return runtime.name == "python" }
        return try Pyproject.isPythonPackage(d.snapshot) || d.snapshot.binderFileExists("requirements.txt")
    }

    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        let choice = try PythonVersionRules.pipPathwayVersion(d.snapshot, runtime: d.runtime, defaultPython: d.defaultPython)
        plan.pythonVersion = choice.version
        plan.pythonVersionSource = choice.source
        plan.notes = choice.notes
        if choice.source != d.snapshot.binderPath(PythonVersionFile.name) {
            plan.notes += try VersionNotes.requiresPythonReplacedDefault(plan, snapshot: d.snapshot, defaultPython: d.defaultPython)
        }
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        try PythonFragments.environment(
            c, versionFile: c.snapshot.binderPath("runtime.txt"),
            uv: { try PythonFragments.requirements(c.snapshot) },
            conda: { try CondaFragments.requirements(c.snapshot, pythonVersion: $0, caches: c.options.buildKitCaches) })
    }
}
