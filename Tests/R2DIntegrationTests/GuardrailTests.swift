import Foundation
import R2DTestSupport
import Testing

/// The operator's guardrails end to end (Docs/limits.md): `--max-repo-size` on a clone, a local directory and a
/// data-repository download; `--build-timeout` on a `RUN sleep` build and on a slow clone; a push to a registry
/// that stops reading, under `--push-stall-timeout`. Each run has a private TMPDIR that must be empty afterwards.
@Suite("Guardrails: size cap, deadline, stalled push", .serialized)
struct GuardrailTests {
    static let common = ["--user-id=1000", "--user-name=jovyan", "--network=host", "--no-run"]

    /// A private TMPDIR for one run; `left` lists what the run left in it.
    struct PrivateTemporary {
        let path: String
        init() throws { path = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-guard-tmp-") }
        var left: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["<unreadable>"] }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static func unique() -> String { "\(UInt32.random(in: 100_000...999_999))" }

    static func imageExists(_ image: String) throws -> Bool {
        try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/json").0 == 200
    }

    /// A Dockerfile repository with `megabytes` of random data in three files, committed.
    static func repositoryWithData(megabytes: Int) throws -> (TemporaryGitRepository, String) {
        let repo = try TemporaryGitRepository(files: ["Dockerfile": "FROM swift-r2d/test-base:bookworm\nRUN echo data\n"])
        for index in 0..<3 {
            let path = repo.absolutePath("data-\(index).bin")
            let made = try runProgram("/bin/sh", ["-c", "head -c \(megabytes << 20 / 3) /dev/urandom > '\(path)'"])
            try #require(made.status == 0)
        }
        return (repo, try repo.commit(message: "data", time: GeneratedEnvironmentTests.uniqueCommitTime()))
    }

