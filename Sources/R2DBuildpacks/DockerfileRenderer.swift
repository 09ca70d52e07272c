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
    /// The build goes through BuildKit: package downloads go to cache mounts that never reach a layer.
    public var buildKitCaches: Bool
    /// The ids of the build's secrets (never their values): those the installers read are mounted on the steps
    /// that install the repository's packages (`InstallerSecrets`, BuildKit only).
    public var secretIDs: [String]

    public init(
        baseImage: String = "docker.io/library/buildpack-deps:24.04", appendix: String = "", platform: String = "linux/amd64",
        userID: Int = 1000, pythonIndexURL: String? = nil, pythonDownloadMirror: String? = nil,
        downloads: DownloadLocations = DownloadLocations(), today: Date = Date(), buildKitCaches: Bool = false,
        secretIDs: [String] = []
    ) {
        self.buildKitCaches = buildKitCaches
        self.secretIDs = secretIDs
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
    /// Where a generated Dockerfile splits into the environment and what comes after it (EnvironmentStage.swift);
    /// nil for a user Dockerfile.
    public var environmentSplit: EnvironmentSplit? = nil
}

/// Turns a plan into Dockerfile text, in repo2docker's layer order (repo2docker's `buildpacks/base.py` template), using only syntax the
/// classic Docker builder and Podman accept (no `COPY --chmod`: modes come from the context tarball); with
/// `RenderOptions.buildKitCaches`, the downloading steps add `RUN --mount=type=cache` (`DownloadCache`).
public enum DockerfileRenderer {
    /// A user Dockerfile is returned verbatim (no appendix, as repo2docker does).
    public static func render(_ plan: BuildPlan, snapshot: RepoSnapshot, options: RenderOptions) throws -> String {
        try renderBuild(plan, snapshot: snapshot, options: options).dockerfile
    }

    public static func renderBuild(_ plan: BuildPlan, snapshot: RepoSnapshot, options: RenderOptions) throws -> RenderedBuild {
        try plan.kind.buildpack.render(RenderContext(snapshot: snapshot, plan: plan, options: options))
    }

    static let entrypointFiles: [GeneratedFile] = [
        GeneratedFile(path: "python3-login", contents: BuildpackAssets.python3Login, mode: 0o755),
        GeneratedFile(path: "repo2docker-entrypoint", contents: BuildpackAssets.entrypoint, mode: 0o755),
    ]

    /// The layers in repo2docker's order, each written by its own function.
    static func compose(_ f: Fragments, _ c: RenderContext) throws -> RenderedBuild {
        let plan = c.plan, options = c.options
        var d = DockerfileLines(mounts: CacheMounts(options), secrets: SecretMounts(options))
        try fromLayer(&d, f, options: options)
        localeLayer(&d)
        userLayer(&d)
        aptLayer(&d, f)
        buildEnvironmentLayer(&d, f)
        buildScriptFilesLayer(&d, f, options: options)
        buildStepsLayer(&d, f)
        repoDirectoryLayer(&d, f)
        preassembleLayer(&d, f, plan: plan, options: options)
        let split = EnvironmentSplit(lines: d.lines, fragments: f, user: d.currentUser)
        assembleLayer(&d, f, options: options)
        postBuildLayer(&d, plan: plan)
        entrypointLayer(&d, plan: plan)
        appendixLayer(&d, options: options)
        let files =
            entrypointFiles
            + f.buildScriptFiles.map {
                GeneratedFile(path: "build_script_files/\($0.name)", contents: $0.contents, mode: $0.mode)
            }
        return RenderedBuild(
            dockerfile: d.lines.joined(separator: "\n") + "\n", files: files, isGenerated: true, environmentSplit: split)
    }

    /// `COPY --chown` with the literal image uid.
    static func chown(_ options: RenderOptions) -> String { "--chown=\(options.userID):\(options.userID)" }

    /// FROM, and the buildpack's refusal as the very first step when it has one.
    static func fromLayer(_ d: inout DockerfileLines, _ f: Fragments, options: RenderOptions) throws {
        d.lines.append("FROM \(options.baseImage)")
        d.lines.append("")
        if let refusal = f.refusal {
            d.lines.append("RUN echo \(try DockerfileText.word(refusal)) >&2 && exit 1")
            d.lines.append("")
        }
    }

