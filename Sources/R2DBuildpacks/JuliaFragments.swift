import R2DBuildpackAssets

/// Julia from the official tarballs, IJulia and the project's packages (repo2docker's `buildpacks/julia/julia_project.py`).
enum JuliaFragments {
    static func fragments(_ s: RepoSnapshot, plan: BuildPlan, options: RenderOptions) throws -> Fragments {
        guard let version = plan.juliaVersion else { throw BuildpackError.notYetSupported(buildpack: "julia") }
        let (arch, short): (String, String)
        switch Platform.architecture(options.platform) {
        case "aarch64": (arch, short) = ("aarch64", "aarch64")
        default: (arch, short) = ("x86_64", "x64")
        }
        let project = s.binderDirectory.isEmpty ? "${REPO_DIR}" : "${REPO_DIR}/\(s.binderDirectory)"
        let locations = options.downloads
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
            BuildStep(.root, """
                mkdir -p ${JULIA_PATH}
                curl --fail --silent --show-error --location --retry 3 --output /tmp/julia.tar.gz \(try DockerfileText.word(locations.juliaDownloadURL))/"linux/${JULIA_ARCH_SHORT}/${JULIA_VERSION%[.-]*}/julia-${JULIA_VERSION}-linux-${JULIA_ARCH}.tar.gz"
                tar -xzf /tmp/julia.tar.gz -C ${JULIA_PATH} --strip-components 1
                rm /tmp/julia.tar.gz
                install -o ${NB_USER} -g ${NB_USER} -d ${JULIA_DEPOT_PATH}
                """),
        ]
        // Project.toml is not copied early: everything Julia happens after the full copy, as in repo2docker.
        f.assembleSteps = [
            BuildStep(.notebookUser, """
                JULIA_PROJECT="" julia -e "using Pkg; Pkg.add(\\"IJulia\\"); using IJulia; installkernel(\\"Julia\\", \\"--project=\(project)\\");"
                """),
            BuildStep(.notebookUser, """
                julia --project=\(project) -e "using Pkg; Pkg.instantiate(); Pkg.resolve(); Pkg.instantiate()"
                """),
        ]
        return f
    }
}

/// A single-user Nix with the repository's default.nix as the environment (repo2docker's `buildpacks/nix`). Nothing else is
/// installed: the Nix expression provides Jupyter.
enum NixFragments {
    static func fragments(_ s: RepoSnapshot, options: RenderOptions) throws -> Fragments {
        let arch = Platform.architecture(options.platform) ?? "x86_64"
        let locations = options.downloads
        var f = Fragments()
        f.pathEntries = ["/home/${NB_USER}/.nix-profile/bin"]
        f.environment = [
            ("NIX_PATH", "nixpkgs=/home/${NB_USER}/.nix-defexpr/channels/nixpkgs"),
            ("NIX_SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"),
            ("GIT_SSL_CAINFO", "/etc/ssl/certs/ca-certificates.crt"),
        ]
        f.buildScriptFiles = [
            BuildScriptFile(name: "install-nix.bash", destination: "/home/${NB_USER}/.local/bin/install-nix.bash", contents: BuildpackAssets.installNix, mode: 0o755),
            BuildScriptFile(name: "nix-shell-wrapper", destination: "/usr/local/bin/nix-shell-wrapper", contents: BuildpackAssets.nixShellWrapper, mode: 0o755),
        ]
        f.buildSteps = [
            BuildStep(.root, """
                mkdir -m 0755 /nix
                chown -R ${NB_USER}:${NB_USER} /nix /usr/local/bin/nix-shell-wrapper /home/${NB_USER}
                mkdir -p /etc/nix
                echo "sandbox = false" > /etc/nix/nix.conf
                """),
            BuildStep(.notebookUser, """
                NIX_ARCH=\(arch) NIX_INSTALLER_URL=\(try DockerfileText.word(locations.nixInstallerURL)) bash /home/${NB_USER}/.local/bin/install-nix.bash
                rm /home/${NB_USER}/.local/bin/install-nix.bash
                """),
        ]
        f.assembleSteps = [
            BuildStep(.notebookUser, """
                nix-channel --add \(try DockerfileText.word(locations.nixChannelURL)) nixpkgs
                nix-channel --update
                nix-shell \(s.binderPath("default.nix"))
                """),
        ]
        return f
    }
}
