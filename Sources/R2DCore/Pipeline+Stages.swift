import Foundation
import R2DBuildContext
import R2DBuildKitSession
import R2DBuildpacks
import R2DEngine

/// The plan stage's result: the directory analysed, the buildpack and its Dockerfile.
struct PlannedBuild {
    let snapshot: RepoSnapshot
    let plan: BuildPlan
    let rendered: RenderedBuild
    /// Every context entry's mtime and the `created` label: SOURCE_DATE_EPOCH, else the commit's time.
    let mtime: Int64
    /// SOURCE_DATE_EPOCH or the commit's time; nil for content that has neither.
    let sourceDate: Int64?
    let builder: BuilderChoice
}

/// The context stage's result: what names the image, and the packed context when naming needed it (a
/// content digest); otherwise the context is packed only if a build needs it.
struct PreparedContext {
    let identity: ImageIdentity
    let packed: BuildContextSpec?
}

/// What the run does about the image once it is named.
enum ImageAction: Equatable {
    /// `--push` and the registry has the tag: nothing to build or push.
    case alreadyInRegistry
    /// The daemon has the image; `push` when the registry still lacks it.
    case reuse(push: Bool)
    /// Build and tag it; `push` when asked and the registry lacks it.
    case build(push: Bool)
}

/// The image the run stage starts, with the directory it was made from.
struct PreparedImage {
    let identity: ImageIdentity
    let repositoryDirectory: String
}

extension Pipeline {
    /// The stages that need the checkout: an early lookup when a commit or content id names the image, then
    /// plan → context → build and tag → push. Nil for a dry run (the Dockerfile is printed instead).
    func prepareImage(
        _ fetched: FetchedRepository, engine: (any ContainerEngine)?, secrets: [BuildSecret] = []
    ) async throws -> PreparedImage? {
        let directory = try RepositoryDirectory.resolve(checkout: fetched.path, subdir: request.subdir, repo: request.repo)
        let named = ImageIdentity.naming(fetched, request: request)
        // An image a commit or content id names is reused before anything is detected or packed, as
        // repo2docker does (it looks the image up before picking a buildpack). With --push, the registry is
        // asked first (decide).
        var knownMissing = false
        if let engine, let named, !request.push {
            if try await engine.inspectImage(named.name) != nil {
                reporter.log("Reusing existing image (\(named.name)), not building.\n")
                return PreparedImage(identity: named, repositoryDirectory: directory)
            }
            knownMissing = true
        }
        let scratch = ScratchDirectory(parent: temporaryParent)
        defer { scratch.remove() }
        return try await planAndBuild(
            fetched, directory: directory, named: named, knownMissing: knownMissing, engine: engine, secrets: secrets,
            scratch: scratch)
    }

    /// plan → context → build and tag → push, once the early lookup found nothing to reuse.
    private func planAndBuild(
        _ fetched: FetchedRepository, directory: String, named: ImageIdentity?, knownMissing: Bool,
        engine: (any ContainerEngine)?, secrets: [BuildSecret], scratch: ScratchDirectory
    ) async throws -> PreparedImage? {
        let builder = try await chooseBuilder(engine: engine)
        let planned = try plan(fetched, directory: directory, builder: builder)
        guard let engine else {
            standardOutput(planned.rendered.dockerfile)
            return nil
        }
        let context = try self.context(planned, named: named, scratch: scratch)
        switch try await decide(context.identity, engine: engine, knownMissing: knownMissing) {
        case .alreadyInRegistry:
            reporter.log("Image \(context.identity.name) is already in its registry; not building or pushing it again.\n", phase: .pushing)
        case .reuse(let push):
            reporter.log("Reusing existing image (\(context.identity.name)), not building.\n")
            if push { try await self.push(engine: engine, identity: context.identity, madeTag: false) }
        case .build(let push):
            let spec = try context.packed ?? contextSpec(planned, scratch: scratch)
            let inputs = CompositionInputs(
                planned: planned, spec: spec, identity: context.identity, isLocal: fetched.isLocal, secrets: secrets, scratch: scratch)
            let composed = push ? try await composeInRegistry(engine: engine, inputs) : false
            if !composed {
                try await build(
                    engine: engine, planned: planned, spec: spec, identity: context.identity, isLocal: fetched.isLocal, push: push,
                    secrets: secrets)
            }
        }
        return PreparedImage(identity: context.identity, repositoryDirectory: directory)
    }

