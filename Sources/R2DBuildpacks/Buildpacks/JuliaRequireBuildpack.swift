/// The legacy Julia REQUIRE file (repo2docker's `buildpacks/julia/julia_require.py`): repo2docker renders such
/// repositories but refuses to build them, so the image is a Python one whose first step fails.
struct JuliaRequireBuildpack: Buildpack {
    let kind = BuildpackKind.juliaRequire
    let className = "JuliaRequireBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool { d.snapshot.binderFileExists("REQUIRE") }

    /// No version notes: the build fails before any Python is installed.
    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        let choice = try PythonVersionRules.repo2dockerChoice(d.snapshot, runtime: d.runtime, defaultPython: d.defaultPython)
        (plan.pythonVersion, plan.pythonVersionSource) = (choice.version, choice.source)
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        var fragments = try PythonFragments.environment(
            c, versionFile: c.snapshot.binderPath("runtime.txt"),
            uv: { try PythonFragments.requirements(c.snapshot) },
            conda: { try CondaFragments.requirements(c.snapshot, pythonVersion: $0, caches: c.options.buildKitCaches) })
        let file = c.plan.binderDirectory.isEmpty ? "REQUIRE" : c.plan.binderDirectory + "/REQUIRE"
        fragments.refusal = BuildpackError.juliaRequire(file: file).description
        return fragments
    }
}
