import Foundation
import R2DBuildpackAssets

/// Settings that shape the generated Dockerfile. User Dockerfiles ignore them.
public struct RenderOptions: Sendable, Equatable {
    public var baseImage: String
    public var appendix: String
    public var platform: String
    /// The literal uid in `COPY --chown` (the `NB_UID` build arg).
    public var userID: Int
    /// A PEP 503 index for uv, pip and the uv download itself; nil means PyPI.
    public var pythonIndexURL: String?
    /// Where uv downloads Python builds the base image lacks; nil means uv's default.
    public var pythonDownloadMirror: String?
    /// Where the conda, R, Julia and Nix pathways download from at build time.
    public var downloads: DownloadLocations
    /// "Today" for an R repository without a snapshot date (its snapshot is two days earlier).
    public var today: Date

    public init(baseImage: String = "docker.io/library/buildpack-deps:24.04", appendix: String = "", platform: String = "linux/amd64",
                userID: Int = 1000, pythonIndexURL: String? = nil, pythonDownloadMirror: String? = nil,
                downloads: DownloadLocations = DownloadLocations(), today: Date = Date()) {
        self.downloads = downloads
        self.today = today
        self.baseImage = baseImage
        self.appendix = appendix
        self.platform = platform
        self.userID = userID
        self.pythonIndexURL = pythonIndexURL
        self.pythonDownloadMirror = pythonDownloadMirror
    }
}

extension RenderOptions {
    /// Every value of the options against its grammar (`ValueRules.swift`), named as its setting is. The
    /// command line checks the same rules first, naming the flag; this keeps the renderer safe on its own.
    public func validate() throws {
        var checks: [(String, ValueRule, String)] = [
            ("base_image", .imageReference, baseImage), ("platform", .platform, platform),
        ]
        if let pythonIndexURL { checks.append(("python_index_url", .url, pythonIndexURL)) }
        if let pythonDownloadMirror { checks.append(("python_download_mirror", .url, pythonDownloadMirror)) }
        checks += downloads.checks
        for (name, rule, value) in checks {
            do { try rule.check(value) } catch { throw BuildpackError.invalidSetting(name: name, violation: error) }
        }
        guard (1...4_294_967_294).contains(userID) else {
            throw BuildpackError.invalidSetting(name: "user_id", violation: ValueRuleViolation(rule: .userID, value: String(userID)))
        }
    }
}

/// The rendered Dockerfile and the files it expects beside it in the build context.
public struct RenderedBuild: Sendable {
    public var dockerfile: String
    /// Context files other than the repository (which a generated Dockerfile expects under `src/`).
    public var files: [GeneratedFile]
    /// True for generated Dockerfiles: the repository goes under `src/` and the Dockerfile at the root.
    public var isGenerated: Bool
}

/// Turns a plan into Dockerfile text, in repo2docker's layer order (repo2docker's `buildpacks/base.py` template), using only syntax the
/// classic Docker builder and Podman accept (no `COPY --chmod`: modes come from the context tarball).
public enum DockerfileRenderer {
    /// A user Dockerfile is returned verbatim (no appendix, as repo2docker does).
    public static func render(_ plan: BuildPlan, snapshot: RepoSnapshot, options: RenderOptions) throws -> String {
        try renderBuild(plan, snapshot: snapshot, options: options).dockerfile
    }

    public static func renderBuild(_ plan: BuildPlan, snapshot: RepoSnapshot, options: RenderOptions) throws -> RenderedBuild {
        if plan.kind != .docker { try options.validate() }
        switch plan.kind {
        case .docker:
            guard let path = plan.dockerfile, let text = try snapshot.readText(path) else {
                throw BuildpackError.unreadable(file: plan.dockerfile ?? "Dockerfile", reason: "the file disappeared")
            }
            return RenderedBuild(dockerfile: text, files: [], isGenerated: false)
        case .python, .pipfile, .juliaRequire:
            guard let version = plan.pythonVersion else { throw BuildpackError.notYetSupported(buildpack: plan.kind.rawValue) }
            let isPipfile = plan.kind == .pipfile
            guard BuildpackAssets.jupyterLockPythons.contains(version) else {
                // Pythons uv has no lock for (2.7, 3.5–3.7) come from conda-forge, as in repo2docker.
                let file = isPipfile ? snapshot.binderPath("Pipfile") : snapshot.binderPath("runtime.txt")
                var fragments = try CondaFragments.base(pythonVersion: version, file: file, options: options)
                fragments.append(isPipfile ? CondaFragments.pipfile(snapshot, pythonVersion: version)
                                           : try CondaFragments.requirements(snapshot, pythonVersion: version))
                return try compose(fragments, plan: plan, options: options)
            }
            var fragments = try PythonFragments.base(pythonVersion: version, options: options)
            fragments.append(isPipfile ? PythonFragments.pipfile(snapshot) : try PythonFragments.requirements(snapshot))
            return try compose(fragments, plan: plan, options: options)
        case .conda:
            let version = plan.pythonVersion ?? PythonVersionRules.defaultVersion
            let file = CondaFragments.environmentFilePath(snapshot) ?? "environment.yml"
            var fragments = try CondaFragments.base(pythonVersion: version, file: file, options: options)
            fragments.append(try CondaFragments.environmentFile(snapshot, pythonVersion: version, options: options))
            return try compose(fragments, plan: plan, options: options)
        case .r, .julia:
            // R and Julia images are Python images too: the conda base, environment.yml, requirements.txt and
            // the repository's package, then their own parts.
            let version = plan.pythonVersion ?? PythonVersionRules.defaultVersion
            var fragments = try CondaFragments.base(pythonVersion: version, file: snapshot.binderPath("runtime.txt"), options: options)
            fragments.append(try CondaFragments.environmentFile(snapshot, pythonVersion: version, options: options))
            fragments.append(try CondaFragments.requirements(snapshot, pythonVersion: version))
            fragments.append(plan.kind == .r ? try RFragments.fragments(snapshot, plan: plan, options: options)
                                             : try JuliaFragments.fragments(snapshot, plan: plan, options: options))
            return try compose(fragments, plan: plan, options: options)
        case .nix:
            return try compose(try NixFragments.fragments(snapshot, options: options), plan: plan, options: options)
        }
    }

