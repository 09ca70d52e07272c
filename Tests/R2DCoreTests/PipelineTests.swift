import R2DBasics
import Foundation
import R2DEngine
import R2DRegistry
import R2DTestSupport
import Synchronization
import Testing
@testable import R2DCore

/// The pipeline's decisions against a scripted engine (FakeEngine): which engine calls a run makes, in which
/// order, and that no temporary checkout outlives it. The repositories are local git repositories made here,
/// used in place or cloned through file:// URLs into a temporary parent each test watches.
@Suite("Pipeline decisions against a scripted engine")
struct PipelineTests {
    /// Collected output lines.
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
        var text: String { all.joined() }
    }

    /// A value set from a closure the pipeline calls (a Mutex itself cannot be captured).
    final class Recorded<Value: Sendable>: Sendable {
        private let storage: Mutex<Value>
        init(_ value: Value) { storage = Mutex(value) }
        var value: Value {
            get { storage.withLock { $0 } }
            set { storage.withLock { $0 = newValue } }
        }
    }

    /// A registry that answers "has it?" with a fixed value.
    struct FakeRegistry: RegistryManifestLookup {
        let hasTag: Bool
        func manifestExists(_ reference: ImageReference, credential: RegistryCredential?) async throws -> Bool { hasTag }
    }

    /// A committed repository the default (Python) buildpack builds, and a directory for temporary checkouts.
    final class Scene: Sendable {
        let repository: TemporaryGitRepository
        let commit: String
        let temporaryParent: String
        let home: String

        init(files: [String: String] = ["README.md": "A repository for pipeline tests.\n"]) throws {
            repository = try TemporaryGitRepository(files: files)
            commit = try repository.commit()
            temporaryParent = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-pipeline-tmp-")
            home = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-pipeline-home-")
        }

        /// What is left in the temporary parent (a run must leave nothing unless --no-clean).
        var leftovers: [String] { (try? FileManager.default.contentsOfDirectory(atPath: temporaryParent)) ?? [] }

        func request(remote: Bool = false) -> BuildRequest {
            var request = BuildRequest(repo: remote ? repository.fileURL : repository.path, userID: 1000, userName: "jovyan")
            request.processEnvironment = ["HOME": home]
            return request
        }

        /// repo2docker's generated name for `request`'s repository, tagged by the commit.
        func imageName(_ request: BuildRequest) -> String {
            ImageName.defaultRepository(repo: request.repo, subdir: request.subdir) + ":" + commit
        }

        func remove() {
            repository.remove()
            try? FileManager.default.removeItem(atPath: temporaryParent)
            try? FileManager.default.removeItem(atPath: home)
        }
    }

    /// The result of one run.
    struct Run {
        var result: Result<PipelineOutcome, any Error>
        var log: String
        var printed: String
        var connected: Bool
    }

    /// Runs `request` with `engine` (nil: connecting fails the test) and a registry that answers `registryHasTag`.
    func run(_ request: BuildRequest, scene: Scene, engine: FakeEngine?, registryHasTag: Bool = false) async -> Run {
        let log = Lines(), printed = Lines()
        let connected = Recorded(false)
        var pipeline = Pipeline(
            request: request, reporter: Reporter(json: false, debug: false) { log.append($0) },
            standardOutput: { printed.append($0) }
        ) { _ in
            connected.value = true
            guard let engine else { throw FakeEngine.UnexpectedCall(call: .negotiateVersion, expected: nil) }
            return engine
        }
        // Data repositories are left out: Mercurial would ask `hg` about every file:// URL.
        pipeline.repositoryProviders = [.localDirectory, .git]
        pipeline.temporaryParent = scene.temporaryParent
        pipeline.registry = FakeRegistry(hasTag: registryHasTag)
        let result: Result<PipelineOutcome, any Error>
        do { result = .success(try await pipeline.run()) } catch { result = .failure(error) }
        return Run(result: result, log: log.text, printed: printed.text, connected: connected.value)
    }

    /// The engine saw exactly the scripted calls.
    func expectScriptFollowed(_ engine: FakeEngine, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            engine.unexpectedCalls.isEmpty, "unexpected calls: \(engine.unexpectedCalls); all: \(engine.calls)",
            sourceLocation: sourceLocation)
        #expect(engine.missingCalls.isEmpty, "calls that never came: \(engine.missingCalls)", sourceLocation: sourceLocation)
    }

    // MARK: Dry run

    @Test("a dry run (--no-build) prints the Dockerfile and never connects to an engine", arguments: [false, true])
    func dryRunTouchesNoEngine(remote: Bool) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request(remote: remote)
        request.build = false
        let run = await run(request, scene: scene, engine: nil)
        let outcome = try run.result.get()
        #expect(outcome.exitCode == 0 && outcome.imageName == nil)
        #expect(!run.connected)
        #expect(run.printed.contains("FROM "))
        #expect(scene.leftovers.isEmpty)
    }

    // MARK: Reuse

    @Test("an image the commit names is reused before detection: no build", arguments: [false, true])
    func existingImageIsReused(runs: Bool) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request()
        request.run = runs
        let name = scene.imageName(request)
        let engine = FakeEngine(
            expecting: [.negotiateVersion, .inspectImage(name, exists: true)]
                + (runs ? [.runContainer(name)] : []) + [.shutdown])
        let run = await run(request, scene: scene, engine: engine)
        #expect(try run.result.get().imageName == name)
        expectScriptFollowed(engine)
        #expect(run.log.contains("Reusing existing image (\(name)), not building.\n"))
        #expect(!run.log.contains("builder"))
    }

    @Test("a fetched checkout is removed before the reused image's container starts")
    func checkoutGoneBeforeRun() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let request = scene.request(remote: true)
        let name = scene.imageName(request)
        let leftAtRun = Recorded<[String]?>(nil)
        let engine = FakeEngine(expecting: [.negotiateVersion, .inspectImage(name, exists: true), .runContainer(name), .shutdown]) { call in
            if case .runContainer = call { leftAtRun.value = scene.leftovers }
        }
        let run = await run(request, scene: scene, engine: engine)
        _ = try run.result.get()
        expectScriptFollowed(engine)
        #expect(leftAtRun.value == [])
    }

    @Test("an absent image is built, tagged and run")
    func absentImageIsBuilt() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let request = scene.request()
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [
            .negotiateVersion, .inspectImage(name, exists: false), .builderSupport(), .build(), .tagImage(as: name),
            .runContainer(name, exitCode: 3),
            .shutdown,
        ])
        let run = await run(request, scene: scene, engine: engine)
        #expect(try run.result.get().exitCode == 3)
        expectScriptFollowed(engine)
        #expect(engine.contextBytes > 0)
        #expect(run.log.contains("Using PythonBuildPack builder\n"))
        #expect(run.log.contains("Successfully tagged \(name)\n"))
    }

    // MARK: --push

    struct PushCase: Sendable, CustomTestStringConvertible {
        var label: String
        var registryHasTag: Bool
        var runs: Bool
        var existsLocally: Bool
        /// The calls after the lookup, before shutdown.
        var then: @Sendable (String) -> [FakeEngine.Expectation]
        var logs: String
        var testDescription: String { label }
    }

    static let pushed = "127.0.0.1:5000/team/app:v1"

    static let pushCases: [PushCase] = [
        PushCase(
            label: "registry has it, no run: nothing built or pushed", registryHasTag: true, runs: false, existsLocally: false,
            then: { _ in [] }, logs: "Image \(pushed) is already in its registry; not building or pushing it again.\n"),
        PushCase(
            label: "registry has it, daemon has it: run without building", registryHasTag: true, runs: true, existsLocally: true,
            then: { [.runContainer($0)] }, logs: "is already in its registry"),
        PushCase(
            label: "registry has it, daemon lacks it, run: build to run, no push", registryHasTag: true, runs: true,
            existsLocally: false, then: { [.build(), .tagImage(as: $0), .runContainer($0)] }, logs: "Successfully tagged"),
        PushCase(
            label: "registry lacks it: build, tag, push", registryHasTag: false, runs: false, existsLocally: false,
            then: { [.build(), .tagImage(as: $0), .pushImage($0)] }, logs: "Successfully pushed \(pushed)\n"),
        PushCase(
            label: "registry lacks it, daemon has it: push without building", registryHasTag: false, runs: false,
            existsLocally: true, then: { [.pushImage($0)] }, logs: "Reusing existing image (\(pushed)), not building.\n"),
    ]

    @Test("--push asks the registry first and skips done work", arguments: pushCases)
    func pushDecisions(_ push: PushCase) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request()
        (request.push, request.run, request.imageName) = (true, push.runs, Self.pushed)
        // One full build, as before environment reuse (EnvironmentReusePipelineTests has its decisions).
        request.environmentCache = .off
        let engine = FakeEngine(
            expecting: [.negotiateVersion, .builderSupport(), .inspectImage(Self.pushed, exists: push.existsLocally)]
                + push.then(Self.pushed) + [.shutdown])
        let run = await run(request, scene: scene, engine: engine, registryHasTag: push.registryHasTag)
        #expect(try run.result.get().imageName == Self.pushed)
        expectScriptFollowed(engine)
        #expect(run.log.contains(push.logs), "\(run.log)")
    }

    @Test("a failed push removes the tag this run made, and leaves an image that was there before", arguments: [false, true])
    func failedPushRollsBack(existedBefore: Bool) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request(remote: true)
        (request.push, request.run, request.imageName) = (true, false, Self.pushed)
        request.environmentCache = .off
        let refused = EngineError.pushFailed(message: "denied: requested access to the resource is denied")
        let engine = FakeEngine(
            expecting: [.negotiateVersion, .builderSupport(), .inspectImage(Self.pushed, exists: existedBefore)]
                + (existedBefore ? [] : [.build(), .tagImage(as: Self.pushed)])
                + [.pushImage(Self.pushed, failing: refused)]
                + (existedBefore ? [] : [.removeImage(Self.pushed)]) + [.shutdown])
        let run = await run(request, scene: scene, engine: engine)
        #expect(throws: refused) { try run.result.get() }
        expectScriptFollowed(engine)
        #expect(scene.leftovers.isEmpty)
    }

    // MARK: Cleanup

    struct FailureCase: Sendable, CustomTestStringConvertible {
        var label: String
        var configure: @Sendable (inout BuildRequest) -> Void = { _ in }
        /// The calls after negotiation, before shutdown, for the image named `name`.
        var calls: @Sendable (_ name: String) -> [FakeEngine.Expectation]
        var testDescription: String { label }
    }

    static let buildError = EngineError.buildFailed(message: "The command '/bin/sh -c false' returned a non-zero code: 1")
    static let pushError = EngineError.pushFailed(message: "unauthorized: authentication required")
    static let runError = EngineError.daemon(status: 500, message: "cannot start container")

    static let failureCases: [FailureCase] = [
        FailureCase(
            label: "the build fails", calls: { [.inspectImage($0, exists: false), .builderSupport(), .build(failing: buildError)] }),
        FailureCase(
            label: "the push fails",
            configure: {
                $0.push = true; $0.run = false; $0.environmentCache = .off
            },
            calls: {
                [
                    .builderSupport(), .inspectImage($0, exists: false), .build(), .tagImage(as: $0), .pushImage($0, failing: pushError),
                    .removeImage($0),
                ]
            }),
        FailureCase(
            label: "the container fails to run",
            calls: {
                [.inspectImage($0, exists: false), .builderSupport(), .build(), .tagImage(as: $0), .runContainer($0, failing: runError)]
            }),
        FailureCase(label: "--subdir names nothing", configure: { $0.subdir = "nope" }, calls: { _ in [] }),
        FailureCase(label: "--ref names nothing", configure: { $0.ref = "no-such-branch" }, calls: { _ in [] }),
    ]

    @Test("a failed run leaves no temporary checkout behind", arguments: failureCases)
    func nothingLeftOnError(_ failure: FailureCase) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request(remote: true)
        failure.configure(&request)
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [.negotiateVersion] + failure.calls(name) + [.shutdown])
        let run = await run(request, scene: scene, engine: engine)
        #expect(throws: (any Error).self) { try run.result.get() }
        #expect(!(run.result.failureValue is FakeEngine.UnexpectedCall), "\(String(describing: run.result.failureValue))")
        expectScriptFollowed(engine)
        #expect(scene.leftovers.isEmpty, "left behind: \(scene.leftovers)")
        #expect(!run.log.contains("Keeping the checkout"))
    }

    @Test("--no-clean keeps the checkout and says where")
    func noCleanKeepsCheckout() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request(remote: true)
        (request.clean, request.run) = (false, false)
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [
            .negotiateVersion, .inspectImage(name, exists: false), .builderSupport(), .build(), .tagImage(as: name), .shutdown,
        ])
        let run = await run(request, scene: scene, engine: engine)
        _ = try run.result.get()
        expectScriptFollowed(engine)
        let kept = try #require(scene.leftovers.first)
        #expect(scene.leftovers.count == 1)
        #expect(run.log.contains("Keeping the checkout at \(scene.temporaryParent)/\(kept)/checkout (--no-clean).\n"))
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
