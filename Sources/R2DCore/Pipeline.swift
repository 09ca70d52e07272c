import Foundation
import R2DBuildContext
import R2DBuildpacks
import R2DEngine
import R2DGit
import R2DRedaction
import R2DRegistry

/// The result of a run: the process exit status (the container's, when one ran).
public struct PipelineOutcome: Sendable {
    public var exitCode: Int32
    public var imageName: String?
}

/// fetch → detect → render → context → build → tag → run, with repo2docker's messages and phases.
public struct Pipeline: Sendable {
    public let request: BuildRequest
    public let reporter: Reporter
    /// Receives the Dockerfile printed by `--no-build` (stdout in the CLI).
    public let standardOutput: @Sendable (String) -> Void

    public init(request: BuildRequest, reporter: Reporter, standardOutput: @escaping @Sendable (String) -> Void) {
        self.request = request
        self.reporter = reporter
        self.standardOutput = standardOutput
    }

    /// Starts the one-time initialisations a build needs (libgit2's) on a background thread, so that they
    /// overlap whatever comes before `run()`. Idempotent.
    public static func prepareInBackground() {
        Git.initializeInBackground()
    }

    /// Waits for what `prepareInBackground()` started; the process must not exit before (see Git).
    public static func finishBackgroundWork() {
        Git.waitForBackgroundInitialization()
    }

    public func run() async throws -> PipelineOutcome {
        try validate()
        // A dry run needs no git at all; a build needs it right after connecting, so libgit2 starts meanwhile.
        if request.build { Git.initializeInBackground() }
        // A local checkout's cleanliness check (most of a rebuild that finds its image) overlaps the daemon
        // handshake; nothing is printed before the handshake, so a missing daemon is still the only line.
        let workTreeState: Task<WorkTreeState?, any Error>? = request.build && directoryExists(request.repo)
            ? Task.detached(priority: .userInitiated) { [repo = request.repo] in try Git.workTreeState(at: ContentFetcher.absolute(repo)) }
            : nil
        let engine: EngineClient?
        do {
            engine = request.build ? try await connectEngine() : nil
        } catch {
            _ = try? await workTreeState?.value
            throw error
        }
        do {
            let outcome = try await run(engine: engine, workTreeState: workTreeState)
            await engine?.shutdown()
            return outcome
        } catch {
            await engine?.shutdown()
            throw error
        }
    }

    /// Checks that need neither the network nor a daemon, in repo2docker's order.
    func validate() throws {
        guard request.engine == "docker" || request.engine == "podman" else { throw CoreError.unknownEngine(request.engine) }
        if request.build && request.userID == 0 { throw CoreError.rootUser }
        if request.push { try credentialStore.validate() }
        if let path = Self.localPath(of: request.repo), !FileManager.default.fileExists(atPath: path) {
            throw CoreError.repositoryMissing(request.repo)
        }
    }

    /// The file system path a repository argument names: a path (no scheme, and no `host:` before the first
    /// `/`) or a file:// URL; nil for remote URLs. libgit2's errors for a missing path do not say what to do.
    static func localPath(of repo: String) -> String? {
        if repo.hasPrefix("file://") { return URL(string: repo)?.path ?? String(repo.dropFirst("file://".count)) }
        if repo.contains("://") { return nil }
        if let colon = repo.firstIndex(of: ":"), repo.firstIndex(of: "/").map({ colon < $0 }) ?? true { return nil }
        return repo
    }

    func connectEngine() async throws -> EngineClient {
        let endpoint = try EngineEndpoint.resolve(environment: request.processEnvironment, engine: request.engine)
        let client = try EngineClient(endpoint: endpoint)
        do {
            _ = try await client.negotiateVersion()
        } catch {
            await client.shutdown()
            throw error
        }
        return client
    }

