import Foundation
import R2DEngine
import R2DRedaction
import R2DTestSupport
import Testing
@testable import R2DCore

/// `--secret` against a scripted engine: the values reach the build options and nothing else, they are hidden
/// from every line, and an engine that could not keep them out of the image is refused in one line before
/// anything is fetched.
extension PipelineTests {
    static func uniqueValue(_ stem: String) -> String { "\(stem)-\(UInt64.random(in: 1_000_000_000...9_999_999_999))" }

    @Test("the secrets' values reach BuildOptions.secrets only, and are hidden in the log from then on")
    func secretsReachTheBuild() async throws {
        let scene = try Scene(files: ["requirements.txt": "private-package\n"])
        defer { scene.remove() }
        let url = "http://builder:\(Self.uniqueValue("pw"))@127.0.0.1:9/simple"
        let fileValue = Self.uniqueValue("file-secret")
        try (fileValue + "\n").write(toFile: scene.home + "/token", atomically: true, encoding: .utf8)
        var request = scene.request()
        request.run = false
        request.processEnvironment["INDEX"] = url
        request.secrets = [
            SecretRequest(id: "UV_INDEX_URL", source: .environment("INDEX"), origin: "--secret"),
            SecretRequest(id: "token", source: .file(scene.home + "/token"), origin: "--secret"),
        ]
        let name = scene.imageName(request)
        let engine = FakeEngine(expecting: [
            .negotiateVersion, .builderSupport(), .inspectImage(name, exists: false), .builderSupport(), .build(), .tagImage(as: name),
            .shutdown,
        ])
        let run = await run(request, scene: scene, engine: engine)
        _ = try run.result.get()
        expectScriptFollowed(engine)
        let options = try #require(engine.buildOptions.first)
        #expect(options.backend == .buildKit)
        #expect(
            options.secrets == [
                BuildSecret(id: "UV_INDEX_URL", value: Array(url.utf8)), BuildSecret(id: "token", value: Array((fileValue + "\n").utf8)),
            ])
        let request_ = "\(options.buildArgs) \(options.labels) \(options.cacheFrom) \(options.dockerfile ?? "")"
        #expect(!request_.contains(url) && !request_.contains(fileValue))
        #expect(!"\(options.secrets)".contains(fileValue), "BuildSecret's description hides the value")
        #expect(Redaction.redactingCredentials(in: "pip said \(url) and \(fileValue)") == "pip said *** and ***")
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var backend: BuildBackendChoice = .auto
        var engineName = "docker"
        /// What the engine answers; nil when the request alone is refused (no engine call at all).
        var support: BuilderSupport?
        var network: String? = nil
        var reason: String
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(label: "--build-backend classic", backend: .classic, reason: "--build-backend classic was asked for"),
        Refusal(label: "--engine podman", engineName: "podman", reason: "--engine podman builds with Podman's own builder"),
        Refusal(label: "auto on Podman's socket", support: podman, reason: "Podman 4.3.1 builds with its own builder"),
        Refusal(label: "auto on an old Docker", support: oldDocker, reason: "Docker 18.06 (API 1.38) is older than BuildKit's API 1.39"),
        Refusal(label: "buildkit on Podman", backend: .buildKit, support: podman, reason: "Podman 4.3.1 builds with its own builder"),
        Refusal(
            label: "auto without a bridge network or --network",
            support: BuilderSupport(isPodman: false, buildKitUnavailable: nil, hasBridgeNetwork: false),
            reason: BuilderChoice.noBridgeNetwork),
    ]

    @Test("--secret where the build would not be BuildKit's: one line, before anything is fetched or built", arguments: refusals)
    func secretRefused(_ refusal: Refusal) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request(remote: true)
        (request.buildBackend, request.engine, request.network) = (refusal.backend, refusal.engineName, refusal.network)
        request.processEnvironment["TOKEN"] = Self.uniqueValue("never-read")
        request.secrets = [SecretRequest(id: "UV_INDEX_URL", source: .environment("TOKEN"), origin: "--secret")]
        let engine = refusal.support.map { FakeEngine(expecting: [.negotiateVersion, .builderSupport($0), .shutdown]) }
        let run = await run(request, scene: scene, engine: engine)
        #expect(throws: CoreError.secretNeedsBuildKit(reason: refusal.reason)) { try run.result.get() }
        if let engine { expectScriptFollowed(engine) } else { #expect(!run.connected) }
        #expect(scene.leftovers.isEmpty, "nothing is cloned")
        #expect(!run.log.contains("Cloning"), "\(run.log)")
        let message = "\(try #require(run.result.failureValue))"
        #expect(
            message.hasPrefix("--secret needs BuildKit, the only builder that keeps a secret out of the image, and \(refusal.reason); "))
        #expect(!message.contains("\n"))
    }

    struct Unavailable: Sendable, CustomTestStringConvertible {
        var label: String
        var source: SecretRequest.Source
        var message: String
        var testDescription: String { label }
    }

    static let unavailable: [Unavailable] = [
        Unavailable(
            label: "unset variable", source: .environment("NOT_SET_ANYWHERE"),
            message: "--secret id=s: the environment variable NOT_SET_ANYWHERE is not set; export it, or pass src=FILE."),
        Unavailable(
            label: "empty variable", source: .environment("EMPTY"), message: "--secret id=s: its value is empty; give the secret a value."),
        Unavailable(
            label: "missing file", source: .file("/nonexistent/secret"),
            message: "--secret id=s: cannot read /nonexistent/secret (No such file or directory); pass a readable file as src=."),
        Unavailable(
            label: "a directory", source: .file("/tmp"), message: "--secret id=s: /tmp is not a regular file; pass a file as src=."),
    ]

    @Test("a secret whose value cannot be had is one line naming it, before the engine is reached", arguments: unavailable)
    func secretUnavailable(_ case_: Unavailable) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        var request = scene.request(remote: true)
        request.processEnvironment["EMPTY"] = ""
        request.secrets = [SecretRequest(id: "s", source: case_.source, origin: "--secret")]
        let run = await run(request, scene: scene, engine: nil)
        #expect(!run.connected)
        #expect("\(try #require(run.result.failureValue))" == case_.message)
        #expect(scene.leftovers.isEmpty)
    }

    @Test("a secret file larger than BuildKit takes is refused")
    func secretTooLarge() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let path = scene.home + "/big"
        try Data(repeating: 0x61, count: SecretRequest.maximumBytes + 1).write(to: URL(fileURLWithPath: path))
        var request = scene.request()
        request.secrets = [SecretRequest(id: "big", source: .file(path), origin: "--secret")]
        let run = await run(request, scene: scene, engine: nil)
        #expect(
            "\(try #require(run.result.failureValue))"
                == "--secret id=big: \(path) is 512001 bytes, more than the 512000 bytes BuildKit takes for a secret.")
    }

    @Test("a dry run renders the installer secrets' mounts and reads no value")
    func dryRunRendersMounts() async throws {
        let scene = try Scene(files: ["requirements.txt": "private-package\n"])
        defer { scene.remove() }
        var request = scene.request()
        request.build = false
        request.secrets = [SecretRequest(id: "PIP_EXTRA_INDEX_URL", source: .environment("NOT_SET_ANYWHERE"), origin: "--secret")]
        let run = await run(request, scene: scene, engine: nil)
        _ = try run.result.get()
        #expect(run.printed.contains("--mount=type=secret,id=PIP_EXTRA_INDEX_URL,required=true,uid=1000"), "\(run.printed)")
    }
}