    /// Plan: the buildpack and its Dockerfile; the notes on which file chose a version are logged on the way.
    func plan(_ fetched: FetchedRepository, directory: String, builder: BuilderChoice) throws -> PlannedBuild {
        let snapshot = try RepoSnapshot(root: directory, repositoryRoot: fetched.path)
        let plan = try BuildpackChain.detect(
            snapshot, allowDefault: request.allowDefaultBuildpack,
            defaultPython: request.defaultPythonVersion)
        plan.notes.forEach { reporter.log($0 + "\n") }
        try checkDockerfileSyntax(plan, snapshot: snapshot, builder: builder)
        if let builtin = try builtinFrontendDockerfile(plan, snapshot: snapshot) {
            reporter.log(
                "--builtin-frontend: \(builtin.path) is built with the engine's own Dockerfile frontend, "
                    + "not the \(builtin.syntax) its # syntax= line names.\n")
        }
        var options = renderOptions
        options.buildKitCaches = builder.backend == .buildKit
        let rendered = try DockerfileRenderer.renderBuild(plan, snapshot: snapshot, options: options)
        let sourceDate = sourceDateEpoch ?? fetched.commitTime
        return PlannedBuild(
            snapshot: snapshot, plan: plan, rendered: rendered, mtime: sourceDate ?? 0, sourceDate: sourceDate, builder: builder)
    }

    /// Context: content that no commit or content id names is named by its packed context's sha256.
    func context(_ planned: PlannedBuild, named: ImageIdentity?, scratch: ScratchDirectory) throws -> PreparedContext {
        if let named { return PreparedContext(identity: named, packed: nil) }
        let spec = try contextSpec(planned, scratch: scratch)
        return PreparedContext(identity: .naming(contextDigest: try BuildContext.digest(spec).sha256, request: request), packed: spec)
    }

    func contextSpec(_ planned: PlannedBuild, scratch: ScratchDirectory) throws -> BuildContextSpec {
        var spec = try contextSpec(
            plan: planned.plan, rendered: planned.rendered, snapshot: planned.snapshot, mtime: planned.mtime, scratch: scratch)
        if let builtin = try builtinFrontendDockerfile(planned.plan, snapshot: planned.snapshot) {
            spec.replacements[builtin.path] = Array(builtin.text.utf8)
        }
        return spec
    }

    /// With --push, a tag the registry already has is done work (BinderHub checks the same way), unless the
    /// image must be run and the daemon lacks it. `knownMissing`: the early lookup already asked the daemon.
    func decide(_ identity: ImageIdentity, engine: any ContainerEngine, knownMissing: Bool) async throws -> ImageAction {
        let alreadyPushed = request.push ? try await registryHasImage(identity.name) : false
        let existsLocally = knownMissing ? false : try await engine.inspectImage(identity.name) != nil
        if alreadyPushed && (existsLocally || !request.run) { return .alreadyInRegistry }
        let push = request.push && !alreadyPushed
        return existsLocally ? .reuse(push: push) : .build(push: push)
    }

    /// Build, tag and push, on the environment from the registry when there is one (EnvironmentReuse.swift);
    /// an environment this run built is stored after the image is pushed, and this run's environment tag goes.
    func build(
        engine: any ContainerEngine, planned: PlannedBuild, spec: BuildContextSpec, identity: ImageIdentity, isLocal: Bool,
        push: Bool, secrets: [BuildSecret] = []
    ) async throws {
        let environment = try await prepareEnvironment(
            engine: engine, planned: planned, spec: spec, identity: identity, secrets: secrets)
        do {
            try await buildAndTag(
                engine: engine, planned: planned, spec: spec, identity: identity, isLocal: isLocal, environment: environment,
                secrets: secrets)
            if push { try await self.push(engine: engine, identity: identity, madeTag: true) }
            if let environment { await publishEnvironment(engine: engine, environment) }
        } catch {
            await releaseEnvironment(engine: engine, environment)
            throw error
        }
        await releaseEnvironment(engine: engine, environment)
    }

    /// Build and tag: the build is untagged, and the tag applied only once the daemon reports success, so a
    /// failed or interrupted build leaves no tag. With an environment, only the steps after it are built, on
    /// it. Returns the image id.
    @discardableResult
    func buildAndTag(
        engine: any ContainerEngine, planned: PlannedBuild, spec: BuildContextSpec,
        identity: ImageIdentity, isLocal: Bool, environment: PreparedEnvironment? = nil, secrets: [BuildSecret] = []
    ) async throws -> String {
        let plan = planned.plan
        var spec = spec
        var dockerfile = planned.rendered.dockerfile
        if let environment, let after = planned.rendered.dockerfileAfterEnvironment(from: environment.localTag) {
            dockerfile = after
            spec = Self.replacingDockerfile(spec, with: after)
        }
        reporter.debug(dockerfile.hasSuffix("\n") ? dockerfile : dockerfile + "\n", phase: .building)
        reporter.log("Using \(plan.kind.className) builder\n", phase: .building)
        guard identity.digest == nil else { throw CoreError.cannotTagDigest(identity.name) }

        var options = try buildOptions(planned, sourceDate: planned.sourceDate, spec: spec, secrets: secrets)
        options.labels = labels(revision: identity.revision, mtime: planned.mtime, isLocal: isLocal)
        let imageID = try await sendBuild(engine: engine, options: options, planned: planned, spec: spec)
        try await engine.tagImage(imageID, repository: identity.repository, tag: identity.tag)
        reporter.log("Successfully tagged \(identity.repository):\(identity.tag)\n", phase: .building)
        return imageID
    }

