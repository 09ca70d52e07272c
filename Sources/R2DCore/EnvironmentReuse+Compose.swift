import AsyncHTTPClient
import Foundation
import NIOCore
import R2DBasics
import R2DBuildContext
import R2DBuildpacks
import R2DEngine
import R2DRegistry

/// What composing an image in the registry needs from the build stage.
struct CompositionInputs {
    let planned: PlannedBuild
    let spec: BuildContextSpec
    let identity: ImageIdentity
    let isLocal: Bool
    let secrets: [BuildSecret]
    let scratch: ScratchDirectory
}

extension Pipeline {
    /// BinderHub's case (`--push`, `--no-run`) with this commit's environment already in the image's registry
    /// repository: the image is composed in the registry instead of built on the engine. The steps after the
    /// environment that only copy context files and set config are written here as layers; the registry's
    /// environment layers are referred to, never pulled. False (nothing done, nothing said) when the engine
    /// must build: no such environment, a step that needs a container, `--no-registry-compose`.
    func composeInRegistry(engine: any ContainerEngine, _ inputs: CompositionInputs) async throws -> Bool {
        guard request.composeInRegistry, request.push, !request.run, inputs.identity.digest == nil,
            environmentRepository(inputs.identity, plan: inputs.planned.plan).repository == inputs.identity.repository,
            let split = inputs.planned.rendered.environmentSplit,
            let after = inputs.planned.rendered.dockerfileAfterEnvironment(from: "environment"),
            let baseImageID = try await baseImageID(engine: engine)
        else { return false }
        let hex = try environmentInputs(inputs.planned, split: split, secretIDs: inputs.secrets.map(\.id)).identity(
            baseImageID: baseImageID)
        let reference = ImageReference(parsing: inputs.identity.name)
        let session = try RegistrySession(
            client: makeRegistryClient(), repository: reference, credential: try await credentialStore.credential(for: reference.registry))
        do {
            let done = try await compose(after: after, environmentTag: PreparedEnvironment.tagPrefix + hex, identity: hex, session, inputs)
            await session.close()
            return done
        } catch {
            await session.close()
            throw error
        }
    }

    /// The environment's manifest and config, checked; nil when the registry has none usable (the engine path
    /// then asks again and says why).
    func environmentImage(_ session: RegistrySession, tag: String, identity: String) async -> (manifest: RegistryManifest, config: [UInt8])?
    {
        do {
            guard var manifest = try await session.manifest(tag) else { return nil }
            if ImageComposition.indexTypes.contains(manifest.mediaType) {
                let entry = try ImageComposition.platformManifest(in: manifest.bytes, platform: request.platform ?? hostPlatform)
                guard let chosen = try await session.manifest(entry.digest) else { return nil }
                manifest = chosen
            }
            let root = try ImageComposition.object(manifest.bytes)
            // The manifest's own mediaType field is what it is; the Content-Type header only says what was served.
            if let type = root["mediaType"] as? String {
                manifest = RegistryManifest(mediaType: type, bytes: manifest.bytes, digest: manifest.digest)
            }
            guard let digest = (root["config"] as? [String: Any])?["digest"] as? String else { return nil }
            let config = try await session.blob(digest)
            guard try ImageComposition.runConfig(config).labels[PreparedEnvironment.label] == identity else { return nil }
            return (manifest, config)
        } catch {
            reporter.debug("Composing in the registry: the environment \(tag) could not be read (\(error)).\n", phase: .building)
            return nil
        }
    }

    var hostPlatform: String {
        #if arch(arm64)
            "linux/arm64"
        #else
            "linux/amd64"
        #endif
    }

    private func compose(
        after: String, environmentTag: String, identity: String, _ session: RegistrySession, _ inputs: CompositionInputs
    ) async throws -> Bool {
        guard let environment = await environmentImage(session, tag: environmentTag, identity: identity) else { return false }
        let steps: ComposedSteps
        do {
            steps = try ComposedSteps.read(after, on: try ImageComposition.runConfig(environment.config), buildArguments: buildArguments())
        } catch let error as ComposedSteps.NotComposable {
            reporter.debug("Composing in the registry: not possible (\(error.reason)); the engine builds the steps.\n", phase: .building)
            return false
        }
        var copies = steps.steps.compactMap(\.copy)
        do {
            guard let directories = try await environmentDirectories(session, manifest: environment.manifest.bytes, scratch: inputs.scratch)
            else {
                reporter.debug("Composing in the registry: the environment recorded no directories; the engine builds the steps.\n")
                return false
            }
            for index in copies.indices { copies[index].parents = try directories.parents(of: copies[index].destination) }
        } catch {
            let reason = (error as? ComposedSteps.NotComposable)?.reason ?? "\(error)"
            reporter.debug("Composing in the registry: not possible (\(reason)); the engine builds the steps.\n", phase: .building)
            return false
        }
        reporter.log(
            "Environment reuse: reused \(inputs.identity.repository):\(environmentTag); composing the repository copy and the steps "
                + "after it in the registry (nothing to pull or run).\n", phase: .building)
        let layers = try BuildContext.writeCopyLayers(
            inputs.spec, copies: copies, directory: try inputs.scratch.directory())
        for (step, layer) in zip(steps.steps.filter { $0.copy != nil }, layers) {
            reporter.log("\(step.createdBy): layer \(layer.digest.prefix(19))…, \(ByteCount.describe(layer.size))\n", phase: .building)
        }
        let created = UTCTimestamp(secondsSinceEpoch: inputs.planned.sourceDate ?? Int64(Date().timeIntervalSince1970)).iso8601
        let labels = self.labels(revision: inputs.identity.revision, mtime: inputs.planned.mtime, isLocal: inputs.isLocal)
        let config = try ImageComposition.config(
            environment: environment.config, steps: steps, layers: layers, labels: labels, created: created)
        let manifest = try ImageComposition.manifest(
            environment: environment.manifest.bytes, mediaType: environment.manifest.mediaType, config: config, layers: layers)
        try await upload(
            layers: layers, config: config, manifest: manifest, mediaType: environment.manifest.mediaType, session, inputs.identity)
        return true
    }
}