    private func run(engine: EngineClient?, workTreeState: Task<WorkTreeState?, any Error>?) async throws -> PipelineOutcome {
        let content = try await fetchContent(workTreeState: workTreeState)
        let checkout = checkoutRemoval(content)
        defer { checkout.remove() }

        let repoDirectory = try RepositoryDirectory.resolve(checkout: content.path, subdir: request.subdir, repo: request.repo)
        let mtime = sourceDateEpoch ?? content.commitTime ?? 0
        // A commit or content id names the image before anything is detected or packed: an image that exists
        // is reused at once, as repo2docker does (it looks the image up before picking a buildpack).
        var knownMissing = false
        if let engine, request.build, !request.push, let revision = content.contentID.map(ProviderFetch.imageTag) ?? content.commit {
            let imageName = imageName(tag: revision)
            if try await engine.inspectImage(imageName) != nil {
                reporter.log("Reusing existing image (\(imageName)), not building.\n")
                checkout.remove()
                return try await runContainer(engine: engine, imageName: imageName, repoDirectory: repoDirectory)
            }
            knownMissing = true
        }

        let snapshot = try RepoSnapshot(root: repoDirectory, repositoryRoot: content.path)
        let (plan, rendered) = try detectAndRender(snapshot)
        let dockerfile = rendered.dockerfile

        guard let engine, request.build else {
            standardOutput(dockerfile)
            return PipelineOutcome(exitCode: 0, imageName: nil)
        }

        // With a commit the image can be looked up before packing anything; otherwise the context's digest
        // names the content (and is its revision label).
        var spec: BuildContextSpec?
        var revision = content.contentID ?? content.commit ?? ""
        if content.contentID == nil && content.commit == nil {
            let packed = try contextSpec(plan: plan, rendered: rendered, snapshot: snapshot, mtime: mtime)
            (revision, spec) = (try BuildContext.digest(packed).sha256, packed)
        }
        let imageName = imageName(tag: content.contentID.map(ProviderFetch.imageTag) ?? revision)

        // With --push, a tag the registry already has is done work (BinderHub checks the same way).
        let alreadyPushed = request.push ? try await registryHasImage(imageName) : false
        let existsLocally = knownMissing ? false : try await engine.inspectImage(imageName) != nil
        if alreadyPushed && (existsLocally || !request.run) {
            reporter.log("Image \(imageName) is already in its registry; not building or pushing it again.\n", phase: .pushing)
        } else {
            if existsLocally {
                reporter.log("Reusing existing image (\(imageName)), not building.\n")
            } else {
                let spec = try spec ?? contextSpec(plan: plan, rendered: rendered, snapshot: snapshot, mtime: mtime)
                try await build(engine: engine, plan: plan, dockerfile: dockerfile, spec: spec, imageName: imageName,
                                revision: revision, mtime: mtime, isLocal: content.isLocal)
            }
            if request.push && !alreadyPushed { try await push(engine: engine, imageName: imageName, madeTag: !existsLocally) }
        }
        checkout.remove()

        return try await runContainer(engine: engine, imageName: imageName, repoDirectory: repoDirectory)
    }

    /// The buildpack and its Dockerfile; the notes on which file chose a version are logged on the way.
    private func detectAndRender(_ snapshot: RepoSnapshot) throws -> (BuildPlan, RenderedBuild) {
        let plan = try BuildpackChain.detect(snapshot, allowDefault: request.allowDefaultBuildpack,
                                             defaultPython: request.defaultPythonVersion)
        plan.notes.forEach { reporter.log($0 + "\n") }
        return (plan, try DockerfileRenderer.renderBuild(plan, snapshot: snapshot, options: renderOptions))
    }

    /// A fetched checkout is removed when the run is done with it, unless it is local or `--no-clean` keeps it.
    private func checkoutRemoval(_ content: FetchedContent) -> CheckoutRemoval {
        let clean = !content.isLocal && (request.clean ?? true)
        if !content.isLocal && !clean {
            reporter.log("Keeping the checkout at \(content.path) (--no-clean).\n", phase: .fetching)
        }
        return CheckoutRemoval(directory: clean ? content.temporaryDirectory : nil)
    }

    /// `--image-name`, or repo2docker's name for the repository and subdirectory with `tag`.
    private func imageName(tag: String) -> String {
        request.imageName ?? ImageName.defaultRepository(repo: request.repo, subdir: request.subdir) + ":" + tag
    }

    /// Data repositories and Mercurial first (ProviderFetch.swift); local directories and git otherwise.
    private func fetchContent(workTreeState: Task<WorkTreeState?, any Error>?) async throws -> FetchedContent {
        if let provided = try await ProviderFetch.fetch(request, reporter: reporter) { return provided }
        return try await ContentFetcher.fetch(request, reporter: reporter, workTreeState: workTreeState)
    }

