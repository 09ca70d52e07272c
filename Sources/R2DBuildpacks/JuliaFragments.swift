/// Julia from the official tarballs, IJulia and the project's packages (repo2docker's `buildpacks/julia/julia_project.py`).
enum JuliaFragments {
    static func fragments(_ c: RenderContext) throws -> Fragments {
        guard let version = c.plan.juliaVersion else { throw BuildpackError.notYetSupported(buildpack: "julia") }
        // The conda base before these fragments has refused a platform without an architecture already.
        let (arch, short) = (c.architecture ?? .amd64).juliaArchitecture
        let s = c.snapshot, locations = c.options.downloads
        let project = s.binderDirectory.isEmpty ? "${REPO_DIR}" : "${REPO_DIR}/\(s.binderDirectory)"
        var f = Fragments()
        f.buildEnvironment = [
            ("JULIA_PATH", "${APP_BASE}/julia"),
            ("JULIA_DEPOT_PATH", "${JULIA_PATH}/pkg"),
            ("JULIA_VERSION", version),
            ("JULIA_ARCH", arch),
            ("JULIA_ARCH_SHORT", short),
            ("JUPYTER", "${NB_PYTHON_PREFIX}/bin/jupyter"),
            ("JUPYTER_DATA_DIR", "${NB_PYTHON_PREFIX}/share/jupyter"),
        ]
        if let server = locations.juliaPackageServer { f.buildEnvironment.append(("JULIA_PKG_SERVER", try DockerfileText.word(server))) }
        f.pathEntries = ["${JULIA_PATH}/bin"]
        f.environment = [("JULIA_PROJECT", project)]
        // ${JULIA_VERSION%[.-]*} is the release's major.minor directory, computed by the shell.
        f.buildSteps = [
            BuildStep(
                .root,
                """
                mkdir -p ${JULIA_PATH}
                curl --fail --silent --show-error --location --retry 3 --output /tmp/julia.tar.gz \(try DockerfileText.word(locations.juliaDownloadURL))/"linux/${JULIA_ARCH_SHORT}/${JULIA_VERSION%[.-]*}/julia-${JULIA_VERSION}-linux-${JULIA_ARCH}.tar.gz"
                tar -xzf /tmp/julia.tar.gz -C ${JULIA_PATH} --strip-components 1
                rm /tmp/julia.tar.gz
                install -o ${NB_USER} -g ${NB_USER} -d ${JULIA_DEPOT_PATH}
                """)
        ]
        // Project.toml is not copied early: everything Julia happens after the full copy, as in repo2docker.
        f.assembleSteps = [
            BuildStep(
                .notebookUser,
                """
                JULIA_PROJECT="" julia -e "using Pkg; Pkg.add(\\"IJulia\\"); using IJulia; installkernel(\\"Julia\\", \\"--project=\(project)\\");"
                """),
            BuildStep(
                .notebookUser,
                """
                julia --project=\(project) -e "using Pkg; Pkg.instantiate(); Pkg.resolve(); Pkg.instantiate()"
                """),
        ]
        return f
    }
}
