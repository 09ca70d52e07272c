import Foundation
import R2DBasics
import R2DEngine
import R2DRegistry
import R2DTestSupport
import Testing

@testable import R2DCore

/// Environment reuse's decisions against a scripted engine: what a run does when the registry's answer and the
/// engine disagree (the environment tag deleted between the lookup and the pull), when the registry refuses the
/// environment tag, and that --no-env-cache and a plain build keep today's single full build.
@Suite("Environment reuse against a scripted engine")
struct EnvironmentReusePipelineTests {
    /// A registry that has the image's environment tags (`r2d-env-…`) when told so, and never the image itself.
    struct EnvironmentRegistry: RegistryManifestLookup {
        let hasEnvironment: Bool
        func manifestExists(_ reference: ImageReference, credential: RegistryCredential?) async throws -> Bool {
            hasEnvironment && reference.tag.hasPrefix("r2d-env-")
        }
    }

    static let repository = "registry.example.org/team/envreuse"
    static let environmentPrefix = repository + ":r2d-env-"

    func run(_ request: BuildRequest, scene: PipelineTests.Scene, engine: FakeEngine, hasEnvironment: Bool) async -> (
        Result<PipelineOutcome, any Error>, String
    ) {
        let log = PipelineTests.Lines()
        var pipeline = Pipeline(
            request: request, reporter: Reporter(json: false, debug: false) { log.append($0) }, standardOutput: { _ in }
        ) { _ in engine }
        pipeline.repositoryProviders = [.localDirectory, .git]
        pipeline.temporaryParent = scene.temporaryParent
        pipeline.registry = EnvironmentRegistry(hasEnvironment: hasEnvironment)
        do { return (.success(try await pipeline.run()), log.text) } catch { return (.failure(error), log.text) }
    }

    func request(_ scene: PipelineTests.Scene) -> BuildRequest {
        var request = scene.request(remote: true)
        request.imageName = Self.repository + ":" + scene.commit
        request.push = true
        request.run = false
        // These cases are the engine path's; composing in the registry is tested against a real registry.
        request.composeInRegistry = false
        return request
    }

    /// The calls of a build that finds no usable environment: it builds the environment, then the image on it,
    /// pushes the image, then stores the environment and takes this run's tags away.
    static func buildFromScratch(_ image: String, environmentPush: FakeEngine.Expectation) -> [FakeEngine.Expectation] {
        [
            .build(imageID: "sha256:environment"),
            .matching("tagImage(sha256:environment as \(environmentPrefix)", like: .tagImage(source: "", repository: "", tag: "")),
            .build(imageID: FakeEngine.builtImageID), .tagImage(as: image), .pushImage(image),
            .matching("tagImage(\(environmentPrefix)", like: .tagImage(source: "", repository: "", tag: "")),
            environmentPush,
            .matching("removeImage(\(environmentPrefix)", like: .removeImage("")),
            .matching("removeImage(\(environmentPrefix)", like: .removeImage("")),
            .shutdown,
        ]
    }

    @Test("the environment tag deleted between the lookup and the pull: a warning, the environment built, a correct image")
    func deletedBetweenLookupAndPull() async throws {
        let scene = try PipelineTests.Scene(files: ["requirements.txt": "tabulate==0.10.0\n"])
        defer { scene.remove() }
        let request = request(scene)
        let image = request.imageName!
        let engine = FakeEngine(
            expecting: [
                .negotiateVersion, .builderSupport(), .inspectImage(image, exists: false),
                .inspectImage(request.baseImage, exists: true),
                .matching(
                    "pullImage(\(Self.environmentPrefix)", like: .pullImage(repository: "", tag: ""),
                    answer: .failure(EngineError.pullFailed(message: "manifest unknown: manifest unknown"))),
            ]
                + Self.buildFromScratch(
                    image, environmentPush: .matching("pushImage(\(Self.environmentPrefix)", like: .pushImage(repository: "", tag: ""))))
        let (result, log) = await run(request, scene: scene, engine: engine, hasEnvironment: true)
        _ = try result.get()
        #expect(engine.unexpectedCalls.isEmpty, "\(engine.calls)")
        #expect(engine.missingCalls.isEmpty, "\(engine.missingCalls)")
        let reuse = log.split(separator: "\n").map(String.init).filter { $0.hasPrefix("Environment reuse: ") }
        #expect(reuse.count == 1)
        #expect(reuse.first?.contains("warning: pulling \(Self.environmentPrefix)") == true, "\(log)")
        #expect(
            reuse.first?.contains("manifest unknown") == true && reuse.first?.hasSuffix("building the environment from scratch.") == true)
        // The image is built on the environment this run built, under this run's own tag.
        try #require(engine.buildOptions.count == 2)
        #expect(
            engine.buildOptions[0].labels == ["org.swift-r2d.environment": String(reuse.first!.split(separator: "r2d-env-")[1].prefix(64))])
        #expect(engine.buildOptions[1].labels["repo2docker.ref"] != nil)
    }

    @Test("a registry that refuses the environment tag costs a warning, never the build")
    func refusedEnvironmentTag() async throws {
        let scene = try PipelineTests.Scene(files: ["requirements.txt": "tabulate==0.10.0\n"])
        defer { scene.remove() }
        let request = request(scene)
        let image = request.imageName!
        let refused = EngineError.pushFailed(message: "denied: tag is immutable")
        let engine = FakeEngine(
            expecting: [
                .negotiateVersion, .builderSupport(), .inspectImage(image, exists: false), .inspectImage(request.baseImage, exists: true),
            ]
                + Self.buildFromScratch(
                    image,
                    environmentPush: .matching(
                        "pushImage(\(Self.environmentPrefix)", like: .pushImage(repository: "", tag: ""), answer: .failure(refused))))
        let (result, log) = await run(request, scene: scene, engine: engine, hasEnvironment: false)
        #expect(try result.get().exitCode == 0)
        #expect(engine.unexpectedCalls.isEmpty && engine.missingCalls.isEmpty, "\(engine.calls)")
        #expect(log.contains("Environment reuse: none (\(Self.environmentPrefix)"), "\(log)")
        #expect(log.contains("could not be stored in its registry") && log.contains("tag is immutable"), "\(log)")
    }

    @Test("--no-env-cache, and a build that neither pushes nor names a cache: one full build, as before")
    func offMeansOneFullBuild() async throws {
        for off in [true, false] {
            let scene = try PipelineTests.Scene(files: ["requirements.txt": "tabulate==0.10.0\n"])
            defer { scene.remove() }
            var request = request(scene)
            let image = request.imageName!
            if off { request.environmentCache = .off } else { request.push = false }
            let engine = FakeEngine(
                expecting: (off
                    ? [.negotiateVersion, .builderSupport(), .inspectImage(image, exists: false)]
                    : [.negotiateVersion, .inspectImage(image, exists: false), .builderSupport()])
                    + [.build(), .tagImage(as: image)] + (off ? [.pushImage(image)] : []) + [.shutdown])
            let (result, log) = await run(request, scene: scene, engine: engine, hasEnvironment: true)
            _ = try result.get()
            #expect(engine.unexpectedCalls.isEmpty && engine.missingCalls.isEmpty, "\(engine.calls)")
            #expect(log.contains("Environment reuse: none (--no-env-cache).") == off, "\(log)")
            #expect(!engine.buildOptions[0].labels.keys.contains("org.swift-r2d.environment"))
        }
    }
}
