import R2DBuildpackAssets

/// The pixi pathway's parts: the pinned, sha256-checked pixi binary (`--pixi-url`), `pixi install --locked`
/// of the default environment (which fails on a lock older than its manifest), and that environment's
/// ipykernel registered as the notebook environment's `python3` kernel, so notebooks run in it.
enum PixiFragments {
    static let cacheDirectory = "/tmp/r2d-pixi-cache"

    /// `pixi.toml` (binder directory first, as every environment file) or, without a binder directory, a root
    /// `pyproject.toml` with `[tool.pixi]`, when a `pixi.lock` is beside it; nil otherwise.
    static func manifest(_ s: RepoSnapshot) throws -> String? {
        let pixiToml = s.binderPath("pixi.toml")
        if s.fileExists(pixiToml) { return s.fileExists(lockPath(pixiToml)) ? pixiToml : nil }
        guard s.binderDirectory.isEmpty, s.fileExists("pixi.lock"), s.fileExists("pyproject.toml") else { return nil }
        return try s.rootPyproject()?.table(["tool", "pixi"]) != nil ? "pyproject.toml" : nil
    }

    /// `pixi.lock` beside the manifest.
    static func lockPath(_ manifest: String) -> String {
        let directory = manifest.split(separator: "/").dropLast().joined(separator: "/")
        return directory.isEmpty ? "pixi.lock" : directory + "/pixi.lock"
    }

    static func lock(_ s: RepoSnapshot, manifest: String) throws -> PixiLockFile {
        let path = lockPath(manifest)
        guard let bytes = try s.readBytes(path) else { throw BuildpackError.unreadable(file: path, reason: "the file disappeared") }
        return try PixiLockFile(bytes: bytes, file: path)
    }

    /// A `pixi.toml` workspace installs before the full copy; a pyproject.toml one after it (its manifest is the
    /// project, which pixi may install from the checkout).
    static func fragments(_ c: RenderContext, manifest: String, architecture: Architecture) throws -> Fragments {
        var f = Fragments()
        f.buildScriptFiles = [
            BuildScriptFile(
                name: "install-pixi.bash", destination: "/tmp/install-pixi.bash", contents: BuildpackAssets.installPixi, mode: 0o755)
        ]
        f.buildSteps = [
            BuildStep(
                .root,
                """
                PIXI_ARCH=\(architecture.nixArchitecture) PIXI_URL=\(try DockerfileText.word(c.options.downloads.pixiURL)) bash /tmp/install-pixi.bash
                rm /tmp/install-pixi.bash
                """)
        ]
        let directory = lockPath(manifest).split(separator: "/").dropLast().joined(separator: "/")
        let python = "${REPO_DIR}/\(directory.isEmpty ? "" : directory + "/").pixi/envs/default/bin/python"
        let install = BuildStep(
            .notebookUser,
            """
            export PIXI_CACHE_DIR=\(cacheDirectory)
            pixi install --locked --manifest-path \(manifest) --environment default
            rm -rf \(cacheDirectory)
            \(python) -m ipykernel install --prefix ${NB_PYTHON_PREFIX} --name python3 --display-name "Python 3 (pixi)"
            """)
        if manifest == "pyproject.toml" {
            f.assembleSteps = [install]
        } else {
            f.preassembleFiles = [manifest, lockPath(manifest)]
            f.preassembleSteps = [install]
        }
        return f
    }
}
