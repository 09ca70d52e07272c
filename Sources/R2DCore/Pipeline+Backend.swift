import R2DBuildContext
import R2DBuildKitSession
import R2DBuildpacks
import R2DEngine

/// The builder a build goes through, decided once per build from `--build-backend` and what the engine offers.
struct BuilderChoice: Equatable {
    let backend: BuildBackend
    /// Why BuildKit is not used (`--build-backend classic`, or what the engine lacks); nil with BuildKit.
    let classicReason: String?
    let isPodman: Bool
    /// With BuildKit: the context goes through the session's file sync rather than as the request body.
    var contextBySession = false

    static let buildKit = BuilderChoice(backend: .buildKit, classicReason: nil, isPodman: false)
    static let askedForClassic = "--build-backend classic was asked for"
    static let noBridgeNetwork =
        "the engine has no bridge network (dockerd --bridge=none), which BuildKit's RUN steps need without --network"
}

extension Pipeline {
    /// The builder. A dry run asks no daemon: `auto` renders for BuildKit there, as most engines build with it.
    /// With an engine, `auto` takes BuildKit where the engine can run it and says in one line when it cannot;
    /// `buildkit` where it cannot is refused before anything is built.
    func chooseBuilder(engine: (any ContainerEngine)?) async throws -> BuilderChoice {
        guard let engine else {
            return request.buildBackend == .classic
                ? BuilderChoice(backend: .classic, classicReason: BuilderChoice.askedForClassic, isPodman: false) : .buildKit
        }
        var support = try await engine.builderSupport()
        if support.buildKitUnavailable == nil, !support.hasBridgeNetwork, request.network == nil {
            support.buildKitUnavailable = BuilderChoice.noBridgeNetwork
        }
        try checkSecretsBuilder(support)
        switch (request.buildBackend, support.buildKitUnavailable) {
        case (.classic, _):
            return BuilderChoice(backend: .classic, classicReason: BuilderChoice.askedForClassic, isPodman: support.isPodman)
        case (.buildKit, let reason?):
            throw CoreError.buildKitUnavailable(reason)
        case (.auto, let reason?):
            reporter.log(support.isPodman ? "\(reason).\n" : "\(reason); building with the classic builder.\n", phase: .building)
            return BuilderChoice(backend: .classic, classicReason: reason, isPodman: support.isPodman)
        case (_, nil):
            var choice = BuilderChoice.buildKit
            // File sync measured faster than the tar body where both work (bench/results-issue16.md), so it is the
            // default; SWIFT_R2D_BUILDKIT_CONTEXT=body keeps the body there, for bench/session.sh and as a way out.
            choice.contextBySession =
                support.buildKitNeedsSessionContext || request.processEnvironment["SWIFT_R2D_BUILDKIT_CONTEXT"] != "body"
            return choice
        }
    }

    /// A user Dockerfile written for BuildKit fails on Docker's classic builder with a message about one flag;
    /// this says which construct needs BuildKit and how to get it, before the build starts. Podman's builder
    /// reads most of that syntax itself, so it is left to judge.
    func checkDockerfileSyntax(_ plan: BuildPlan, snapshot: RepoSnapshot, builder: BuilderChoice) throws {
        guard plan.kind == .docker, builder.backend == .classic, !builder.isPodman, let reason = builder.classicReason else { return }
        let path = plan.dockerfile ?? "Dockerfile"
        let text = try builtinFrontendDockerfile(plan, snapshot: snapshot)?.text ?? snapshot.readText(path)
        guard let text, let feature = DockerfileSyntax.firstBuildKitFeature(in: text) else { return }
        throw CoreError.dockerfileNeedsBuildKit(file: path, feature: feature.description, reason: reason)
    }

    /// With `--builtin-frontend`, the user's Dockerfile as the build context carries it: without its `# syntax=`
    /// directive, which would make BuildKit fetch that frontend image from a registry (failing air-gapped).
    /// Nil when the flag is off, the Dockerfile is generated, or it has no such directive.
    func builtinFrontendDockerfile(_ plan: BuildPlan, snapshot: RepoSnapshot) throws -> (path: String, text: String, syntax: String)? {
        guard request.builtinFrontend, plan.kind == .docker else { return nil }
        let path = plan.dockerfile ?? "Dockerfile"
        guard let text = try snapshot.readText(path), let (rewritten, syntax) = Self.withoutSyntaxDirective(text) else { return nil }
        return (path, rewritten, syntax)
    }

    /// `text` with its `syntax` parser directive made a plain `#` comment, and the directive's value. The other
    /// directives (`escape`) move up so that they still lead the file; every instruction keeps its line number.
    static func withoutSyntaxDirective(_ text: String) -> (text: String, syntax: String)? {
        let directives = DockerfileSyntax.parse(text).directives
        guard let syntax = directives.first(where: { $0.key == "syntax" }) else { return nil }
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) }
        let count = directives.count
        let kept = zip(lines[..<count], directives).filter { $0.1.key != "syntax" }.map(\.0)
        lines.replaceSubrange(0..<count, with: kept + Array(repeating: Array("#".utf8), count: count - kept.count))
        let joined = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        return (String(decoding: joined, as: UTF8.self), syntax.value)
    }

    /// A BuildKit build that failed because the frontend image a `# syntax=` line names could not be had (the
    /// daemon's message is about the gateway frontend or names that image) says so and how to do without it.
    func syntaxFrontendFailure(_ error: any Error, planned: PlannedBuild) throws -> CoreError? {
        guard case EngineError.buildFailed(let message) = error, planned.plan.kind == .docker,
            planned.builder.backend == .buildKit, !request.builtinFrontend
        else { return nil }
        let path = planned.plan.dockerfile ?? "Dockerfile"
        guard let text = try planned.snapshot.readText(path),
            let syntax = DockerfileSyntax.parse(text).directives.first(where: { $0.key == "syntax" })?.value,
            message.contains("gateway.v0") || message.contains(syntax)
        else { return nil }
        return .syntaxFrontendUnavailable(file: path, syntax: syntax, message: message)
    }

    /// The BuildKit session a build serves: registry credentials for its base images (the ones the push would use),
    /// and the context by file sync, from the same walk as the tar, where the engine cannot read it from the body.
    func sessionServices(spec: BuildContextSpec, builder: BuilderChoice) throws -> SessionServices {
        let store = credentialStore
        var services = SessionServices(credentials: { host in
            // A credential that cannot be had leaves the pull anonymous, as it is for a public base image.
            guard let credential = try? await store.credential(for: host) else { return nil }
            if let token = credential.identityToken, !token.isEmpty { return SessionCredential(username: "", secret: token) }
            return SessionCredential(username: credential.username, secret: credential.password)
        })
        if builder.contextBySession { services.context = try BuildContext.snapshot(spec) }
        return services
    }

    /// What a BuildKit build adds to the build arguments: the commit time as `SOURCE_DATE_EPOCH` (BuildKit
    /// 0.11+ writes it as the image's and history's times, so one commit gives one `Created`), and the inline
    /// cache metadata that lets the image serve as a `--cache-from` source.
    func buildKitArguments(sourceDate: Int64?) -> [String: String] {
        var arguments = ["BUILDKIT_INLINE_CACHE": "1"]
        if let sourceDate { arguments["SOURCE_DATE_EPOCH"] = String(sourceDate) }
        return arguments
    }
}
