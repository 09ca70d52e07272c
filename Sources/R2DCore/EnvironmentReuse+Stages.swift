import Foundation
import R2DBasics
import R2DBuildContext
import R2DBuildpacks
import R2DEngine
import R2DRegistry

extension Pipeline {
    /// The environment from the registry, verified: asked for first (the registry's answer decides whether to
    /// pull), pulled, and its identity label checked. Nil, with the one line saying why, when there is none
    /// or it cannot be used; the caller then builds it. A registry that cannot be asked, a pull that fails
    /// half way (or finds the tag deleted since the lookup) and a wrong label all cost a rebuild, never the run.
    func pullEnvironment(engine: any ContainerEngine, reference: String, identity: String) async throws -> PreparedEnvironment? {
        let parsed = ImageReference(parsing: reference)
        let found: Bool
        do {
            found = try await registry.manifestExists(parsed, credential: try await credentialStore.credential(for: parsed.registry))
        } catch let error as RegistryError {
            reporter.log(
                "Environment reuse: none (could not ask \(parsed.registry) for \(reference): \(error)); building it.\n", phase: .building)
            return nil
        }
        guard found else {
            reporter.log("Environment reuse: none (\(reference) is not in the registry yet); building it.\n", phase: .building)
            return nil
        }
        // A pull of a large environment is silent for a while otherwise (the daemon reports layers, not lines).
        reporter.log("Pulling the environment \(reference)\n", phase: .building)
        do {
            try await engine.pullImage(
                repository: parsed.name, tag: parsed.tag, auth: try await registryAuth(for: parsed), platform: request.platform,
                onProgress: { _ in })
        } catch let error as EngineError {
            reporter.log(
                "Environment reuse: none (warning: pulling \(reference) failed: \(error)); building the environment from scratch.\n",
                phase: .building)
            return nil
        }
        guard let image = try await engine.inspectImage(reference), image.labels[PreparedEnvironment.label] == identity else {
            try? await engine.removeImage(reference, force: false, prune: false)
            reporter.log(
                "Environment reuse: none (warning: \(reference) does not carry its identity in the \(PreparedEnvironment.label) label); "
                    + "building the environment from scratch.\n", phase: .building)
            return nil
        }
        let localTag = try await tagForThisRun(engine: engine, imageID: image.id, reference: parsed)
        // The shared tag the pull made goes now; this run builds on its own tag.
        try? await engine.removeImage(reference, force: false, prune: false)
        return PreparedEnvironment(reference: reference, identity: identity, localTag: localTag, built: false)
    }

    /// Builds the environment's own Dockerfile (the same context, another Dockerfile), labelled with its identity.
    func buildEnvironment(
        engine: any ContainerEngine, planned: PlannedBuild, spec: BuildContextSpec, reference: String, identity: String,
        secrets: [BuildSecret]
    ) async throws -> PreparedEnvironment {
        guard let split = planned.rendered.environmentSplit else { throw CoreError.notYetSupported("no environment stage") }
        let spec = Self.replacingDockerfile(spec, with: split.imageDockerfile)
        var options = try buildOptions(planned, sourceDate: nil, spec: spec, secrets: secrets)
        options.labels = [PreparedEnvironment.label: identity]
        let imageID = try await sendBuild(engine: engine, options: options, planned: planned, spec: spec)
        let localTag = try await tagForThisRun(engine: engine, imageID: imageID, reference: ImageReference(parsing: reference))
        return PreparedEnvironment(reference: reference, identity: identity, localTag: localTag, built: true)
    }

    /// Tags the environment image under a name of this run alone (`<reference>-<random>`), so that no other run
    /// on the same engine can move it between the check and the build. Returns `repository:tag`.
    func tagForThisRun(engine: any ContainerEngine, imageID: String, reference: ImageReference) async throws -> String {
        let tag = reference.tag + "-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        try await engine.tagImage(imageID, repository: reference.name, tag: tag)
        return reference.name + ":" + tag
    }

    /// Stores an environment this run built under its content-addressed tag, for later commits. A registry that
    /// refuses it (quota, immutable tags, retention rules) costs a warning, never the build.
    func publishEnvironment(engine: any ContainerEngine, _ environment: PreparedEnvironment) async {
        guard environment.built else { return }
        let parsed = ImageReference(parsing: environment.reference)
        do {
            try await engine.tagImage(environment.localTag, repository: parsed.name, tag: parsed.tag)
            var pusher = ImagePusher(engine: engine, reporter: reporter, credentials: credentialStore)
            pusher.stallTimeoutSeconds = request.limits.pushStallTimeoutSeconds
            try await pusher.push(environment.reference)
        } catch {
            reporter.log(
                "Warning: the environment \(environment.reference) could not be stored in its registry (\(error)); "
                    + "later commits will build it again.\n", phase: .pushing)
        }
        try? await engine.removeImage(environment.reference, force: false, prune: false)
    }

    /// Takes this run's environment tag away; the layers stay (the built image stands on them).
    func releaseEnvironment(engine: any ContainerEngine, _ environment: PreparedEnvironment?) async {
        guard let environment else { return }
        try? await engine.removeImage(environment.localTag, force: false, prune: false)
    }

    /// The same context with another Dockerfile at its root.
    static func replacingDockerfile(_ spec: BuildContextSpec, with dockerfile: String) -> BuildContextSpec {
        var spec = spec
        spec.generatedFiles.removeAll { $0.path == "Dockerfile" }
        spec.generatedFiles.append(ContextFile(path: "Dockerfile", contents: Array(dockerfile.utf8)))
        return spec
    }
}
