import Foundation
import R2DBuildpackAssets

/// The uv-based Python pathway: a notebook environment at `$NB_PYTHON_PREFIX` with the pinned Jupyter stack,
/// then the repository's requirements, package and Pipfile (repo2docker's `buildpacks/python`, repo2docker's `buildpacks/pipfile`; with uv instead of conda).
enum PythonFragments {
    static let venvPrefix = "${APP_BASE}/venv"
    /// Pipenv versions repo2docker pins.
    static let pipenvVersion = "2022.1.8"

    /// The Python family's image (Python, Pipfile, REQUIRE): uv for the Pythons with a Jupyter lock, with the
    /// repository's `uv` fragments; conda-forge for the older ones (2.7, 3.5–3.7), as in repo2docker, with its
    /// `conda` fragments for the version. `versionFile` names where that version came from, for errors.
    static func environment(
        _ c: RenderContext, versionFile: String, uv: () throws -> Fragments,
        conda: (String) throws -> Fragments
    ) throws -> Fragments {
        guard let version = c.plan.pythonVersion else { throw BuildpackError.notYetSupported(buildpack: c.plan.kind.rawValue) }
        guard BuildpackAssets.jupyterLockPythons.contains(version) else {
            var f = try CondaFragments.base(pythonVersion: version, file: versionFile, context: c)
            f.append(try conda(version))
            return f
        }
        var f = try base(pythonVersion: version, context: c)
        f.append(try uv())
        return f
    }

    /// Shared by every Python-family image: uv, the interpreter, Jupyter, Node and npm.
    static func base(pythonVersion: String, context c: RenderContext) throws -> Fragments {
        let options = c.options
        guard let architecture = c.architecture,
            let lock = BuildpackAssets.jupyterLock(python: pythonVersion, platform: architecture.dockerPlatform)
        else {
            throw BuildpackError.unsupportedPythonVersion(file: "runtime.txt", version: pythonVersion)
        }
        var f = Fragments()
        f.buildEnvironment = [
            ("NB_PYTHON_PREFIX", venvPrefix),
            ("KERNEL_PYTHON_PREFIX", "${NB_PYTHON_PREFIX}"),
            ("NPM_DIR", "${APP_BASE}/npm"),
            ("NPM_CONFIG_GLOBALCONFIG", "${NPM_DIR}/npmrc"),
            ("UV_PYTHON_INSTALL_DIR", "${APP_BASE}/python"),
        ]
        // Caches would stay in the image's layers (BuildKit mounts them instead); a cache mount is another
        // filesystem, so uv copies; TLS through the system store so that proxies with their own CA (installed in
        // the base image) work.
        let buildKit = options.buildKitCaches
        if !buildKit { f.buildEnvironment.append(("UV_NO_CACHE", "1")) }
        f.buildEnvironment += [("UV_LINK_MODE", "copy"), ("UV_SYSTEM_CERTS", "1")]
        if !buildKit { f.buildEnvironment.append(("PIP_NO_CACHE_DIR", "1")) }
        if let index = options.pythonIndexURL {
            let word = try DockerfileText.word(index)
            f.buildEnvironment += [("UV_DEFAULT_INDEX", word), ("PIP_INDEX_URL", word)]
        }
        if let mirror = options.pythonDownloadMirror {
            f.buildEnvironment.append(("UV_PYTHON_INSTALL_MIRROR", try DockerfileText.word(mirror)))
        }
        f.pathEntries = ["${NB_PYTHON_PREFIX}/bin", "${NPM_DIR}/bin"]
        f.buildScriptFiles = [
            BuildScriptFile(name: "install-uv.bash", destination: "/tmp/install-uv.bash", contents: BuildpackAssets.installUV, mode: 0o755),
            BuildScriptFile(name: "jupyter.lock", destination: "/tmp/env/jupyter.lock", contents: lock),
            BuildScriptFile(
                name: "activate-venv.sh", destination: "/etc/profile.d/activate-venv.sh", contents: BuildpackAssets.activateVenv),
        ]
        let uvIndex = try options.pythonIndexURL.map { "UV_INDEX_URL=\(try DockerfileText.word($0)) " } ?? ""
        f.buildSteps = [
            BuildStep(
                .root,
                """
                \(uvIndex)bash /tmp/install-uv.bash
                rm /tmp/install-uv.bash
                install -o ${NB_USER} -g ${NB_USER} -d ${NB_PYTHON_PREFIX} ${NPM_DIR} ${UV_PYTHON_INSTALL_DIR}
                """),
            BuildStep(
                .notebookUser,
                """
                uv venv --python \(pythonVersion) ${NB_PYTHON_PREFIX}
                uv pip install --python ${NB_PYTHON_PREFIX} --require-hashes --no-deps -r /tmp/env/jupyter.lock
                rm -rf /tmp/env
                echo "prefix=${NPM_DIR}" > ${NPM_CONFIG_GLOBALCONFIG}
                """, caches: [.uv]),
        ]
        f.environment = [("VIRTUAL_ENV", "${NB_PYTHON_PREFIX}")]
        return f
    }

