import R2DBuildpacks
import R2DEngine

/// The builder a build goes through, decided once per build from `--build-backend` and what the engine offers.
struct BuilderChoice: Equatable {
    let backend: BuildBackend
    /// Why BuildKit is not used (`--build-backend classic`, or what the engine lacks); nil with BuildKit.
    let classicReason: String?
    let isPodman: Bool

    static let buildKit = BuilderChoice(backend: .buildKit, classicReason: nil, isPodman: false)
    static let askedForClassic = "--build-backend classic was asked for"
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
            support.buildKitUnavailable =
                "the engine has no bridge network (dockerd --bridge=none), which BuildKit's RUN steps need without --network"
        }
        switch (request.buildBackend, support.buildKitUnavailable) {
        case (.classic, _):
            return BuilderChoice(backend: .classic, classicReason: BuilderChoice.askedForClassic, isPodman: support.isPodman)
        case (.buildKit, let reason?):
            throw CoreError.buildKitUnavailable(reason)
        case (.auto, let reason?):
            reporter.log(support.isPodman ? "\(reason).\n" : "\(reason); building with the classic builder.\n", phase: .building)
            return BuilderChoice(backend: .classic, classicReason: reason, isPodman: support.isPodman)
        case (_, nil):
            return .buildKit
        }
    }

    /// A user Dockerfile written for BuildKit fails on Docker's classic builder with a message about one flag;
    /// this says which construct needs BuildKit and how to get it, before the build starts. Podman's builder
    /// reads most of that syntax itself, so it is left to judge.
    func checkDockerfileSyntax(_ plan: BuildPlan, snapshot: RepoSnapshot, builder: BuilderChoice) throws {
        guard plan.kind == .docker, builder.backend == .classic, !builder.isPodman, let reason = builder.classicReason else { return }
        let path = plan.dockerfile ?? "Dockerfile"
        guard let text = try snapshot.readText(path), let feature = DockerfileSyntax.firstBuildKitFeature(in: text) else { return }
        throw CoreError.dockerfileNeedsBuildKit(file: path, feature: feature.description, reason: reason)
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