    @Test("--max-repo-size on a clone: refused after checkout in one line naming both sizes; nothing left, no image")
    func cloneTooLarge() throws {
        let (repo, sha) = try Self.repositoryWithData(megabytes: 3)
        defer { repo.remove() }
        let temporary = try PrivateTemporary()
        defer { temporary.remove() }
        let image = "swift-r2d-test-guard-size:\(Self.unique())"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try runProgram(
            ProjectPaths.binary, Self.common + ["--json-logs", "--max-repo-size", "1M", "--image-name", image, repo.fileURL],
            environment: ["TMPDIR": temporary.path])
        #expect(result.status == 1, "\(result.stderr.suffix(2000))")
        let last = try #require(result.stderr.split(separator: "\n").last.map(String.init))
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: String], "\(last)")
        #expect(failed["phase"] == "failed")
        let message = failed["message"] ?? ""
        #expect(message.contains("more than --max-repo-size 1.0 MiB (1,048,576 bytes)"), "\(message)")
        #expect(message.contains("hold 3.0 MiB") || message.contains("hold 2.9 MiB"), "\(message)")
        #expect(message.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("Step 1/") && !result.stderr.contains("Using DockerBuildPack"), "built anyway")
        #expect(temporary.left.isEmpty, "left behind: \(temporary.left)")
        #expect(try !Self.imageExists(image))
        _ = sha
    }

    @Test("--max-repo-size on a local directory: its files without .git are counted; under the cap it builds")
    func localDirectory() throws {
        let (repo, _) = try Self.repositoryWithData(megabytes: 3)
        defer { repo.remove() }
        let image = "swift-r2d-test-guard-local:\(Self.unique())"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let refused = try runProgram(ProjectPaths.binary, Self.common + ["--max-repo-size=2.5M", "--image-name", image, repo.path])
        #expect(refused.status == 1)
        let line = refused.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("more than --max-repo-size 2.5 MiB (2,621,440 bytes)"), "\(line)")
        // .git holds a second copy of the data (its pack) that the cap does not count: 4M is enough.
        let built = try runProgram(ProjectPaths.binary, Self.common + ["--max-repo-size=4M", "--image-name", image, repo.path])
        #expect(built.status == 0, "\(built.stderr.suffix(2000))")
        #expect(try Self.imageExists(image))
    }

    @Test("--max-repo-size on a data-repository download: the stream is cut soon after the cap; nothing left")
    func downloadCut() throws {
        let server = try LoopbackRecordServer(fileBytes: 256 << 20, announceSize: false)
        defer { server.stop() }
        let temporary = try PrivateTemporary()
        defer { temporary.remove() }
        let input = server.baseURL + "/records/" + server.record
        let result = try runProgram(
            ProjectPaths.binary, Self.common + ["--zenodo-url", server.baseURL, "--max-repo-size", "1M", input],
            environment: ["TMPDIR": temporary.path])
        #expect(result.status == 1, "\(result.stderr.suffix(2000))")
        let line = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("stopped: the download passed --max-repo-size 1.0 MiB (1,048,576 bytes) at "), "\(line)")
        #expect(temporary.left.isEmpty, "left behind: \(temporary.left)")
        // The server's stream ends when its writes fail, once the client has gone.
        var sent: Int?
        for _ in 0..<100 where sent == nil {
            sent = server.bytesSent
            usleep(100_000)
        }
        let bytes = try #require(sent, "the server's stream did not end: \(server.logLines)")
        #expect(bytes < server.fileBytes / 8, "the server sent \(bytes) of \(server.fileBytes) bytes")
    }

    @Test("--max-repo-size on a record that announces its sizes: refused before the file is requested")
    func downloadAnnounced() throws {
        let server = try LoopbackRecordServer(fileBytes: 8 << 20, announceSize: true)
        defer { server.stop() }
        let temporary = try PrivateTemporary()
        defer { temporary.remove() }
        let input = server.baseURL + "/records/" + server.record
        let result = try runProgram(
            ProjectPaths.binary, Self.common + ["--zenodo-url", server.baseURL, "--max-repo-size", "2M", input],
            environment: ["TMPDIR": temporary.path])
        #expect(result.status == 1, "\(result.stderr.suffix(2000))")
        let line = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("announced as 8.0 MiB (8,388,608 bytes), more than --max-repo-size 2.0 MiB (2,097,152 bytes)"), "\(line)")
        #expect(!server.fileRequested, "\(server.logLines)")
        #expect(temporary.left.isEmpty, "left behind: \(temporary.left)")
    }

    /// Processes whose command line has `text` (a build step's, seen from the host: dockerd runs here).
    static func processes(containing text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let command = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return command.contains(text) ? "\(pid): \(command)" : nil
        }
    }

    @Test(
        "--build-timeout on a RUN sleep build: exit 1 soon after the limit, the step stopped, no container, no tag",
        arguments: ["classic", "buildkit"])
    func buildTimeout(backend: String) async throws {
        let marker = Self.unique()
        let repo = try TemporaryGitRepository(files: [
            "Dockerfile": "FROM swift-r2d/test-base:bookworm\nRUN echo marker-timeout-\(marker) && sleep 600.\(marker)\n"
        ])
        defer { repo.remove() }
        let sha = try repo.commit(message: "sleep", time: GeneratedEnvironmentTests.uniqueCommitTime())
        let temporary = try PrivateTemporary()
        defer { temporary.remove() }
        let image = "swift-r2d-test-guard-timeout:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let started = ContinuousClock.now
        let result = try runProgram(
            ProjectPaths.binary,
            Self.common + ["--json-logs", "--build-backend", backend, "--build-timeout", "5", "--image-name", image, repo.fileURL],
            environment: ["TMPDIR": temporary.path])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1, "\(result.stderr.suffix(2000))")
        #expect(elapsed < .seconds(15), "took \(elapsed)")
        #expect(result.stderr.contains("marker-timeout-\(marker)"), "the build never started: \(result.stderr.suffix(2000))")
        let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains(#""phase":"failed""#) && last.contains("The time limit of 5 s (--build-timeout) was reached"), "\(last)")
        #expect(try !Self.imageExists(image), "a cancelled build must leave no tag")
        #expect(temporary.left.isEmpty, "left behind: \(temporary.left)")
        // The daemon stops the step and removes the classic builder's container once the client has gone.
        var left: [String] = []
        for _ in 0..<60 {
            let list = try runProgram("/usr/bin/docker", ["ps", "-a", "--no-trunc", "--format", "{{.Command}}"])
            left = list.stdout.split(separator: "\n").map(String.init).filter { $0.contains("sleep 600.\(marker)") }
            left += Self.processes(containing: "sleep 600.\(marker)")
            if left.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(left.isEmpty, "build containers or processes left: \(left)")
    }

    @Test("--build-timeout on a slow clone: the transfer stops, exit 1, the checkout removed")
    func slowClone() throws {
        let (repo, _) = try Self.repositoryWithData(megabytes: 2)
        defer { repo.remove() }
        let server = try GitHTTPServer(bytesPerSecond: 64 << 10)
        defer { server.stop() }
        let url = try server.publish(repo, as: "slow.git")
        let temporary = try PrivateTemporary()
        defer { temporary.remove() }
        let started = ContinuousClock.now
        let result = try runProgram(
            ProjectPaths.binary, Self.common + ["--build-timeout", "3", url], environment: ["TMPDIR": temporary.path])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1, "\(result.stderr.suffix(2000))")
        #expect(elapsed < .seconds(13), "took \(elapsed)")
        #expect(result.stderr.contains("Receiving objects"), "the clone never started: \(result.stderr.suffix(2000))")
        let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("The time limit of 3 s (--build-timeout) was reached"), "\(last)")
        #expect(temporary.left.isEmpty, "left behind: \(temporary.left)")
    }

    @Test("a push to a registry that stops reading ends after --push-stall-timeout, naming the registry")
    func stalledPush() throws {
        let registry = try StallingRegistry()
        defer { registry.stop() }
        let repo = try TemporaryGitRepository(files: [
            "Dockerfile": "FROM swift-r2d/test-base:bookworm\nRUN head -c 8000000 /dev/urandom > /stall-\(Self.unique()).bin\n"
        ])
        defer { repo.remove() }
        let sha = try repo.commit(message: "stall", time: GeneratedEnvironmentTests.uniqueCommitTime())
        let image = "\(registry.host)/swift-r2d-test/stall:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let temporary = try PrivateTemporary()
        defer { temporary.remove() }
        let config = try PrivateTemporary()
        defer { config.remove() }
        let run = try RunningProgram(
            ProjectPaths.binary, Self.common + ["--push", "--push-stall-timeout", "3", "--image=\(image)", repo.path],
            environment: ["TMPDIR": temporary.path, "DOCKER_CONFIG": config.path])
        #expect(run.waitForOutput("Pushing image", timeout: .seconds(180)), "\(run.output.suffix(2000))")
        let pushing = ContinuousClock.now
        let status = run.wait(timeout: .seconds(60))
        let elapsed = ContinuousClock.now - pushing
        #expect(status == 1, "\(run.output.suffix(3000))")
        #expect(elapsed < .seconds(20), "took \(elapsed) after the push began")
        #expect(registry.uploadStalled, "the registry never took an upload: \(registry.logLines.prefix(20))")
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("to the registry \(registry.host) made no progress for 3 s (--push-stall-timeout)"), "\(last)")
        #expect(try !Self.imageExists(image), "a failed push leaves no tag from this run")
        #expect(temporary.left.isEmpty, "left behind: \(temporary.left)")
    }
}
