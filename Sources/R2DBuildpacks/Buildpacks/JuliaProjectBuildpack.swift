/// Project.toml / JuliaProject.toml (repo2docker's `buildpacks/julia/julia_project.py`), on top of a conda Python.
struct JuliaProjectBuildpack: Buildpack {
    let kind = BuildpackKind.julia
    let className = "JuliaProjectTomlBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool {
        d.snapshot.binderFileExists("Project.toml") || d.snapshot.binderFileExists("JuliaProject.toml")
    }

    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        plan.juliaVersion = try JuliaVersionRules.version(d.snapshot)
        let choice = try PythonVersionRules.repo2dockerChoice(d.snapshot, runtime: d.runtime, defaultPython: d.defaultPython)
        (plan.pythonVersion, plan.pythonVersionSource) = (choice.version, choice.source)
        plan.notes = try VersionNotes.requiresPythonReplacedDefault(plan, snapshot: d.snapshot, defaultPython: d.defaultPython)
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        var fragments = try CondaFragments.pythonForOtherLanguages(c)
        fragments.append(try JuliaFragments.fragments(c))
        return fragments
    }
}