    /// The options every build of this plan shares (the environment's and the image's): Dockerfile, builder,
    /// build arguments, cache sources, platform, network, secrets and, with BuildKit, the session serving
    /// `spec`. Labels are the caller's.
    func buildOptions(_ planned: PlannedBuild, sourceDate: Int64?, spec: BuildContextSpec, secrets: [BuildSecret]) throws -> BuildOptions {
        var options = BuildOptions()
        options.dockerfile = planned.plan.kind == .docker ? (planned.plan.dockerfile ?? "Dockerfile") : "Dockerfile"
        options.backend = planned.builder.backend
        options.buildArgs = buildArguments()
        if options.backend == .buildKit {
            options.buildArgs.merge(buildKitArguments(sourceDate: sourceDate)) { own, _ in own }
        }
        options.cacheFrom = request.cacheFrom
        options.platform = request.platform
        options.networkMode = request.network
        options.secrets = secrets
        if options.backend == .buildKit { options.session = try sessionServices(spec: spec, builder: planned.builder) }
        return options
    }

    /// Sends the build (the tar as the body, metered, or the session's file sync) and follows its output under
    /// the `building` phase, as the daemon words it.
    func sendBuild(engine: any ContainerEngine, options: BuildOptions, planned: PlannedBuild, spec: BuildContextSpec) async throws -> String
    {
        // The stream's sha256 is only shown with --debug.
        let stream = BuildContext.stream(spec, computingDigest: reporter.debugEnabled)
        let reporter = self.reporter
        let bySession = options.session?.context != nil
        let imageID: String
        let events: @Sendable (BuildEvent) -> Void = { event in
            switch event {
            case .output(let text): reporter.log(text, phase: .building)
            case .status(let text):
                reporter.log(text.hasSuffix("\n") || text.hasSuffix("\r") ? text : text + "\n", phase: .building)
            case .imageID: break
            }
        }
        do {
            if bySession, let snapshot = options.session?.context {
                // File sync sends the files BuildKit lacks, as it asks for them: the meter counts those bytes, of all
                // the files' bytes.
                let upload = ContextUploadProgress(reporter: reporter) { snapshot.fileBytes }
                imageID = try await upload.metering { meter in
                    var options = options
                    options.session?.progress = FileSyncProgress(sent: { meter.add($0) }, contextDone: { meter.finish() })
                    return try await engine.build(context: stream, options: options, onEvent: events)
                }
            } else {
                let upload = ContextUploadProgress(reporter: reporter) { try? BuildContext.estimatedSize(spec) }
                imageID = try await upload.around(stream) { context in
                    try await engine.build(context: context, options: options, onEvent: events)
                }
            }
        } catch {
            throw try syntaxFrontendFailure(error, planned: planned) ?? error
        }
        if !bySession {
            let summary = try await stream.summary()
            reporter.debug("Build context: \(summary.bytes) bytes, sha256 \(summary.sha256)\n", phase: .building)
        } else if reporter.debugEnabled {
            // The session sent the files, not the tar: its digest costs one more walk, so only with --debug.
            let summary = try BuildContext.digest(spec)
            reporter.debug("Build context: \(summary.bytes) bytes, sha256 \(summary.sha256) (sent by file sync)\n", phase: .building)
        }
        return imageID
    }

    /// Push. A failed push leaves nothing half-done: a tag this run made goes (its layers stay cached, so a
    /// retry rebuilds in seconds); an image that was there before is left alone.
    func push(engine: any ContainerEngine, identity: ImageIdentity, madeTag: Bool) async throws {
        do {
            var pusher = ImagePusher(engine: engine, reporter: reporter, credentials: credentialStore)
            pusher.stallTimeoutSeconds = request.limits.pushStallTimeoutSeconds
            try await pusher.push(identity.name)
        } catch {
            if madeTag { try? await engine.removeImage(identity.name, force: false, prune: false) }
            throw error
        }
    }

    /// Run: the image when asked to (`--no-run` skips it); the outcome carries the container's exit status.
    func runContainer(engine: any ContainerEngine, image: PreparedImage) async throws -> PipelineOutcome {
        guard request.run else { return PipelineOutcome(exitCode: 0, imageName: image.identity.name) }
        let code = try await ContainerRunner(request: request, reporter: reporter, engine: engine)
            .run(image: image.identity.name, repoDirectory: image.repositoryDirectory)
        return PipelineOutcome(exitCode: code, imageName: image.identity.name)
    }
}