    /// Non-interactive apt, the en_US.UTF-8 locale and bash as the shell: the same for every repository.
    static func localeLayer(_ d: inout DockerfileLines) {
        d.lines.append("ENV DEBIAN_FRONTEND=noninteractive")
        d.lines.append("")
        d.lines.append("# Locales")
        d.run([
            BuildStep(
                .root,
                """
                \(aptInstall(["locales"], recommends: false, caches: d.hasCaches))
                echo "en_US.UTF-8 UTF-8" > /etc/locale.gen
                locale-gen
                """, caches: DownloadCache.apt)
        ])
        d.lines += ["ENV LC_ALL=en_US.UTF-8", "ENV LANG=en_US.UTF-8", "ENV LANGUAGE=en_US.UTF-8", "", "ENV SHELL=/bin/bash", ""]
    }

    /// The image user (`NB_USER`, `NB_UID`), created or renamed from the base image's user with that uid.
    static func userLayer(_ d: inout DockerfileLines) {
        d.lines.append("# The image user; a base image that already has this uid (Ubuntu 24.04's ubuntu) gets it renamed.")
        d.lines += ["ARG NB_USER", "ARG NB_UID", "ENV USER=${NB_USER}", "ENV HOME=/home/${NB_USER}"]
        d.lines.append(
            "RUN "
                + shellBlock(
                    """
                    old_group="$(getent group ${NB_UID} | cut -d: -f1)"
                    if [ -n "$old_group" ] && [ "$old_group" != "${NB_USER}" ]; then groupmod --new-name ${NB_USER} "$old_group"; fi
                    if [ -z "$old_group" ]; then groupadd --gid ${NB_UID} ${NB_USER}; fi
                    old_user="$(getent passwd ${NB_UID} | cut -d: -f1)"
                    if [ -n "$old_user" ] && [ "$old_user" != "${NB_USER}" ]; then usermod --home /home/${NB_USER} --login ${NB_USER} --move-home "$old_user"; fi
                    if [ -z "$old_user" ]; then useradd --comment "Default user" --create-home --gid ${NB_UID} --no-log-init --shell /bin/bash --uid ${NB_UID} ${NB_USER}; fi
                    """))
        d.lines.append("")
    }

    /// The base apt packages, then the buildpack's own (with recommends).
    static func aptLayer(_ d: inout DockerfileLines, _ f: Fragments) {
        var steps = [aptStep(["gettext-base", "less", "unzip"], recommends: false, caches: d.hasCaches)]
        if !f.aptPackages.isEmpty { steps.append(aptStep(f.aptPackages.sorted(), recommends: true, caches: d.hasCaches)) }
        d.run(steps)
    }

    /// The Jupyter port and the buildpack's build-time environment variables and PATH.
    static func buildEnvironmentLayer(_ d: inout DockerfileLines, _ f: Fragments) {
        d.lines += ["", "EXPOSE 8888", ""]
        d.lines.append("ENV APP_BASE=/srv")
        for (key, value) in f.buildEnvironment { d.lines.append("ENV \(key)=\(value)") }
        if !f.pathEntries.isEmpty { d.lines.append("ENV PATH=\(f.pathEntries.joined(separator: ":")):${PATH}") }
        d.lines.append("")
    }

    /// The buildpack's support files, sorted by name so the layer does not depend on the fragments' order.
    static func buildScriptFilesLayer(_ d: inout DockerfileLines, _ f: Fragments, options: RenderOptions) {
        for file in f.buildScriptFiles.sorted(by: { $0.name < $1.name }) {
            d.lines.append("COPY \(chown(options)) build_script_files/\(file.name) \(file.destination)")
        }
        d.lines.append("")
    }

    /// The buildpack's install steps that need no repository file (shared by every repository on the same versions).
    static func buildStepsLayer(_ d: inout DockerfileLines, _ f: Fragments) {
        d.run(f.buildSteps)
        d.lines.append("")
    }

    /// REPO_DIR, owned by the image user, as the working directory, and the runtime environment variables.
    static func repoDirectoryLayer(_ d: inout DockerfileLines, _ f: Fragments) {
        d.setUser(.root)
        d.lines += ["ARG REPO_DIR=${HOME}", "ENV REPO_DIR=${REPO_DIR}"]
        d.lines.append("RUN if [ ! -d \"${REPO_DIR}\" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d \"${REPO_DIR}\"; fi")
        d.lines += ["WORKDIR ${REPO_DIR}", "RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}", ""]
        d.lines.append("ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}")
        for (key, value) in f.environment { d.lines.append("ENV \(key)=\(value)") }
        d.lines.append("")
    }

