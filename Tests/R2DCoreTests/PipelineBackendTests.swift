import R2DEngine
import R2DTestSupport
import Testing
@testable import R2DCore

/// `--build-backend` against a scripted engine: which builder a build goes through, what it is told, and the
/// one-line refusals.
extension PipelineTests {
    static let podman = BuilderSupport(isPodman: true, buildKitUnavailable: "Podman 4.3.1 builds with its own builder")
    static let oldDocker = BuilderSupport(isPodman: false, buildKitUnavailable: "Docker 18.06 (API 1.38) is older than BuildKit's API 1.39")

    struct BackendCase: Sendable, CustomTestStringConvertible {
        var label: String
        var choice: BuildBackendChoice
        var engine: BuilderSupport
        var backend: BuildBackend
        var logs: String?
        var testDescription: String { label }
    }

    static let backendCases: [BackendCase] = [
        BackendCase(label: "auto on Docker with BuildKit", choice: .auto, engine: FakeEngine.dockerWithBuildKit, backend: .buildKit),
        BackendCase(
            label: "auto on an old Docker says so and builds classic", choice: .auto, engine: oldDocker, backend: .classic,
            logs: "Docker 18.06 (API 1.38) is older than BuildKit's API 1.39; building with the classic builder.\n"),
        BackendCase(
            label: "auto on Podman uses Podman's builder", choice: .auto, engine: podman, backend: .classic,
            logs: "Podman 4.3.1 builds with its own builder.\n"),
        BackendCase(label: "classic on Docker with BuildKit", choice: .classic, engine: FakeEngine.dockerWithBuildKit, backend: .classic),
        BackendCase(
            label: "buildkit on Docker with BuildKit", choice: .buildKit, engine: FakeEngine.dockerWithBuildKit, backend: .buildKit),
    ]

    @Test("--build-backend picks the builder from what the engine offers", arguments: backendCases)
    func backendChoice(_ backendCase: BackendCase) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request()
        (request.buildBackend, request.run) = (backendCase.choice, false)
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [
            .negotiateVersion, .inspectImage(name, exists: false), .builderSupport(backendCase.engine), .build(), .tagImage(as: name),
            .shutdown,
        ])
        let run = await run(request, scene: scene, engine: engine)
        _ = try run.result.get()
        expectScriptFollowed(engine)
        let options = try #require(engine.buildOptions.first)
        #expect(options.backend == backendCase.backend)
        if let logs = backendCase.logs { #expect(run.log.contains(logs), "\(run.log)") }
        // BuildKit gets the commit's time (TemporaryGitRepository commits at 1_700_000_000) and inline cache data.
        let expected: [String: String]? =
            backendCase.backend == .buildKit ? ["SOURCE_DATE_EPOCH": "1700000000", "BUILDKIT_INLINE_CACHE": "1"] : nil
        #expect(options.buildArgs["SOURCE_DATE_EPOCH"] == expected?["SOURCE_DATE_EPOCH"])
        #expect(options.buildArgs["BUILDKIT_INLINE_CACHE"] == expected?["BUILDKIT_INLINE_CACHE"])
    }

    @Test("--build-backend buildkit where the engine lacks it is one line, and nothing is built", arguments: [podman, oldDocker])
    func buildKitRefused(_ support: BuilderSupport) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request()
        request.buildBackend = .buildKit
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [.negotiateVersion, .inspectImage(name, exists: false), .builderSupport(support), .shutdown])
        let run = await run(request, scene: scene, engine: engine)
        #expect(throws: CoreError.buildKitUnavailable(support.buildKitUnavailable!)) { try run.result.get() }
        expectScriptFollowed(engine)
        #expect(
            "\(run.result.failureValue!)"
                == "--build-backend buildkit: \(support.buildKitUnavailable!); pass --build-backend auto or classic.")
    }

    @Test("a Dockerfile written for BuildKit on a classic Docker build fails before the build, naming the construct")
    func dockerfileNeedsBuildKit() async throws {
        let dockerfile = "FROM scratch\n# a comment\nCOPY --chmod=0755 \\\n  verify /verify\n"
        let scene = try Scene(files: ["Dockerfile": dockerfile])
        defer { scene.remove() }
        var request = scene.request()
        request.buildBackend = .classic
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [.negotiateVersion, .inspectImage(name, exists: false), .builderSupport(), .shutdown])
        let run = await run(request, scene: scene, engine: engine)
        expectScriptFollowed(engine)
        #expect(
            "\(try #require(run.result.failureValue))"
                == "Dockerfile uses COPY --chmod (line 3), which only BuildKit builds, and --build-backend classic was asked for; "
                + "build it on a Docker engine with BuildKit (--build-backend auto or buildkit).")
    }

    @Test("the same Dockerfile builds through Podman's builder, which reads the syntax itself")
    func podmanJudgesItsOwnSyntax() async throws {
        let scene = try Scene(files: ["Dockerfile": "FROM scratch\nCOPY --chmod=0755 verify /verify\n", "verify": "true\n"])
        defer { scene.remove() }
        var request = scene.request()
        request.run = false
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [
            .negotiateVersion, .inspectImage(name, exists: false), .builderSupport(Self.podman), .build(), .tagImage(as: name), .shutdown,
        ])
        let run = await run(request, scene: scene, engine: engine)
        _ = try run.result.get()
        expectScriptFollowed(engine)
        #expect(engine.buildOptions.first?.backend == .classic)
    }
}

