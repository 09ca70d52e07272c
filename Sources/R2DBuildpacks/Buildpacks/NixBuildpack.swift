import R2DBuildpackAssets

/// default.nix (repo2docker's `buildpacks/nix`): the Nix expression is the whole environment.
struct NixBuildpack: Buildpack {
    let kind = BuildpackKind.nix
    let className = "NixBuildPack"

    func matches(_ d: DetectionContext) throws -> Bool { d.snapshot.binderFileExists("default.nix") }

    /// The image starts through nix-shell, whatever start script the repository has; no version is picked.
    func fill(_ plan: inout BuildPlan, from d: DetectionContext) throws {
        try plan.addRepositoryFiles(d.snapshot, start: "/usr/local/bin/nix-shell-wrapper")
    }

    func fragments(_ c: RenderContext) throws -> Fragments { try NixFragments.fragments(c) }
}

/// A single-user Nix with the repository's default.nix as the environment (repo2docker's `buildpacks/nix`). Nothing else is
/// installed: the Nix expression provides Jupyter.
enum NixFragments {
    static func fragments(_ c: RenderContext) throws -> Fragments {
        // The Nix pathway does not refuse a platform it has no installer for: an unknown one keeps x86_64's.
        let arch = (c.architecture ?? .amd64).nixArchitecture
        let s = c.snapshot, locations = c.options.downloads
        var f = Fragments()
        f.pathEntries = ["/home/${NB_USER}/.nix-profile/bin"]
        f.environment = [
            ("NIX_PATH", "nixpkgs=/home/${NB_USER}/.nix-defexpr/channels/nixpkgs"),
            ("NIX_SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"),
            ("GIT_SSL_CAINFO", "/etc/ssl/certs/ca-certificates.crt"),
        ]
        f.buildScriptFiles = [
            BuildScriptFile(
                name: "install-nix.bash", destination: "/home/${NB_USER}/.local/bin/install-nix.bash", contents: BuildpackAssets.installNix,
                mode: 0o755),
            BuildScriptFile(
                name: "nix-shell-wrapper", destination: "/usr/local/bin/nix-shell-wrapper", contents: BuildpackAssets.nixShellWrapper,
                mode: 0o755),
        ]
        f.buildSteps = [
            BuildStep(
                .root,
                """
                mkdir -m 0755 /nix
                chown -R ${NB_USER}:${NB_USER} /nix /usr/local/bin/nix-shell-wrapper /home/${NB_USER}
                mkdir -p /etc/nix
                echo "sandbox = false" > /etc/nix/nix.conf
                """),
            BuildStep(
                .notebookUser,
                """
                NIX_ARCH=\(arch) NIX_INSTALLER_URL=\(try DockerfileText.word(locations.nixInstallerURL)) bash /home/${NB_USER}/.local/bin/install-nix.bash
                rm /home/${NB_USER}/.local/bin/install-nix.bash
                """),
        ]
        f.assembleSteps = [
            BuildStep(
                .notebookUser,
                """
                nix-channel --add \(try DockerfileText.word(locations.nixChannelURL)) nixpkgs
                nix-channel --update
                nix-shell \(s.binderPath("default.nix"))
                """)
        ]
        return f
    }
}