    /// The request's rendering settings.
    private var renderOptions: RenderOptions {
        RenderOptions(baseImage: request.baseImage, appendix: request.appendix, platform: request.platform ?? "linux/amd64",
                      // A dry run as root still renders the image user's uid, as repo2docker's default.
                      userID: request.userID == 0 ? 1000 : request.userID,
                      pythonIndexURL: request.pythonIndexURL, pythonDownloadMirror: request.pythonDownloadMirror,
                      downloads: request.downloadLocations)
    }

    /// Pushes the image. A failed run leaves nothing half-done: the tag this run made goes (its layers stay
    /// cached, so a retry rebuilds in seconds).
    private func push(engine: EngineClient, imageName: String, madeTag: Bool) async throws {
        do {
            try await ImagePusher(engine: engine, reporter: reporter, credentials: credentialStore).push(imageName)
        } catch {
            if madeTag { try? await engine.removeImage(imageName, force: false, prune: false) }
            throw error
        }
    }

    /// Runs the image when asked to (`--no-run` skips it); the outcome carries the container's exit status.
    private func runContainer(engine: EngineClient, imageName: String, repoDirectory: String) async throws -> PipelineOutcome {
        guard request.run else { return PipelineOutcome(exitCode: 0, imageName: imageName) }
        let code = try await ContainerRunner(request: request, reporter: reporter, engine: engine)
            .run(image: imageName, repoDirectory: repoDirectory)
        return PipelineOutcome(exitCode: code, imageName: imageName)
    }

    var credentialStore: RegistryCredentialStore {
        RegistryCredentialStore(environment: request.processEnvironment, configured: request.registryCredentials)
    }

    /// Whether the registry already has the tag. Credentials it rejects end the run (the push would fail
    /// too); a registry that cannot be asked only costs a rebuild.
    func registryHasImage(_ imageName: String) async throws -> Bool {
        let reference = RegistryReference(parsing: imageName)
        let credential = try credentialStore.credential(for: reference.registry)
        do {
            return try await RegistryClient(certificatesDirectory: request.registryCertificatesDirectory)
                .manifestExists(reference, credential: credential)
        } catch let error as RegistryError {
            if case .unauthorized = error { throw error }
            reporter.log("Could not ask \(reference.registry) whether \(imageName) exists (\(error)); building it.\n", phase: .building)
            return false
        }
    }

