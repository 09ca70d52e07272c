/// Pipfile / Pipfile.lock through pipenv (repo2docker's `buildpacks/pipfile`).
struct PipfileBuildpack: Buildpack {
    let kind = BuildpackKind.pipfile
    let className = "PipfileBuildPack"

    /// A runtime.txt naming something other than Python leaves the Pipfile to the Python buildpack's refusal.
    func matches(_ d: DetectionContext) throws -> Bool {
        if let runtime = d.runtime, runtime.name != "python" { return false }
        return d.snapshot.binderFileExists("Pipfile") || d.snapshot.binderFileExists("Pipfile.lock")
    }

    /// Python comes from the Pipfile (or its lock), never from runtime.txt.
    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        plan.pythonVersion = try PythonVersionRules.pipfileVersion(d.snapshot, defaultPython: d.defaultPython)
        plan.pythonVersionSource = try PythonVersionRules.pipfileVersionSource(d.snapshot, defaultPython: d.defaultPython)
        plan.notes = VersionNotes.runtimeNotFollowed(plan, snapshot: d.snapshot, source: d.snapshot.binderPath("Pipfile"))
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        try PythonFragments.environment(
            c, versionFile: c.snapshot.binderPath("Pipfile"),
            uv: { PythonFragments.pipfile(c.snapshot) },
            conda: { CondaFragments.pipfile(c.snapshot, pythonVersion: $0, caches: c.options.buildKitCaches) })
    }
}
