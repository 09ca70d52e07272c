import Foundation
import R2DBuildpackAssets

/// The micromamba + conda-forge pathway (repo2docker's `buildpacks/conda`): environment.yml repositories, Pythons uv cannot
/// provide (2.7, 3.5–3.7), and the Python part of R and Julia images.
enum CondaFragments {
    /// Pythons below this get a kernel-only environment beside a notebook environment of `serverPython`.
    static let kernelOnlyPythons: Set<String> = ["2.7", "3.5", "3.6"]
    static let serverPython = "3.10"
    /// The Pythons conda-forge still has for aarch64 (the legacy kernels exist only for linux-64).
    static let aarch64Pythons: Set<String> = Set((7...14).map { "3.\($0)" })
    static let pipenvVersion = "2022.1.8"
    static let legacyPipenvVersion = "2021.5.29"

    static func usesSeparateKernel(_ python: String) -> Bool { kernelOnlyPythons.contains(python) }

    /// micromamba, the base prefix and the notebook (and kernel) environments; `file` names where the Python
    /// version came from, for errors.
    static func base(pythonVersion: String, file: String, context c: RenderContext) throws -> Fragments {
        let options = c.options
        guard let architecture = c.architecture, architecture == .amd64 || aarch64Pythons.contains(pythonVersion) else {
            throw BuildpackError.unsupportedCondaPython(file: file, version: pythonVersion, platform: options.platform)
        }
        let platform = architecture.condaPlatform
        let separate = usesSeparateKernel(pythonVersion)
        let notebookPython = separate ? serverPython : pythonVersion
        guard let notebookSpec = BuildpackAssets.condaNotebookSpec(python: notebookPython),
            !separate || BuildpackAssets.condaKernelSpec(python: pythonVersion) != nil
        else {
            throw BuildpackError.unsupportedCondaPython(file: file, version: pythonVersion, platform: platform)
        }
        var f = Fragments()
        f.buildEnvironment = try baseEnvironment(platform: platform, separateKernel: separate, options: options)
        f.pathEntries =
            ["${NB_PYTHON_PREFIX}/bin"] + (separate ? ["${KERNEL_PYTHON_PREFIX}/bin"] : []) + ["${CONDA_DIR}/bin", "${NPM_DIR}/bin"]
        f.buildScriptFiles = [
            BuildScriptFile(
                name: "activate-conda.sh", destination: "/etc/profile.d/activate-conda.sh", contents: BuildpackAssets.activateConda),
            BuildScriptFile(name: "environment.txt", destination: "/tmp/env/environment.txt", contents: notebookSpec),
            BuildScriptFile(
                name: "install-base-env.bash", destination: "/tmp/install-base-env.bash", contents: BuildpackAssets.installBaseEnv,
                mode: 0o755),
        ]
        if separate, let kernelSpec = BuildpackAssets.condaKernelSpec(python: pythonVersion) {
            f.buildScriptFiles.append(
                BuildScriptFile(name: "kernel-environment.txt", destination: "/tmp/env/kernel-environment.txt", contents: kernelSpec))
        }
        let locations = options.downloads
        f.buildSteps = [
            BuildStep(
                .root,
                """
                install -o ${NB_USER} -g ${NB_USER} -d ${NPM_DIR}
                MICROMAMBA_URL=\(try DockerfileText.word(locations.micromambaURL)) CONDA_CHANNELS=\(try DockerfileText.word(locations.condaChannels.joined(separator: " "))) /tmp/install-base-env.bash
                rm -rf /tmp/install-base-env.bash /tmp/env
                chown -R ${NB_USER}:${NB_USER} ${NPM_DIR}
                """, caches: [.condaPackages])
        ]
        f.environment = [("CONDA_DEFAULT_ENV", "${KERNEL_PYTHON_PREFIX}")]
        return f
    }