    private var sourceDateEpoch: Int64? {
        request.processEnvironment["SOURCE_DATE_EPOCH"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }

    private func build(engine: EngineClient, plan: BuildPlan, dockerfile: String, spec: BuildContextSpec,
                       imageName: String, revision: String, mtime: Int64, isLocal: Bool) async throws {
        reporter.debug(dockerfile.hasSuffix("\n") ? dockerfile : dockerfile + "\n", phase: .building)
        reporter.log("Using \(plan.kind.className) builder\n", phase: .building)
        let (repository, tag) = ImageName.split(imageName)
        guard !repository.contains("@") else { throw CoreError.cannotTagDigest(imageName) }

        var options = BuildOptions()
        options.dockerfile = plan.kind == .docker ? (plan.dockerfile ?? "Dockerfile") : "Dockerfile"
        options.buildArgs = buildArguments()
        options.labels = labels(revision: revision, mtime: mtime, isLocal: isLocal)
        options.cacheFrom = request.cacheFrom
        options.platform = request.platform
        options.networkMode = request.network

        // The stream's sha256 is only shown with --debug.
        let stream = BuildContext.stream(spec, computingDigest: reporter.debugEnabled)
        let reporter = self.reporter
        let imageID = try await engine.build(context: stream, options: options) { event in
            switch event {
            case .output(let text): reporter.log(text, phase: .building)
            case .status(let text): reporter.log(text.hasSuffix("\n") || text.hasSuffix("\r") ? text : text + "\n", phase: .building)
            case .imageID: break
            }
        }
        let summary = try await stream.summary()
        reporter.debug("Build context: \(summary.bytes) bytes, sha256 \(summary.sha256)\n", phase: .building)
        try await engine.tagImage(imageID, repository: repository, tag: tag)
        reporter.log("Successfully tagged \(repository):\(tag)\n", phase: .building)
    }

    func buildArguments() -> [String: String] {
        // Proxies from config.json first, as the docker CLI passes them; everything else overrides them.
        var args = credentialStore.proxyBuildArguments()
        args["NB_USER"] = request.userName
        args["NB_UID"] = String(request.userID)
        if !request.targetRepoDir.isEmpty { args["REPO_DIR"] = request.targetRepoDir }
        for (key, value) in request.buildArgs { args[key] = value }
        return args
    }

    func labels(revision: String, mtime: Int64, isLocal: Bool) -> [String: String] {
        var labels = [
            "repo2docker.version": SwiftR2DVersion.string,
            "repo2docker.repo": isLocal ? request.repo : Redaction.redactingCredentials(in: request.repo),
            "repo2docker.ref": request.ref ?? "None",
            "org.opencontainers.image.source": isLocal ? ContentFetcher.absolute(request.repo) : Redaction.redactingCredentials(in: request.repo),
            "org.opencontainers.image.revision": revision,
            "org.opencontainers.image.created": Self.iso8601(mtime),
        ]
        for (key, value) in request.labels { labels[key] = value }
        return labels
    }

    static func iso8601(_ seconds: Int64) -> String {
        UTCTimestamp(secondsSinceEpoch: seconds).iso8601
    }

    /// A user Dockerfile gets the repository as its context; a generated one gets the Dockerfile and support
    /// files at the root and the repository under `src/` (repo2docker's `buildpacks/base.py`, `build`).
    func contextSpec(plan: BuildPlan, rendered: RenderedBuild, snapshot: RepoSnapshot, mtime: Int64) throws -> BuildContextSpec {
        var patterns: [String] = []
        for file in plan.ignoreFiles {
            if let text = try snapshot.readText(file) { patterns += IgnoreRules.parse(text) }
        }
        let replacements = try canonicalIndexes(under: snapshot.root)
        guard rendered.isGenerated else {
            var keep = [".dockerignore", ".containerignore"]
            if let dockerfile = plan.dockerfile { keep.append(dockerfile) }
            return BuildContextSpec(
                root: snapshot.root, prefix: "", ignore: IgnoreRules(patterns: patterns), keepAlways: keep,
                generatedFiles: [], replacements: replacements, uid: request.userID, mtime: mtime, emptyRootDirectory: false)
        }
        let files = [ContextFile(path: "Dockerfile", contents: Array(rendered.dockerfile.utf8))]
            + rendered.files.map { ContextFile(path: $0.path, contents: $0.contents, mode: $0.mode) }
        return BuildContextSpec(
            root: snapshot.root, prefix: "src/", ignore: IgnoreRules(patterns: patterns), keepAlways: ["Dockerfile"],
            generatedFiles: files, replacements: replacements, uid: request.userID, mtime: mtime, emptyRootDirectory: true)
    }

    /// `.git/index` (and submodules' indexes) hold stat data that differs between clones; the context
    /// carries indexes rebuilt from HEAD instead, so two clones of one commit pack identically.
    func canonicalIndexes(under root: String) throws -> [String: [UInt8]] {
        var replacements: [String: [UInt8]] = [:]
        var gitDirectories: [String] = []
        if directoryExists(root + "/.git") { gitDirectories.append(".git") }
        // Submodule git dirs live under .git/modules/<name>, and names may contain "/".
        var pending = gitDirectories.map { $0 + "/modules" }
        while let directory = pending.popLast() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + directory)) ?? [] {
                let child = directory + "/" + name
                guard directoryExists(root + "/" + child) else { continue }
                if FileManager.default.fileExists(atPath: root + "/" + child + "/HEAD") {
                    gitDirectories.append(child)
                    pending.append(child + "/modules")
                } else {
                    pending.append(child)
                }
            }
        }
        for directory in gitDirectories where FileManager.default.fileExists(atPath: root + "/" + directory + "/HEAD") {
            if let bytes = try Git.canonicalIndex(gitDir: root + "/" + directory) {
                replacements[directory + "/index"] = bytes
            }
        }
        return replacements
    }
}

/// Whether `path` names a directory (following symbolic links): a local repository, a subdirectory, a git dir.
func directoryExists(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}

/// Removes a temporary checkout once, when the run is done with it (or at the latest when it ends).
final class CheckoutRemoval {
    private var directory: String?

    init(directory: String?) { self.directory = directory }

    func remove() {
        guard let directory else { return }
        try? FileManager.default.removeItem(atPath: directory)
        self.directory = nil
    }
}