/// `--builtin-frontend`: the user's Dockerfile as the build context carries it.
extension PipelineTests {
    static let directiveCases: [(String, String, String?)] = [
        ("syntax alone", "# syntax=docker/dockerfile:1\nFROM scratch\n", "#\nFROM scratch\n"),
        ("escape after it moves up", "# syntax = docker/dockerfile:1.7\n# escape=`\nFROM scratch\n", "# escape=`\n#\nFROM scratch\n"),
        ("escape before it stays", "#escape=`\n#syntax=x/y\nFROM scratch\n", "#escape=`\n#\nFROM scratch\n"),
        ("CRLF lines keep theirs", "# syntax=docker/dockerfile:1\r\nFROM scratch\r\n", "#\nFROM scratch\r\n"),
        ("not a directive after an instruction", "FROM scratch\n# syntax=docker/dockerfile:1\n", nil),
        ("not a directive after a comment", "# hello\n# syntax=docker/dockerfile:1\nFROM scratch\n", nil),
        ("no directive", "FROM scratch\n", nil),
    ]

    @Test("the # syntax= directive becomes a bare comment, every instruction on its line", arguments: directiveCases)
    func syntaxDirectiveRemoved(label: String, dockerfile: String, expected: String?) {
        #expect(Pipeline.withoutSyntaxDirective(dockerfile)?.text == expected, "\(label)")
    }

    @Test("--builtin-frontend on a classic Docker: the # syntax= line is no longer refused, and the log says how it builds")
    func builtinFrontendOnClassic() async throws {
        let scene = try Scene(files: ["Dockerfile": "# syntax=docker/dockerfile:1\nFROM scratch\n"])
        defer { scene.remove() }
        var request = scene.request()
        (request.buildBackend, request.builtinFrontend, request.run) = (.classic, true, false)
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [
            .negotiateVersion, .inspectImage(name, exists: false), .builderSupport(), .build(), .tagImage(as: name), .shutdown,
        ])
        let run = await run(request, scene: scene, engine: engine)
        _ = try run.result.get()
        expectScriptFollowed(engine)
        #expect(
            run.log.contains(
                "--builtin-frontend: Dockerfile is built with the engine's own Dockerfile frontend, not the docker/dockerfile:1 its # syntax= line names.\n"
            ), "\(run.log)")
    }
}
