/// A repository with its own Dockerfile (repo2docker's `buildpacks/docker.py`): built as it is, from the repo dir.
struct DockerBuildpack: Buildpack {
    let kind = BuildpackKind.docker
    let className = "DockerBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool { d.snapshot.binderFileExists("Dockerfile") }

    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        let s = d.snapshot
        plan.dockerfile = s.binderPath("Dockerfile")
        // Docker's own rules: the context root's ignore files, plus the per-Dockerfile one.
        plan.ignoreFiles = [".dockerignore", ".containerignore", s.binderPath("Dockerfile") + ".dockerignore"]
            .filter(s.fileExists)
    }

    /// Nothing is generated: `render` returns the user's Dockerfile.
    func fragments(_ context: RenderContext) throws -> Fragments { Fragments() }

    /// The user Dockerfile verbatim (no appendix and no option checks, as repo2docker does).
    func render(_ c: RenderContext) throws -> RenderedBuild {
        guard let path = c.plan.dockerfile, let text = try c.snapshot.readText(path) else {
            throw BuildpackError.unreadable(file: c.plan.dockerfile ?? "Dockerfile", reason: "the file disappeared")
        }
        return RenderedBuild(dockerfile: text, files: [], isGenerated: false)
    }
}