    /// requirements.txt, requirements3.txt, setup.py / pyproject.toml (repo2docker's `buildpacks/python`).
    static func requirements(_ s: RepoSnapshot) throws -> Fragments {
        var f = Fragments()
        let files = ["requirements3.txt", "requirements.txt"].map(s.binderPath).filter(s.fileExists)
        f.preassembleFiles = files
        let isPackage = try Pyproject.isPythonPackage(s)
        var hasLocalReference = false
        for file in files {
            if let text = try s.readText(file), Requirements.hasLocalReference(text) { hasLocalReference = true }
        }
        let install = files.map { "uv pip install --python ${KERNEL_PYTHON_PREFIX} -r \"\($0)\"" }
        if !install.isEmpty {
            let step = BuildStep(.notebookUser, install.joined(separator: "\n"), caches: [.uv], readsInstallerSecrets: true)
            if hasLocalReference || isPackage { f.assembleSteps.append(step) } else { f.preassembleSteps.append(step) }
        }
        if isPackage {
            f.assembleSteps.append(
                BuildStep(.notebookUser, "uv pip install --python ${KERNEL_PYTHON_PREFIX} .", caches: [.uv], readsInstallerSecrets: true))
        }
        return f
    }

    /// Pipfile / Pipfile.lock through pipenv, as repo2docker does (repo2docker's `buildpacks/pipfile`).
    static func pipfile(_ s: RepoSnapshot) -> Fragments {
        var f = Fragments()
        f.preassembleFiles = ["Pipfile", "Pipfile.lock"].map(s.binderPath).filter(s.fileExists)
        // pipenv 2022.1.8 imports pkg_resources, which uv environments do not carry and recent setuptools dropped.
        f.preassembleSteps = [
            BuildStep(
                .notebookUser, "uv pip install --python ${KERNEL_PYTHON_PREFIX} pipenv==\(pipenvVersion) \"setuptools<70\"", caches: [.uv])
        ]
        let directory = s.binderDirectory.isEmpty ? "." : s.binderDirectory
        let lockOption = s.binderFileExists("Pipfile.lock") ? "--ignore-pipfile" : "--skip-lock"
        f.assembleSteps = [
            BuildStep(
                .notebookUser,
                """
                (cd \(directory) && PATH="${KERNEL_PYTHON_PREFIX}/bin:$PATH" pipenv install \(lockOption) --system --dev && PATH="${KERNEL_PYTHON_PREFIX}/bin:$PATH" pipenv --clear)
                """, caches: DownloadCache.python, readsInstallerSecrets: true)
        ]
        return f
    }
}

/// Reading requirements files.
public enum Requirements {
    /// Whether a requirements file refers to files of the repository, so it can only be installed after the
    /// full copy: any of its lines for which ``PipRequirement/isLocal(_:)`` holds. Lines end as Python's text
    /// mode ends them (`\n`, `\r\n`, `\r`).
    public static func hasLocalReference(_ text: String) -> Bool {
        text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            .contains { PipRequirement.isLocal(String($0)) }
    }
}