    /// The base image's variables: where conda, the notebook (and kernel) environments and npm live.
    static func baseEnvironment(platform: String, separateKernel separate: Bool, options: RenderOptions) throws -> [(String, String)] {
        var environment: [(String, String)] = [
            ("CONDA_DIR", "${APP_BASE}/conda"),
            ("NB_PYTHON_PREFIX", "${CONDA_DIR}/envs/notebook"),
            ("NPM_DIR", "${APP_BASE}/npm"),
            ("NPM_CONFIG_GLOBALCONFIG", "${NPM_DIR}/npmrc"),
            ("NB_ENVIRONMENT_FILE", "/tmp/env/environment.txt"),
            ("MAMBA_ROOT_PREFIX", "${CONDA_DIR}"),
            ("MAMBA_EXE", "${CONDA_DIR}/bin/mamba"),
            ("CONDA_PLATFORM", platform),
        ]
        if separate {
            environment += [
                ("KERNEL_PYTHON_PREFIX", "${CONDA_DIR}/envs/kernel"),
                ("KERNEL_ENVIRONMENT_FILE", "/tmp/env/kernel-environment.txt"),
            ]
        } else {
            environment.append(("KERNEL_PYTHON_PREFIX", "${NB_PYTHON_PREFIX}"))
        }
        // pip caches would stay in the image's layers (BuildKit mounts them instead).
        if !options.buildKitCaches { environment.append(("PIP_NO_CACHE_DIR", "1")) }
        if let index = options.pythonIndexURL { environment.append(("PIP_INDEX_URL", try DockerfileText.word(index))) }
        return environment
    }

    /// R and Julia images are Python images too: the conda base (its Python from runtime.txt), environment.yml,
    /// requirements.txt and the repository's package, before their own parts.
    static func pythonForOtherLanguages(_ c: RenderContext) throws -> Fragments {
        let version = c.plan.pythonVersion ?? PythonVersionRules.defaultVersion
        var f = try base(pythonVersion: version, file: c.snapshot.binderPath("runtime.txt"), context: c)
        f.append(try environmentFile(c.snapshot, pythonVersion: version, context: c))
        f.append(try requirements(c.snapshot, pythonVersion: version, caches: c.options.buildKitCaches))
        return f
    }

    /// The prefix user packages go into: the kernel environment when there is one.
    static func userPrefix(_ python: String) -> String {
        usesSeparateKernel(python) ? "${KERNEL_PYTHON_PREFIX}" : "${NB_PYTHON_PREFIX}"
    }

    /// environment.yml / environment.yaml: `mamba env update` of the user prefix, before the full copy unless
    /// its pip list refers to repository files; plus R (IRkernel, RStudio, Shiny) when it asks for `r-` packages.
    static func environmentFile(_ s: RepoSnapshot, pythonVersion: String, context c: RenderContext) throws -> Fragments {
        var f = Fragments()
        guard let file = environmentFilePath(s), let bytes = try s.readBytes(file) else { return f }
        let env = try CondaEnvironmentFile.parse(bytes, file: file)
        let prefix = userPrefix(pythonVersion), caches = c.options.buildKitCaches
        // The package cache is a mount under BuildKit: cleaning it would only defeat it.
        let clean = caches ? "" : " && time ${MAMBA_EXE} clean --all -f -y"
        var steps = [
            BuildStep(
                .notebookUser,
                """
                TIMEFORMAT='time: %3R' bash -c 'time ${MAMBA_EXE} env update -p \(prefix) --file "\(file)"\(clean) && ${MAMBA_EXE} list -p \(prefix)'
                """, caches: [.condaPackages, .pip], readsInstallerSecrets: true)
        ]
        if env.wantsR {
            let rBase = env.rBaseVersion.map { "r-base=\($0)" } ?? "r-base"
            steps.append(
                BuildStep(
                    .notebookUser,
                    """
                    ${MAMBA_EXE} install -p \(prefix) \(rBase) r-irkernel r-devtools -y
                    \(caches ? "" : "${MAMBA_EXE} clean --all -f -y")
                    ${MAMBA_EXE} list -p \(prefix)
                    """, caches: [.condaPackages]))
            // Posit builds RStudio Server and Shiny Server for amd64 only.
            if c.architecture?.positArchitecture != nil {
                steps += try RFragments.rstudioSteps(c.options.downloads, caches: caches)
            }
            steps.append(
                BuildStep(
                    .root,
                    """
                    echo "export PATH=\\"\\${PATH}:${CONDA_DIR}/bin\\"" >> /etc/profile.d/00-rstudio.sh
                    mkdir -p /etc/rstudio
                    printf '%s\\n' auth-none=1 auth-minimum-user-id=0 "rsession-which-r=\(prefix)/bin/R" "rsession-ld-library-path=\(prefix)/lib" www-frame-origin=same "server-user=${NB_USER}" server-daemonize=0 >> /etc/rstudio/rserver.conf
                    install -o ${NB_USER} -g ${NB_USER} -d /var/lib/rstudio-server
                    chown -R ${NB_USER}:${NB_USER} /etc/rstudio /var/lib/rstudio-server
                    """))
            steps.append(
                BuildStep(
                    .notebookUser,
                    """
                    \(prefix)/bin/R --quiet -e "IRkernel::installspec(prefix='${NB_PYTHON_PREFIX}')"
                    """))
        }
        if env.hasLocalPipRequirement {
            f.assembleSteps = steps
        } else {
            f.preassembleFiles = [file]
            f.preassembleSteps = steps
        }
        return f
    }

