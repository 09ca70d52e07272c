/// R from a dated runtime.txt or a root DESCRIPTION (repo2docker's `buildpacks/r.py`), on top of a conda Python.
struct RBuildpack: Buildpack {
    let kind = BuildpackKind.r
    let className = "RBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool {
        if let runtime = d.runtime, runtime.name == "r", runtime.date != nil { return true }
        return d.snapshot.binderDirectory.isEmpty && d.snapshot.fileExists("DESCRIPTION")
    }

    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot)
        plan.rVersion = try RVersionRules.version(for: d.runtime, file: d.snapshot.binderPath("runtime.txt"))
        let choice = try PythonVersionRules.repo2dockerChoice(d.snapshot, runtime: d.runtime, defaultPython: d.defaultPython)
        (plan.pythonVersion, plan.pythonVersionSource) = (choice.version, choice.source)
        plan.notes = try VersionNotes.requiresPythonReplacedDefault(plan, snapshot: d.snapshot, defaultPython: d.defaultPython)
    }

    func fragments(_ c: RenderContext) throws -> Fragments {
        var fragments = try CondaFragments.pythonForOtherLanguages(c)
        fragments.append(try RFragments.fragments(c))
        return fragments
    }
}
