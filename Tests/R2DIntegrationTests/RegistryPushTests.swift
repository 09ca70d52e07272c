import Foundation
import R2DEngine
import R2DTestSupport
import Testing

/// `--push` against a real registry (Debian's docker-registry with htpasswd auth and TLS from a CA made at test
/// time) through the real dockerd that `.ci/run` starts.
@Suite("Pushing to a real registry", .serialized)
struct RegistryPushTests {
    static let common = ["--user-id=1000", "--user-name=jovyan", "--network=host", "--no-run", "--json-logs"]

    struct Run {
        var status: Int32
        var lines: [[String: Any]]
        var raw: String

        func messages(phase: String? = nil) -> [String] {
            lines.filter { phase == nil || ($0["phase"] as? String) == phase }.compactMap { $0["message"] as? String }
        }
    }

    func swiftR2D(_ arguments: [String], environment: [String: String]) throws -> Run {
        // Nothing of the caller's registry setup leaks in: HOME points at an empty directory.
        var env = ["CONTAINER_ENGINE_REGISTRY_CREDENTIALS": "", "DOCKER_CONFIG": "", "HOME": "/nonexistent-home"]
        env.merge(environment) { $1 }
        let result = try runProgram(ProjectPaths.binary, Self.common + arguments, environment: env)
        var lines: [[String: Any]] = []
        for line in (result.stdout + result.stderr).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { lines.append(object) }
        }
        return Run(status: result.status, lines: lines, raw: result.stdout + result.stderr)
    }

    /// A fixture commit with a random time, so its image tag is new to the daemon and the registry.
    func freshRepository() throws -> (TemporaryGitRepository, String) {
        try TemporaryGitRepository.fromFixture("dockerfile/simple", time: GeneratedEnvironmentTests.uniqueCommitTime())
    }

    @Test("push with config.json credentials, then a second --push of the commit skips the build")
    func pushWithConfigJSON() async throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let (repo, sha) = try freshRepository()
        defer { repo.remove() }
        let config = try registry.makeDockerConfig()
        let configBefore = try Data(contentsOf: URL(fileURLWithPath: config + "/config.json"))
        let image = "\(registry.host)/swift-r2d-test/simple:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let environment = ["DOCKER_CONFIG": config, "SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory]

        let first = try swiftR2D(["--push", "--image=\(image)", repo.fileURL], environment: environment)
        #expect(first.status == 0, "\(first.raw)")
        #expect(first.messages(phase: "pushing").contains("Successfully pushed \(image)\n"))
        #expect(
            first.lines.contains {
                ($0["phase"] as? String) == "pushing" && $0["progress"] is [String: Any] && $0["layers"] is [String: Any]
            })
        #expect(registry.manifestStatus(repository: "swift-r2d-test/simple", tag: sha) == 200)
        #expect(!first.lines.contains { ($0["phase"] as? String) == "failed" })

        // The second run finds the tag in the registry: no build, no push, even without the local image.
        DaemonAPI.removeImageKeepingCache(image)
        let second = try swiftR2D(["--push", "--image=\(image)", repo.fileURL], environment: environment)
        #expect(second.status == 0, "\(second.raw)")
        #expect(second.messages().contains { $0.contains("already in its registry") })
        #expect(!second.messages().contains { $0.contains("Using DockerBuildPack builder") || $0.contains("Successfully pushed") })

        let configAfter = try Data(contentsOf: URL(fileURLWithPath: config + "/config.json"))
        #expect(configAfter == configBefore, "config.json must never be modified")
        #expect(!first.raw.contains(TestRegistry.password) && !second.raw.contains(TestRegistry.password))
    }

    @Test("push with CONTAINER_ENGINE_REGISTRY_CREDENTIALS; the password is in no log, layer, label, build arg or history")
    func pushWithEnvironmentCredentials() async throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let (repo, sha) = try freshRepository()
        defer { repo.remove() }
        let image = "\(registry.host)/swift-r2d-test/env-creds:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let credentials =
            #"{"registry": "https://\#(registry.host)", "username": "\#(TestRegistry.user)", "password": "\#(TestRegistry.password)"}"#
        let run = try swiftR2D(
            ["--push", "--debug", "--image=\(image)", "--label=note=x", "--build-arg=EXTRA=y", repo.fileURL],
            environment: [
                "CONTAINER_ENGINE_REGISTRY_CREDENTIALS": credentials,
                "SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory,
            ])
        #expect(run.status == 0, "\(run.raw)")
        #expect(registry.manifestStatus(repository: "swift-r2d-test/env-creds", tag: sha) == 200)
        #expect(!run.raw.contains(TestRegistry.password))

        // Layers, config (labels, build args, env) and history, as `docker save` exports them.
        let saved = registry.directory + "/saved.tar"
        let save = try runProgram(
            "/usr/bin/curl",
            [
                "-sS", "--unix-socket", "/var/run/docker.sock", "-o", saved,
                "http://localhost/v1.41/images/\(DaemonAPI.escaped(image))/get",
            ])
        #expect(save.status == 0, "\(save.stderr)")
        let exported = try Data(contentsOf: URL(fileURLWithPath: saved))
        #expect(exported.count > 1_000_000)
        #expect(exported.range(of: Data(TestRegistry.password.utf8)) == nil, "the password is in the exported image")
        let (status, history) = try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/history")
        #expect(status == 200)
        #expect(String(decoding: history, as: UTF8.self).contains("NB_UID=1000"), "history records build args, so this check can fail")
        #expect(!String(decoding: history, as: UTF8.self).contains(TestRegistry.password))
    }

    @Test("wrong credentials fail with a clear error before building, and leave no tag")
    func wrongCredentials() async throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let (repo, sha) = try freshRepository()
        defer { repo.remove() }
        let config = try registry.makeDockerConfig(password: "not-the-password")
        let image = "\(registry.host)/swift-r2d-test/wrong:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let run = try swiftR2D(
            ["--push", "--image=\(image)", repo.fileURL],
            environment: ["DOCKER_CONFIG": config, "SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory])
        #expect(run.status == 1)
        let last = run.lines.last
        #expect(last?["phase"] as? String == "failed")
        let message = last?["message"] as? String ?? ""
        #expect(message.contains("rejected the credentials from \(config)/config.json"), "\(message)")
        #expect(!run.raw.contains("not-the-password"))
        let (status, _) = try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/json")
        #expect(status == 404, "a failed push must leave no tag")
        #expect(registry.manifestStatus(repository: "swift-r2d-test/wrong", tag: sha) == 404)
    }

    @Test("no credentials for a registry that needs them: a clear error naming what to add")
    func anonymousPush() async throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let (repo, sha) = try freshRepository()
        defer { repo.remove() }
        let image = "\(registry.host)/swift-r2d-test/anonymous:\(sha)"
        let run = try swiftR2D(
            ["--push", "--image=\(image)", repo.fileURL],
            environment: ["SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory])
        #expect(run.status == 1)
        #expect((run.lines.last?["message"] as? String ?? "").contains("needs credentials and none were found"))
    }
}