    /// `binder_path("environment.yml")`, else `.yaml`, else nil.
    static func environmentFilePath(_ s: RepoSnapshot) -> String? {
        if s.binderFileExists("environment.yml") { return s.binderPath("environment.yml") }
        if s.binderFileExists("environment.yaml") { return s.binderPath("environment.yaml") }
        return nil
    }

    /// requirements.txt (into the user prefix), requirements3.txt (into the notebook environment, only beside a
    /// separate kernel) and the repository's own package, with pip (repo2docker's `buildpacks/python`).
    static func requirements(_ s: RepoSnapshot, pythonVersion: String, caches: Bool) throws -> Fragments {
        var f = Fragments()
        let separate = usesSeparateKernel(pythonVersion)
        let requirements3 = s.binderPath("requirements3.txt"), requirements = s.binderPath("requirements.txt")
        f.preassembleFiles = [requirements3, requirements].filter(s.fileExists)
        var install: [String] = []
        if separate && s.fileExists(requirements3) {
            install.append("${NB_PYTHON_PREFIX}/bin/\(pipInstall(caches)) -r \"\(requirements3)\"")
        }
        if s.fileExists(requirements) {
            install.append("${KERNEL_PYTHON_PREFIX}/bin/\(pipInstall(caches)) -r \"\(requirements)\"")
        }
        let isPackage = try Pyproject.isPythonPackage(s)
        var local = false
        for file in f.preassembleFiles {
            if let text = try s.readText(file), Requirements.hasLocalReference(text) { local = true }
        }
        if !install.isEmpty {
            let step = BuildStep(.notebookUser, install.joined(separator: "\n"), caches: [.pip], readsInstallerSecrets: true)
            if local || isPackage { f.assembleSteps.append(step) } else { f.preassembleSteps.append(step) }
        }
        if isPackage {
            f.assembleSteps.append(
                BuildStep(
                    .notebookUser, "${KERNEL_PYTHON_PREFIX}/bin/\(pipInstall(caches)) .", caches: [.pip], readsInstallerSecrets: true))
        }
        return f
    }

    /// Pipfile / Pipfile.lock through pipenv in the user prefix (repo2docker's `buildpacks/pipfile`).
    static func pipfile(_ s: RepoSnapshot, pythonVersion: String, caches: Bool) -> Fragments {
        var f = Fragments()
        let separate = usesSeparateKernel(pythonVersion)
        let requirements3 = s.binderPath("requirements3.txt")
        f.preassembleFiles = [requirements3, s.binderPath("Pipfile"), s.binderPath("Pipfile.lock")].filter(s.fileExists)
        let pipenv = ["2.7", "3.5"].contains(pythonVersion) ? legacyPipenvVersion : pipenvVersion
        f.preassembleSteps = [
            BuildStep(.notebookUser, "${KERNEL_PYTHON_PREFIX}/bin/\(pipInstall(caches)) pipenv==\(pipenv)", caches: [.pip])
        ]
        if separate && s.fileExists(requirements3) {
            f.assembleSteps.append(
                BuildStep(
                    .notebookUser, "${NB_PYTHON_PREFIX}/bin/\(pipInstall(caches)) -r \"\(requirements3)\"", caches: [.pip],
                    readsInstallerSecrets: true))
        }
        let directory = s.binderDirectory.isEmpty ? "." : s.binderDirectory
        let lockOption = s.binderFileExists("Pipfile.lock") ? "--ignore-pipfile" : "--skip-lock"
        f.assembleSteps.append(
            BuildStep(
                .notebookUser,
                """
                (cd \(directory) && PATH="${KERNEL_PYTHON_PREFIX}/bin:$PATH" pipenv install \(lockOption) --system --dev && PATH="${KERNEL_PYTHON_PREFIX}/bin:$PATH" pipenv --clear)
                """, caches: [.pip], readsInstallerSecrets: true))
        return f
    }

    /// `pip install`, keeping nothing in the layer: `--no-cache-dir` for the classic builder; under BuildKit
    /// pip caches in its mount (`DownloadCache.pip`).
    static func pipInstall(_ caches: Bool) -> String { caches ? "pip install" : "pip install --no-cache-dir" }
}
