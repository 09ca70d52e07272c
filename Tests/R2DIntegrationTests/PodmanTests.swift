import Foundation
import R2DTestSupport
import Testing

/// The fixture sets of the Dockerfile and generated-environment tests, built and verified through Podman's
/// Docker-compatible API (`podman system service` on /run/podman/podman.sock, started by `make deps`).
/// A missing service fails these tests.
@Suite("Fixtures on a real Podman service", .serialized)
struct PodmanTests {
    static let fixtures = DockerfileBuildTests.fixtures + GeneratedEnvironmentTests.fixtures

    func swiftR2D(_ arguments: [String]) throws -> ProgramResult {
        // DOCKER_HOST would win over --engine; the engine must be found by its socket.
        try runProgram("/usr/bin/env", ["-u", "DOCKER_HOST", ProjectPaths.binary] + arguments)
    }

    static func podman(_ arguments: [String]) throws -> ProgramResult {
        try runProgram("/usr/bin/podman", arguments)
    }

    /// Takes the fixture's tag away but keeps the image: `podman rmi` also deletes the untagged intermediate
    /// images that are Podman's layer cache, so every later fixture would rebuild the shared Jupyter layers from
    /// nothing (about 50 s each). `make deps` prunes what is left from earlier runs.
    static func untagKeepingCache(_ image: String) {
        _ = try? podman(["untag", image])
    }

    @Test("the Podman service answers and reports itself as Podman")
    func serviceAnswers() throws {
        let result = try runProgram("/usr/bin/curl", ["-sS", "--unix-socket", "/run/podman/podman.sock", "http://d/v1.41/version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Podman Engine"))
    }

    @Test("build with --engine podman, run ./verify, leave no container", arguments: fixtures)
    func verify(fixture: String) throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(fixture, time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let image = GeneratedEnvironmentTests.imageName("podman/" + fixture, tag: sha)
        defer { Self.untagKeepingCache(image) }
        var arguments = ["--engine", "podman", "--network", "host", "--user-id", "1000", "--user-name", "jovyan", "--image-name", image]
        if !fixture.hasPrefix("dockerfile/") {
            arguments =
                GeneratedEnvironmentTests.common + GeneratedEnvironmentTests.extraArguments(fixture) + [
                    "--engine", "podman", "--image-name", image,
                ]
        }
        let result = try swiftR2D(arguments + [repo.path, "./verify"])
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "\(fixture) on podman: exit \(result.status)\n\(output.suffix(4000))")
        #expect(output.contains("verify: ok"), "\(fixture) on podman\n\(output.suffix(4000))")
        let exists = try Self.podman(["image", "exists", image])
        #expect(exists.status == 0, "the image is in Podman's store")
        let left = try Self.podman(["ps", "-a", "-q", "--filter", "ancestor=\(image)"])
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "containers left: \(left.stdout)")
    }
}

@Suite("Pushing through Podman", .serialized)
struct PodmanPushTests {
    @Test("--engine podman --push to a registry with htpasswd and TLS; the second push skips the build")
    func push() throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        // Podman trusts a registry's CA from /etc/containers/certs.d/<host:port>/ca.crt (as Docker does from
        // /etc/docker/certs.d); this test's CA is put there for the test's registry only.
        let trust = "/etc/containers/certs.d/\(registry.host)"
        try FileManager.default.createDirectory(atPath: trust, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: trust) }
        try FileManager.default.copyItem(atPath: registry.directory + "/ca.pem", toPath: trust + "/ca.crt")
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple", time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let image = "\(registry.host)/swift-r2d-test/podman:\(sha)"
        defer { _ = try? PodmanTests.podman(["rmi", "-f", image]) }
        let environment = ["DOCKER_CONFIG": try registry.makeDockerConfig(), "SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory]
        let arguments = [
            "--engine", "podman", "--network", "host", "--user-id", "1000", "--user-name", "jovyan", "--no-run",
            "--push", "--image", image, repo.path,
        ]
        let first = try runProgram("/usr/bin/env", ["-u", "DOCKER_HOST", ProjectPaths.binary] + arguments, environment: environment)
        #expect(first.status == 0, "\(first.stderr.suffix(3000))")
        #expect(first.stderr.contains("Successfully pushed \(image)"))
        #expect(registry.manifestStatus(repository: "swift-r2d-test/podman", tag: sha) == 200)
        let second = try runProgram("/usr/bin/env", ["-u", "DOCKER_HOST", ProjectPaths.binary] + arguments, environment: environment)
        #expect(second.status == 0 && second.stderr.contains("already in its registry"), "\(second.stderr.suffix(2000))")
        #expect(!(first.stderr + second.stderr).contains(TestRegistry.password))
    }
}
