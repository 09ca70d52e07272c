import R2DBasics
import Foundation
import R2DBuildContext
import R2DBuildpacks
import R2DEngine
import R2DHTTP
import R2DGit
import R2DRedaction
import R2DRegistry

/// The result of a run: the process exit status (the container's, when one ran).
public struct PipelineOutcome: Sendable {
    public var exitCode: Int32
    public var imageName: String?
}

/// Asks a registry whether it already has a tag (`--push` skips done work). RegistryClient in a run; a
/// test answers it itself.
protocol RegistryManifestLookup: Sendable {
    func manifestExists(_ reference: ImageReference, credential: RegistryCredential?) async throws -> Bool
}

extension RegistryClient: RegistryManifestLookup {}

/// fetch → plan → context → build and tag → push → run, with repo2docker's messages and phases. Each stage
/// is a function with a typed result (Pipeline+Stages.swift); the fetched repository owns its checkout.
public struct Pipeline: Sendable {
    public let request: BuildRequest
    public let reporter: Reporter
    /// Receives the Dockerfile printed by `--no-build` (stdout in the CLI).
    public let standardOutput: @Sendable (String) -> Void
    /// Makes the engine client for a build (the pipeline negotiates the version itself); a test passes a
    /// scripted engine. Never called for a dry run.
    let connect: @Sendable (BuildRequest) throws -> any ContainerEngine
    /// Asks a registry about a tag; a seam so tests need no registry.
    var registry: any RegistryManifestLookup
    /// Where repositories come from (RepositoryProvider.ordered); tests may leave out the network's providers.
    var repositoryProviders = RepositoryProvider.ordered
    /// The parent of temporary checkouts; nil means $TMPDIR, else /tmp. Tests watch their own.
    var temporaryParent: String?

    public init(
        request: BuildRequest, reporter: Reporter, standardOutput: @escaping @Sendable (String) -> Void,
        connect: (@Sendable (BuildRequest) throws -> any ContainerEngine)? = nil
    ) {
        self.request = request
        self.reporter = reporter
        self.standardOutput = standardOutput
        let trace = Self.networkTrace(reporter)
        self.connect = connect ?? { try Pipeline.engineClient(for: $0, trace: trace) }
        self.registry = Self.registryClient(request, trace: trace)
    }

    /// The registry client of a run: the request's certificates, time limits and proxies.
    static func registryClient(_ request: BuildRequest, trace: NetworkTrace) -> RegistryClient {
        var registry = RegistryClient(
            certificatesDirectory: request.registryCertificatesDirectory,
            connectTimeoutSeconds: request.contentProviders.connectTimeoutSeconds, proxies: request.contentProviders.proxies)
        registry.trace = trace
        return registry
    }

    func makeRegistryClient() -> RegistryClient { Self.registryClient(request, trace: Self.networkTrace(reporter)) }

    /// The Docker or Podman the request's environment names (DOCKER_HOST, …), not yet contacted.
    public static func engineClient(for request: BuildRequest, trace: NetworkTrace = .off) throws -> any ContainerEngine {
        try EngineClient(
            endpoint: EngineEndpoint.resolve(environment: request.processEnvironment, engine: request.engine),
            proxies: request.contentProviders.proxies, trace: trace)
    }

    /// `--debug`'s trace of swift-r2d's own HTTP traffic (the engine, registries, data repositories), written
    /// through the reporter, which redacts; off otherwise.
    static func networkTrace(_ reporter: Reporter) -> NetworkTrace {
        guard reporter.debugEnabled else { return .off }
        return .lines { [reporter] line in reporter.debug("http: " + line + "\n") }
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
        // --build-timeout counts from here: the handshake, fetch, build and push, not the container's run.
        let deadline = request.limits.buildTimeoutSeconds.map { ContinuousClock.now + .seconds($0) }
        let source = repositorySource()
        try validate(source.location)
        // Build secrets are read (and hidden from every later line) before anything else happens; a dry run needs none.
        let secrets = request.build ? try resolveSecrets() : []
        // A dry run needs no git at all; a build needs it right after connecting, so libgit2 starts meanwhile.
        if request.build { Git.initializeInBackground() }
        // A local checkout's cleanliness check (most of a rebuild that finds its image) overlaps the daemon
        // handshake; nothing is printed before the handshake, so a missing daemon is still the only line.
        var workTreeState: Task<WorkTreeState?, any Error>?
        if request.build, case .localDirectory(let path) = source.location {
            workTreeState = Task.detached(priority: .userInitiated) { try Git.workTreeState(at: path) }
        }
        let engine: (any ContainerEngine)?
        do {
            engine = request.build ? try await connectEngine() : nil
        } catch {
            _ = try? await workTreeState?.value
            throw error
        }
        do {
            let outcome = try await run(
                source, engine: engine, workTreeState: workTreeState, secrets: secrets, deadline: deadline)
            await engine?.shutdown()
            return outcome
        } catch {
            await engine?.shutdown()
            throw error
        }
    }

    func repositorySource() -> RepositorySource {
        var source = RepositorySource(request: request, reporter: reporter)
        source.providers = repositoryProviders
        source.temporaryParent = temporaryParent
        return source
    }

