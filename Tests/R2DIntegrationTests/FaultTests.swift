import Foundation
import R2DEngine
import R2DTestSupport
import Testing

/// Faults made real: a remote daemon over TLS, a daemon that dies mid-build, a registry that goes away before the
/// push, signals during a clone and a build, and a full disk. Each checks that nothing is left behind.
@Suite("Remote daemons and faults", .serialized)
struct FaultTests {
    static let common = ["--user-id=1000", "--user-name=jovyan", "--network=host", "--no-run"]

    /// A repository whose Dockerfile runs `steps` on the test base image.
    func dockerfileRepository(_ steps: String) throws -> (TemporaryGitRepository, String) {
        let repo = try TemporaryGitRepository(files: ["Dockerfile": "FROM swift-r2d/test-base:bookworm\n" + steps + "\n"])
        let sha = try repo.commit(message: "fault", time: GeneratedEnvironmentTests.uniqueCommitTime())
        return (repo, sha)
    }

    func emptyDirectory() throws -> String { try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-fault-") }

    func contents(_ directory: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["<unreadable>"] }

    @Test("build and inspect through a dockerd on loopback tcp with TLS and client certificates")
    func remoteDaemonOverTLS() async throws {
        let daemon = try ScratchDaemon(tls: true)
        defer { daemon.stop() }
        let port = try #require(daemon.tlsPort)
        let certs = daemon.directory + "/client-certs"
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        for (from, to) in [("ca.pem", "ca.pem"), ("client.pem", "cert.pem"), ("client.key", "key.pem")] {
            try FileManager.default.copyItem(atPath: daemon.directory + "/" + from, toPath: certs + "/" + to)
        }
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let environment = ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs]
        let result = try runProgram(
            ProjectPaths.binary, Self.common + ["--image-name", "swift-r2d-tls:1", repo.path], environment: environment)
        #expect(result.status == 0, "\(result.stderr.suffix(3000))")

        let client = try EngineClient(endpoint: try EngineEndpoint.fromEnvironment(environment))
        let inspected = try await client.inspectImage("swift-r2d-tls:1")
        let version = try await client.version()
        await client.shutdown()
        #expect(inspected?.labels["org.opencontainers.image.revision"] == sha)
        #expect(!version.isPodman && !version.version.isEmpty)

        // The same port without TLS is refused with one clear line.
        let plain = try runProgram(ProjectPaths.binary, Self.common + [repo.path], environment: ["DOCKER_HOST": "tcp://127.0.0.1:\(port)"])
        #expect(plain.status == 1)
        #expect(
            plain.stderr.split(separator: "\n").last?.contains("tcp://127.0.0.1:\(port) expects TLS: set DOCKER_TLS_VERIFY=1") == true,
            "\(plain.stderr)")
    }

    @Test("the daemon dies mid-build: an error within 5 seconds, no hang")
    func daemonDiesMidBuild() throws {
        let daemon = try ScratchDaemon(tls: false)
        defer { daemon.stop() }
        let (repo, _) = try dockerfileRepository("RUN echo marker-daemon-dies && sleep 120")
        defer { repo.remove() }
        let temporary = try emptyDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let run = try RunningProgram(
            ProjectPaths.binary, Self.common + ["--image-name", "swift-r2d-dies:1", repo.fileURL],
            environment: ["DOCKER_HOST": "unix://" + daemon.socket, "TMPDIR": temporary])
        #expect(run.waitForOutput("marker-daemon-dies", timeout: .seconds(120)), "\(run.output)")
        let killed = ContinuousClock.now
        daemon.kill9()
        let status = run.wait(timeout: .seconds(30))
        let elapsed = ContinuousClock.now - killed
        #expect(status == 1, "\(run.output.suffix(2000))")
        #expect(elapsed < .seconds(5), "took \(elapsed) to notice")
        let last = run.output.split(separator: "\n").last ?? ""
        #expect(last.contains("Cannot connect to the container engine") || last.contains("container engine"), "\(last)")
        #expect(contents(temporary).isEmpty, "the clone was left behind: \(contents(temporary))")
    }

    @Test("the registry goes away before the push: bounded retries, then an error")
    func registryDropsBeforePush() throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let (repo, sha) = try dockerfileRepository("RUN echo marker-registry-drops && sleep 5")
        defer { repo.remove() }
        let image = "\(registry.host)/swift-r2d-test/drops:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let run = try RunningProgram(
            ProjectPaths.binary, Self.common + ["--push", "--image=\(image)", repo.path],
            environment: [
                "DOCKER_CONFIG": try registry.makeDockerConfig(), "SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory,
            ])
        #expect(run.waitForOutput("marker-registry-drops", timeout: .seconds(120)), "\(run.output)")
        registry.close()
        let status = run.wait(timeout: .seconds(120))
        #expect(status == 1, "\(run.output.suffix(3000))")
        #expect(
            run.output.contains("Push attempt 1 of 3 failed") && run.output.contains("Push attempt 2 of 3 failed"),
            "\(run.output.suffix(3000))")
        #expect(run.output.split(separator: "\n").last?.hasPrefix("Pushing the image failed:") == true, "\(run.output.suffix(1000))")
        let (tagStatus, _) = try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/json")
        #expect(tagStatus == 404, "a failed push leaves no tag from this run")
    }

    @Test("SIGINT during a build: exit 130, no tag, the build container removed")
    func interruptDuringBuild() async throws {
        let marker = "\(Int.random(in: 100_000...999_999))"
        let (repo, sha) = try dockerfileRepository("RUN echo marker-sigint-\(marker) && sleep 47.\(marker)")
        defer { repo.remove() }
        let image = "swift-r2d-test-sigint:\(sha)"
        let run = try RunningProgram(ProjectPaths.binary, Self.common + ["--image-name", image, repo.path])
        #expect(run.waitForOutput("marker-sigint-\(marker)", timeout: .seconds(120)), "\(run.output)")
        run.signal(SIGINT)
        #expect(run.wait(timeout: .seconds(30)) == 130, "\(run.output.suffix(2000))")
        let (status, _) = try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/json")
        #expect(status == 404, "an interrupted build must leave no tag")
        // The daemon removes the build's container once the client has gone; wait for it.
        var left: [String] = []
        for _ in 0..<60 {
            let list = try runProgram("/usr/bin/docker", ["ps", "-a", "--no-trunc", "--format", "{{.Command}}"])
            left = list.stdout.split(separator: "\n").map(String.init).filter { $0.contains("sleep 47.\(marker)") }
            if left.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(left.isEmpty, "build containers left: \(left)")
    }

    @Test("SIGTERM during a clone: exit 143 and the temporary checkout removed")
    func terminateDuringClone() throws {
        let repo = try TemporaryGitRepository(files: ["Dockerfile": "FROM swift-r2d/test-base:bookworm\n"])
        defer { repo.remove() }
        let big = try runProgram("/bin/sh", ["-c", "head -c 100000000 /dev/urandom > '\(repo.absolutePath("data.bin"))'"])
        try #require(big.status == 0)
        _ = try repo.commit(message: "big")
        let temporary = try emptyDirectory()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let run = try RunningProgram(ProjectPaths.binary, Self.common + [repo.fileURL], environment: ["TMPDIR": temporary])
        #expect(run.waitForOutput("Cloning", timeout: .seconds(60)), "\(run.output)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: .seconds(60)) == 143, "\(run.output.suffix(2000))")
        #expect(contents(temporary).isEmpty, "left behind: \(contents(temporary))")
    }

    @Test("a full disk during the clone: one clear line, exit 1, nothing left")
    func fullDiskDuringClone() throws {
        let repo = try TemporaryGitRepository(files: ["Dockerfile": "FROM swift-r2d/test-base:bookworm\n"])
        defer { repo.remove() }
        let big = try runProgram("/bin/sh", ["-c", "head -c 20000000 /dev/urandom > '\(repo.absolutePath("data.bin"))'"])
        try #require(big.status == 0)
        _ = try repo.commit(message: "big")
        let mountPoint = try emptyDirectory()
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mount = try runProgram("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint])
        try #require(mount.status == 0, "mounting a small tmpfs needs root: \(mount.stderr)")
        defer { _ = try? runProgram("/usr/bin/umount", [mountPoint]) }
        let result = try runProgram(ProjectPaths.binary, ["--no-build", repo.fileURL], environment: ["TMPDIR": mountPoint])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.last?.contains("No space left on device") == true, "\(result.stderr)")
        #expect(
            lines.last?.contains(mountPoint) == true || lines.last?.contains("TMPDIR") == true,
            "the message should say where: \(lines.last ?? "")")
        #expect(contents(mountPoint).isEmpty, "left behind: \(contents(mountPoint))")
    }
}
