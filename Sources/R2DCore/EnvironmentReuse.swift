import Foundation
import R2DBasics
import R2DBuildContext
import R2DBuildpacks
import R2DEngine
import R2DRegistry

/// Where environments are looked up and stored (`--env-cache`, `--no-env-cache`; Docs/design.md, "Reusing an
/// environment").
public enum EnvironmentCacheChoice: Sendable, Equatable {
    /// With `--push`, the registry repository of the image being built; without it, nowhere.
    case imageRepository
    /// `--no-env-cache`: every build builds its environment.
    case off
    /// `--env-cache <registry>/<repository>`: that repository, with or without `--push`.
    case repository(String)
}

/// The environment a build stands on: an image of the environment's steps, found in the registry (and checked
/// against its identity label) or built by this run, under a tag only this run uses.
struct PreparedEnvironment: Sendable {
    /// The registry repository's content-addressed tag, `<repository>:r2d-env-<identity>`.
    let reference: String
    let identity: String
    /// The verified image, tagged for this run alone so that no other run can move the tag under the build.
    let localTag: String
    /// True when this run built it: it is pushed to `reference` afterwards.
    let built: Bool

    static let label = "org.swift-r2d.environment"
    static let tagPrefix = "r2d-env-"
}

extension Pipeline {
    /// The repository environments live in for this build, or why there is none (nil with a reason, or nil
    /// and no reason when the run neither pushes nor names a cache: nothing to say).
    func environmentRepository(_ identity: ImageIdentity, plan: BuildPlan) -> (repository: String?, reason: String?) {
        switch request.environmentCache {
        case .off: return (nil, "--no-env-cache")
        case .imageRepository:
            guard request.push else { return (nil, nil) }
            guard plan.kind != .docker else { return (nil, "the repository brings its own Dockerfile, which is built as it is") }
            return (identity.repository, nil)
        case .repository(let repository):
            guard plan.kind != .docker else { return (nil, "the repository brings its own Dockerfile, which is built as it is") }
            return (repository, nil)
        }
    }

    /// Finds this build's environment in its registry repository, or builds it; nil (with one line saying
    /// why) when the build is a plain full build. Never fails the run for a missing or broken environment:
    /// only the build of the environment itself can fail it.
    func prepareEnvironment(
        engine: any ContainerEngine, planned: PlannedBuild, spec: BuildContextSpec, identity: ImageIdentity,
        secrets: [BuildSecret] = []
    ) async throws -> PreparedEnvironment? {
        let (repository, reason) = environmentRepository(identity, plan: planned.plan)
        guard let repository else {
            if let reason { reporter.log("Environment reuse: none (\(reason)).\n", phase: .building) }
            return nil
        }
        guard let split = planned.rendered.environmentSplit, planned.rendered.dockerfileAfterEnvironment(from: "x") != nil else {
            reporter.log("Environment reuse: none (this Dockerfile has no environment stage).\n", phase: .building)
            return nil
        }
        guard let baseImageID = try await baseImageID(engine: engine) else {
            reporter.log(
                "Environment reuse: none (the base image \(request.baseImage) is not on the engine and could not be pulled).\n",
                phase: .building)
            return nil
        }
        let inputs = try environmentInputs(planned, split: split, secretIDs: secrets.map(\.id))
        let hex = inputs.identity(baseImageID: baseImageID)
        let reference = "\(repository):\(PreparedEnvironment.tagPrefix)\(hex)"
        if let found = try await pullEnvironment(engine: engine, reference: reference, identity: hex) {
            reporter.log(
                "Environment reuse: reused \(reference); building only the repository copy and the steps after it.\n",
                phase: .building)
            return found
        }
        return try await buildEnvironment(
            engine: engine, planned: planned, spec: spec, reference: reference, identity: hex, secrets: secrets)
    }

    /// What decides the environment's layers, for this request (everything but the base image's id).
    /// Secrets count by id alone: their values must not be derivable from a tag anyone can read.
    func environmentInputs(_ planned: PlannedBuild, split: EnvironmentSplit, secretIDs: [String]) throws -> EnvironmentInputs {
        EnvironmentInputs(
            dockerfile: split.imageDockerfile,
            files: try EnvironmentInputs.copiedFiles(split, rendered: planned.rendered, repositoryDirectory: planned.snapshot.root),
            platform: renderOptions.platform, backend: planned.builder.backend, downloads: request.downloadLocations.identityEntries,
            buildArguments: buildArguments(), secretIDs: secretIDs)
    }

    /// The base image's id on the engine (pulled first when the engine lacks it); nil when it cannot be had.
    func baseImageID(engine: any ContainerEngine) async throws -> String? {
        if let image = try await engine.inspectImage(request.baseImage) { return image.id }
        let reference = ImageReference(parsing: request.baseImage)
        let auth = try? await registryAuth(for: reference)
        do {
            try await engine.pullImage(
                repository: reference.name, tag: reference.tag, auth: auth ?? nil, platform: request.platform, onProgress: { _ in })
        } catch let error as EngineError {
            reporter.debug("Pulling the base image \(request.baseImage) failed: \(error)\n", phase: .building)
            return nil
        }
        return try await engine.inspectImage(request.baseImage)?.id
    }

    /// The daemon's `X-Registry-Auth` for a registry, from the same credentials a push uses.
    func registryAuth(for reference: ImageReference) async throws -> RegistryAuth? {
        try await credentialStore.credential(for: reference.registry).map {
            RegistryAuth(
                username: $0.username, password: $0.password, identityToken: $0.identityToken,
                serverAddress: reference.registry == ImageReference.dockerHub ? ImageReference.dockerHubConfigKey : reference.registry)
        }
    }
}