    /// Checks that need neither the network nor a daemon, in repo2docker's order.
    func validate(_ location: RepositoryLocation) throws {
        guard request.engine == "docker" || request.engine == "podman" else { throw CoreError.unknownEngine(request.engine) }
        if request.build && request.userID == 0 { throw CoreError.rootUser }
        if case .repository = request.environmentCache {
            try credentialStore.validate()
        } else if request.push {
            try credentialStore.validate()
        }
        if case .missingLocalPath = location { throw CoreError.repositoryMissing(request.repo) }
        try checkSecretsBuilder()
    }

    /// The engine, its API version negotiated (a missing daemon fails here, before any clone).
    func connectEngine() async throws -> any ContainerEngine {
        let engine = try connect(request)
        do {
            try await engine.negotiateVersion()
        } catch {
            await engine.shutdown()
            throw error
        }
        return engine
    }

    /// The stages: those that need the checkout run inside its lifetime (Pipeline+Stages.swift), and the
    /// checkout is gone before the container starts.
    private func run(
        _ source: RepositorySource, engine: (any ContainerEngine)?,
        workTreeState: Task<WorkTreeState?, any Error>?, secrets: [BuildSecret], deadline: ContinuousClock.Instant?
    ) async throws -> PipelineOutcome {
        // An engine that could not keep a secret out of the image is refused before anything is fetched.
        if !secrets.isEmpty, let engine {
            do {
                _ = try await chooseBuilder(engine: engine)
            } catch {
                _ = try? await workTreeState?.value
                throw error
            }
        }
        let image = try await TimeLimit.run(deadline: deadline, seconds: request.limits.buildTimeoutSeconds) {
            try await source.withRepository(workTreeState: workTreeState) { fetched in
                try RepositorySize.check(fetched, limit: request.limits.maximumRepositoryBytes, repo: request.repo)
                return try await prepareImage(fetched, engine: engine, secrets: secrets)
            }
        }
        guard let engine, let image else { return PipelineOutcome(exitCode: 0, imageName: nil) }
        return try await runContainer(engine: engine, image: image)
    }

    /// The request's rendering settings.
    var renderOptions: RenderOptions {
        RenderOptions(
            baseImage: request.baseImage, appendix: request.appendix, platform: request.platform ?? "linux/amd64",
            // A dry run as root still renders the image user's uid, as repo2docker's default.
            userID: request.userID == 0 ? 1000 : request.userID,
            pythonIndexURL: request.pythonIndexURL, pythonDownloadMirror: request.pythonDownloadMirror,
            downloads: request.downloadLocations, secretIDs: secretIDs)
    }

    var credentialStore: RegistryCredentialStore {
        RegistryCredentialStore(environment: request.processEnvironment, configured: request.registryCredentials)
    }

    /// Whether the registry already has the tag. Credentials it rejects end the run (the push would fail
    /// too); a registry that cannot be asked only costs a rebuild.
    func registryHasImage(_ imageName: String) async throws -> Bool {
        let reference = ImageReference(parsing: imageName)
        let credential = try await credentialStore.credential(for: reference.registry)
        do {
            return try await registry.manifestExists(reference, credential: credential)
        } catch let error as RegistryError {
            if case .unauthorized = error { throw error }
            reporter.log("Could not ask \(reference.registry) whether \(imageName) exists (\(error)); building it.\n", phase: .building)
            return false
        }
    }

    var sourceDateEpoch: Int64? {
        request.processEnvironment["SOURCE_DATE_EPOCH"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
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
            "org.opencontainers.image.source": isLocal
                ? RepositoryLocation.absolute(request.repo) : Redaction.redactingCredentials(in: request.repo),
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
    func contextSpec(
        plan: BuildPlan, rendered: RenderedBuild, snapshot: RepoSnapshot, mtime: Int64, scratch: ScratchDirectory
    ) throws -> BuildContextSpec {
        var patterns: [String] = []
        for file in plan.ignoreFiles {
            if let text = try snapshot.readText(file) { patterns += IgnoreRules.parse(text) }
        }
        let replacements = try canonicalIndexes(under: snapshot.root, scratch: scratch)
        guard rendered.isGenerated else {
            var keep = [".dockerignore", ".containerignore"]
            if let dockerfile = plan.dockerfile { keep.append(dockerfile) }
            return BuildContextSpec(
                root: snapshot.root, prefix: "", ignore: IgnoreRules(patterns: patterns), keepAlways: keep,
                generatedFiles: [], replacementFiles: replacements, uid: request.userID, mtime: mtime, emptyRootDirectory: false)
        }
        let files =
            [ContextFile(path: "Dockerfile", contents: Array(rendered.dockerfile.utf8))]
            + rendered.files.map { ContextFile(path: $0.path, contents: $0.contents, mode: $0.mode) }
        return BuildContextSpec(
            root: snapshot.root, prefix: "src/", ignore: IgnoreRules(patterns: patterns), keepAlways: ["Dockerfile"],
            generatedFiles: files, replacementFiles: replacements, uid: request.userID, mtime: mtime, emptyRootDirectory: true)
    }

    /// `.git/index` (and submodules' indexes) hold stat data that differs between clones; the context
    /// carries indexes rebuilt from HEAD instead, so two clones of one commit pack identically. They are
    /// written to `scratch` and read from there when packed (context path → file).
    func canonicalIndexes(under root: String, scratch: ScratchDirectory) throws -> [String: String] {
        var replacements: [String: String] = [:]
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
            let file = try scratch.directory() + "/index-\(replacements.count)"
            if try Git.writeCanonicalIndex(gitDir: root + "/" + directory, to: file) {
                replacements[directory + "/index"] = file
            }
        }
        return replacements
    }
}
