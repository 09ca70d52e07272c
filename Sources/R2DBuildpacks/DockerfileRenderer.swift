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

/// Turns a plan into Dockerfile text, in repo2docker's layer order (reference §4), using only syntax the
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
        let chown = "--chown=\(options.userID):\(options.userID)"
        var lines: [String] = []
        var currentUser = StepUser.root
        func run(_ steps: [BuildStep]) {
            for step in steps {
                if step.user != currentUser {
                    lines.append("USER \(step.user.dockerfileValue)")
                    currentUser = step.user
                }
                lines.append("RUN " + shellBlock(step.script))
            }
        }
        func setUser(_ user: StepUser) {
            lines.append("USER \(user.dockerfileValue)")
            currentUser = user
        }

        lines.append("FROM \(options.baseImage)")
        lines.append("")
        if plan.kind == .juliaRequire {
            // repo2docker renders REQUIRE repositories but refuses to build them; fail at the first step.
            lines.append("RUN echo \(try DockerfileText.word(BuildpackError.juliaRequire(file: plan.binderDirectory.isEmpty ? "REQUIRE" : plan.binderDirectory + "/REQUIRE").description)) >&2 && exit 1")
            lines.append("")
        }
        lines.append("ENV DEBIAN_FRONTEND=noninteractive")
        lines.append("")
        lines.append("# Locales")
        lines.append("RUN " + shellBlock("""
            \(aptInstall(["locales"], recommends: false))
            echo "en_US.UTF-8 UTF-8" > /etc/locale.gen
            locale-gen
            """))
        lines += ["ENV LC_ALL=en_US.UTF-8", "ENV LANG=en_US.UTF-8", "ENV LANGUAGE=en_US.UTF-8", "", "ENV SHELL=/bin/bash", ""]
        lines.append("# The image user; a base image that already has this uid (Ubuntu 24.04's ubuntu) gets it renamed.")
        lines += ["ARG NB_USER", "ARG NB_UID", "ENV USER=${NB_USER}", "ENV HOME=/home/${NB_USER}"]
        lines.append("RUN " + shellBlock("""
            old_group="$(getent group ${NB_UID} | cut -d: -f1)"
            if [ -n "$old_group" ] && [ "$old_group" != "${NB_USER}" ]; then groupmod --new-name ${NB_USER} "$old_group"; fi
            if [ -z "$old_group" ]; then groupadd --gid ${NB_UID} ${NB_USER}; fi
            old_user="$(getent passwd ${NB_UID} | cut -d: -f1)"
            if [ -n "$old_user" ] && [ "$old_user" != "${NB_USER}" ]; then usermod --home /home/${NB_USER} --login ${NB_USER} --move-home "$old_user"; fi
            if [ -z "$old_user" ]; then useradd --comment "Default user" --create-home --gid ${NB_UID} --no-log-init --shell /bin/bash --uid ${NB_UID} ${NB_USER}; fi
            """))
        lines.append("")
        lines.append("RUN " + shellBlock(aptInstall(["gettext-base", "less", "unzip"], recommends: false)))
        if !f.aptPackages.isEmpty {
            lines.append("RUN " + shellBlock(aptInstall(f.aptPackages.sorted(), recommends: true)))
        }
        lines += ["", "EXPOSE 8888", ""]
        lines.append("ENV APP_BASE=/srv")
        for (key, value) in f.buildEnvironment { lines.append("ENV \(key)=\(value)") }
        if !f.pathEntries.isEmpty { lines.append("ENV PATH=\(f.pathEntries.joined(separator: ":")):${PATH}") }
        lines.append("")
        for file in f.buildScriptFiles.sorted(by: { $0.name < $1.name }) {
            lines.append("COPY \(chown) build_script_files/\(file.name) \(file.destination)")
        }
        lines.append("")
        run(f.buildSteps)
        lines.append("")
        setUser(.root)
        lines += ["ARG REPO_DIR=${HOME}", "ENV REPO_DIR=${REPO_DIR}"]
        lines.append("RUN if [ ! -d \"${REPO_DIR}\" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d \"${REPO_DIR}\"; fi")
        lines += ["WORKDIR ${REPO_DIR}", "RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}", ""]
        lines.append("ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}")
        for (key, value) in f.environment { lines.append("ENV \(key)=\(value)") }
        lines.append("")
        lines.append("# Environment files first, so that editing other files keeps the installed environment cached.")
        for path in f.preassembleFiles.sorted() {
            lines.append("COPY \(chown) src/\(path) ${REPO_DIR}/\(path)")
        }
        var preassemble: [BuildStep] = []
        if !plan.aptPackages.isEmpty {
            preassemble.append(BuildStep(.root, aptInstall(plan.aptPackages, recommends: false, quiet: false)))
        }
        run(preassemble + f.preassembleSteps)
        lines.append("")
        setUser(.root)
        lines.append("COPY \(chown) src/ ${REPO_DIR}/")
        run(f.assembleSteps)
        lines.append("")
        // Labels are not written here: they travel with the build request and the daemon adds them last, so
        // the Dockerfile (and the context digest) does not depend on them.
        setUser(.notebookUser)
        for script in plan.postBuild {
            lines.append("RUN chmod +x \(script)")
            lines.append("RUN ./\(script)")
        }
        if let start = plan.start {
            let path = start.hasPrefix("/") ? start : "${REPO_DIR}/\(start)"
            if !start.hasPrefix("/") { lines.append("RUN chmod +x \"\(path)\"") }
            lines.append("ENV R2D_ENTRYPOINT=\"\(path)\"")
        }
        lines.append("")
        lines.append("ENV PYTHONUNBUFFERED=1")
        lines.append("# Executable modes come from the build context, so no COPY --chmod is needed.")
        lines.append("COPY python3-login /usr/local/bin/python3-login")
        lines.append("COPY repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint")
        lines.append("ENTRYPOINT [\"/usr/local/bin/repo2docker-entrypoint\"]")
        lines.append("CMD [\"jupyter\", \"notebook\", \"--ip\", \"0.0.0.0\"]")
        if !options.appendix.isEmpty {
            lines.append("")
            lines.append(options.appendix)
        }
        let files = entrypointFiles + f.buildScriptFiles.map {
            GeneratedFile(path: "build_script_files/\($0.name)", contents: $0.contents, mode: $0.mode)
        }
        return RenderedBuild(dockerfile: lines.joined(separator: "\n") + "\n", files: files, isGenerated: true)
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