    static let entrypointFiles: [GeneratedFile] = [
        GeneratedFile(path: "python3-login", contents: BuildpackAssets.python3Login, mode: 0o755),
        GeneratedFile(path: "repo2docker-entrypoint", contents: BuildpackAssets.entrypoint, mode: 0o755),
    ]

    static func compose(_ f: Fragments, plan: BuildPlan, options: RenderOptions) throws -> RenderedBuild {
        var d = DockerfileLines()
        try baseLayers(&d, plan: plan, options: options)
        environmentLayers(&d, f, options: options)
        repositoryLayers(&d, f, plan: plan, options: options)
        if !options.appendix.isEmpty {
            d.lines.append("")
            d.lines.append(options.appendix)
        }
        let files = entrypointFiles + f.buildScriptFiles.map {
            GeneratedFile(path: "build_script_files/\($0.name)", contents: $0.contents, mode: $0.mode)
        }
        return RenderedBuild(dockerfile: d.lines.joined(separator: "\n") + "\n", files: files, isGenerated: true)
    }

    /// `COPY --chown` with the literal image uid.
    static func chown(_ options: RenderOptions) -> String { "--chown=\(options.userID):\(options.userID)" }

    /// FROM, locales, the image user and the base apt packages: the same for every repository.
    static func baseLayers(_ d: inout DockerfileLines, plan: BuildPlan, options: RenderOptions) throws {
        d.lines.append("FROM \(options.baseImage)")
        d.lines.append("")
        if plan.kind == .juliaRequire {
            // repo2docker renders REQUIRE repositories but refuses to build them; fail at the first step.
            let file = plan.binderDirectory.isEmpty ? "REQUIRE" : plan.binderDirectory + "/REQUIRE"
            d.lines.append("RUN echo \(try DockerfileText.word(BuildpackError.juliaRequire(file: file).description)) >&2 && exit 1")
            d.lines.append("")
        }
        d.lines.append("ENV DEBIAN_FRONTEND=noninteractive")
        d.lines.append("")
        d.lines.append("# Locales")
        d.lines.append("RUN " + shellBlock("""
            \(aptInstall(["locales"], recommends: false))
            echo "en_US.UTF-8 UTF-8" > /etc/locale.gen
            locale-gen
            """))
        d.lines += ["ENV LC_ALL=en_US.UTF-8", "ENV LANG=en_US.UTF-8", "ENV LANGUAGE=en_US.UTF-8", "", "ENV SHELL=/bin/bash", ""]
        d.lines.append("# The image user; a base image that already has this uid (Ubuntu 24.04's ubuntu) gets it renamed.")
        d.lines += ["ARG NB_USER", "ARG NB_UID", "ENV USER=${NB_USER}", "ENV HOME=/home/${NB_USER}"]
        d.lines.append("RUN " + shellBlock("""
            old_group="$(getent group ${NB_UID} | cut -d: -f1)"
            if [ -n "$old_group" ] && [ "$old_group" != "${NB_USER}" ]; then groupmod --new-name ${NB_USER} "$old_group"; fi
            if [ -z "$old_group" ]; then groupadd --gid ${NB_UID} ${NB_USER}; fi
            old_user="$(getent passwd ${NB_UID} | cut -d: -f1)"
            if [ -n "$old_user" ] && [ "$old_user" != "${NB_USER}" ]; then usermod --home /home/${NB_USER} --login ${NB_USER} --move-home "$old_user"; fi
            if [ -z "$old_user" ]; then useradd --comment "Default user" --create-home --gid ${NB_UID} --no-log-init --shell /bin/bash --uid ${NB_UID} ${NB_USER}; fi
            """))
        d.lines.append("")
        d.lines.append("RUN " + shellBlock(aptInstall(["gettext-base", "less", "unzip"], recommends: false)))
    }