    /// The environment files alone, apt.txt's packages and the steps that need only those files.
    static func preassembleLayer(_ d: inout DockerfileLines, _ f: Fragments, plan: BuildPlan, options: RenderOptions) {
        d.lines.append("# Environment files first, so that editing other files keeps the installed environment cached.")
        for path in f.preassembleFiles.sorted() {
            d.lines.append("COPY \(chown(options)) src/\(path) ${REPO_DIR}/\(path)")
        }
        var preassemble: [BuildStep] = []
        if !plan.aptPackages.isEmpty {
            preassemble.append(aptStep(plan.aptPackages, recommends: false, quiet: false, caches: d.hasCaches))
        }
        d.run(preassemble + f.preassembleSteps)
        d.lines.append("")
    }

    /// The whole repository, then the steps that need it.
    static func assembleLayer(_ d: inout DockerfileLines, _ f: Fragments, options: RenderOptions) {
        d.setUser(.root)
        d.lines.append("COPY \(chown(options)) src/ ${REPO_DIR}/")
        d.run(f.assembleSteps)
        d.lines.append("")
    }

    /// postBuild, run as the image user.
    static func postBuildLayer(_ d: inout DockerfileLines, plan: BuildPlan) {
        // Labels are not written here: they travel with the build request and the daemon adds them last, so
        // the Dockerfile (and the context digest) does not depend on them.
        d.setUser(.notebookUser)
        for script in plan.postBuild {
            d.lines.append("RUN chmod +x \(script)")
            d.run([BuildStep(.notebookUser, "./\(script)", caches: DownloadCache.postBuild)])
        }
    }

    /// The start script (through `R2D_ENTRYPOINT`), the entrypoint and the default command.
    static func entrypointLayer(_ d: inout DockerfileLines, plan: BuildPlan) {
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

    /// `--appendix`, verbatim and last.
    static func appendixLayer(_ d: inout DockerfileLines, options: RenderOptions) {
        guard !options.appendix.isEmpty else { return }
        d.lines.append("")
        d.lines.append(options.appendix)
    }

    /// One root `apt-get install` step, with apt's caches mounted under BuildKit.
    static func aptStep(_ packages: [String], recommends: Bool, quiet: Bool = true, caches: Bool) -> BuildStep {
        BuildStep(.root, aptInstall(packages, recommends: recommends, quiet: quiet, caches: caches), caches: DownloadCache.apt)
    }

    /// One `apt-get install` that leaves no lists or caches in the image: the classic builder removes them, and
    /// with `caches` they are mounts (`DownloadCache.apt`), which keep them for the next build instead.
    static func aptInstall(_ packages: [String], recommends: Bool, quiet: Bool = true, caches: Bool) -> String {
        let q = quiet ? " -qq" : ""
        let redirect = quiet ? " > /dev/null" : ""
        return """
            apt-get\(q) update\(redirect)
            apt-get\(q)\(aptKeep(caches)) install --yes\(recommends ? "" : " --no-install-recommends") \(packages.joined(separator: " "))\(redirect)
            apt-get\(q) purge\(redirect)
            \(aptCleanup(quiet: quiet, caches: caches))
            """
    }

    /// The options of `apt-get install` that keep the downloads in the mounted archives, when there are caches.
    static func aptKeep(_ caches: Bool) -> String { caches ? " " + DownloadCache.aptInstallOptions : "" }

    /// What removes apt's downloads from the layer: nothing when they are cache mounts (emptying a mount
    /// would only defeat it).
    static func aptCleanup(quiet: Bool = true, caches: Bool) -> String {
        caches ? "" : "apt-get\(quiet ? " -qq" : "") clean\nrm -rf /var/lib/apt/lists/*"
    }

    /// A multi-line script as one `RUN`: lines joined with `&&` so any failing line fails the step.
    static func shellBlock(_ script: String) -> String {
        let commands = script.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return commands.joined(separator: " \\\n && ")
    }
}

/// Dockerfile lines being written, the user the last `USER` set (a step only switches when it must) and the
/// cache mounts of a BuildKit rendering.
struct DockerfileLines {
    var lines: [String] = []
    var currentUser = StepUser.root
    var mounts: CacheMounts?
    var secrets: SecretMounts?

    var hasCaches: Bool { mounts != nil }

    mutating func run(_ steps: [BuildStep]) {
        for step in steps {
            if step.user != currentUser { setUser(step.user) }
            lines.append(mounts?.run(step, secrets: secrets) ?? "RUN " + DockerfileRenderer.shellBlock(step.script))
        }
    }

    mutating func setUser(_ user: StepUser) {
        lines.append("USER \(user.dockerfileValue)")
        currentUser = user
    }
}