    /// The buildpacks' apt packages, build environment, support files and build steps (no repository file yet).
    static func environmentLayers(_ d: inout DockerfileLines, _ f: Fragments, options: RenderOptions) {
        if !f.aptPackages.isEmpty {
            d.lines.append("RUN " + shellBlock(aptInstall(f.aptPackages.sorted(), recommends: true)))
        }
        d.lines += ["", "EXPOSE 8888", ""]
        d.lines.append("ENV APP_BASE=/srv")
        for (key, value) in f.buildEnvironment { d.lines.append("ENV \(key)=\(value)") }
        if !f.pathEntries.isEmpty { d.lines.append("ENV PATH=\(f.pathEntries.joined(separator: ":")):${PATH}") }
        d.lines.append("")
        for file in f.buildScriptFiles.sorted(by: { $0.name < $1.name }) {
            d.lines.append("COPY \(chown(options)) build_script_files/\(file.name) \(file.destination)")
        }
        d.lines.append("")
        d.run(f.buildSteps)
        d.lines.append("")
    }

    /// REPO_DIR, the environment files and their steps, the repository, postBuild, start and the entrypoint.
    static func repositoryLayers(_ d: inout DockerfileLines, _ f: Fragments, plan: BuildPlan, options: RenderOptions) {
        d.setUser(.root)
        d.lines += ["ARG REPO_DIR=${HOME}", "ENV REPO_DIR=${REPO_DIR}"]
        d.lines.append("RUN if [ ! -d \"${REPO_DIR}\" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d \"${REPO_DIR}\"; fi")
        d.lines += ["WORKDIR ${REPO_DIR}", "RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}", ""]
        d.lines.append("ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}")
        for (key, value) in f.environment { d.lines.append("ENV \(key)=\(value)") }
        d.lines.append("")
        d.lines.append("# Environment files first, so that editing other files keeps the installed environment cached.")
        for path in f.preassembleFiles.sorted() {
            d.lines.append("COPY \(chown(options)) src/\(path) ${REPO_DIR}/\(path)")
        }
        var preassemble: [BuildStep] = []
        if !plan.aptPackages.isEmpty {
            preassemble.append(BuildStep(.root, aptInstall(plan.aptPackages, recommends: false, quiet: false)))
        }
        d.run(preassemble + f.preassembleSteps)
        d.lines.append("")
        d.setUser(.root)
        d.lines.append("COPY \(chown(options)) src/ ${REPO_DIR}/")
        d.run(f.assembleSteps)
        d.lines.append("")
        // Labels are not written here: they travel with the build request and the daemon adds them last, so
        // the Dockerfile (and the context digest) does not depend on them.
        d.setUser(.notebookUser)
        for script in plan.postBuild {
            d.lines.append("RUN chmod +x \(script)")
            d.lines.append("RUN ./\(script)")
        }
        if let start = plan.start {
            let path = start.hasPrefix("/") ? start : "${REPO_DIR}/\(start)"
            if !start.hasPrefix("/") { d.lines.append("RUN chmod +x \"\(path)\"") }
            d.lines.append("ENV R2D_ENTRYPOINT=\"\(path)\"")
        }
        d.lines.append("")
        d.lines.append("ENV PYTHONUNBUFFERED=1")
        d.lines.append("# Executable modes come from the build context, so no COPY --chmod is needed.")
        d.lines.append("COPY python3-login /usr/local/bin/python3-login")
        d.lines.append("COPY repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint")
        d.lines.append("ENTRYPOINT [\"/usr/local/bin/repo2docker-entrypoint\"]")
        d.lines.append("CMD [\"jupyter\", \"notebook\", \"--ip\", \"0.0.0.0\"]")
    }

    /// One sorted `apt-get install` that leaves no lists or caches behind.
    static func aptInstall(_ packages: [String], recommends: Bool, quiet: Bool = true) -> String {
        let q = quiet ? " -qq" : ""
        let redirect = quiet ? " > /dev/null" : ""
        return """
            apt-get\(q) update\(redirect)
            apt-get\(q) install --yes\(recommends ? "" : " --no-install-recommends") \(packages.joined(separator: " "))\(redirect)
            apt-get\(q) purge\(redirect)
            apt-get\(q) clean
            rm -rf /var/lib/apt/lists/*
            """
    }

    /// A multi-line script as one `RUN`: lines joined with `&&` so any failing line fails the step.
    static func shellBlock(_ script: String) -> String {
        let commands = script.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return commands.joined(separator: " \\\n && ")
    }
}

/// Dockerfile lines being written, and the user the last `USER` set (a step only switches when it must).
struct DockerfileLines {
    var lines: [String] = []
    var currentUser = StepUser.root

    mutating func run(_ steps: [BuildStep]) {
        for step in steps {
            if step.user != currentUser { setUser(step.user) }
            lines.append("RUN " + DockerfileRenderer.shellBlock(step.script))
        }
    }

    mutating func setUser(_ user: StepUser) {
        lines.append("USER \(user.dockerfileValue)")
        currentUser = user
    }
}
