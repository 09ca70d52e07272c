import Foundation
import R2DEngine
import R2DGit
import R2DTestSupport
import Testing

/// End to end against the real dockerd that `.ci/run` starts: the swift-r2d binary builds the fixture
/// repositories and runs their `verify` scripts inside the images. A missing daemon fails these tests.
@Suite("Dockerfile repositories on a real Docker engine", .serialized)
struct DockerfileBuildTests {
    static let fixtures = ["dockerfile/simple", "dockerfile/binder-dir", "dockerfile/dockerignore"]
    static let common = ["--user-id=1000", "--user-name=jovyan", "--network=host"]

    func swiftR2D(_ arguments: [String], environment: [String: String] = [:]) throws -> ProgramResult {
        try runProgram(ProjectPaths.binary, arguments, environment: environment)
    }

    // Images are removed synchronously and without pruning their parents: a detached or pruning removal
    // could delete cached layers that the next build is using.
    func imageExists(_ name: String) async throws -> Bool {
        let client = try EngineClient(endpoint: .unixSocket("/var/run/docker.sock"))
        defer { Task { await client.shutdown() } }
        let found = try await client.inspectImage(name) != nil
        return found
    }

    @Test("build from a file:// URL at a ref, run verify, then reuse the image", arguments: fixtures)
    func buildFromURL(fixture: String) async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(fixture)
        defer { repo.remove() }
        // A later commit on main: building the fixture's commit by ref must not pick it up.
        try repo.write("later.txt", "later")
        try repo.commit(message: "later", time: 1_700_000_100)
        let image = "swift-r2d-test-\(fixture.replacingOccurrences(of: "/", with: "-")):\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }

        let first = try swiftR2D(Self.common + ["--ref", String(sha.prefix(10)), "--image-name", image, repo.fileURL, "./verify"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stderr.contains("verify: ok"))
        #expect(first.stderr.contains("Using DockerBuildPack builder"))
        #expect(try await imageExists(image))

        let second = try swiftR2D(Self.common + ["--ref", sha, "--image-name", image, repo.fileURL, "test", "!", "-e", "later.txt"])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("Reusing existing image (\(image)), not building."))
        #expect(!second.stderr.contains("Using DockerBuildPack builder"))
    }

    /// Both of dockerd's builders, named explicitly; the step headers say which one built.
    @Test(
        "each Dockerfile fixture builds and verifies with BuildKit and with the classic builder", arguments: fixtures,
        ["buildkit", "classic"])
    func buildsWithEitherBuilder(fixture: String, backend: String) async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(fixture)
        defer { repo.remove() }
        let image = "swift-r2d-test-\(backend)-\(fixture.replacingOccurrences(of: "/", with: "-")):\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try swiftR2D(Self.common + ["--build-backend", backend, "--image-name", image, repo.path, "./verify"])
        #expect(result.status == 0, "\(backend): \(result.stderr)")
        #expect(result.stderr.contains("verify: ok"), "\(backend): \(result.stderr)")
        let buildKitHeader = result.stderr.contains("#1 [internal] load") || result.stderr.contains("] FROM ")
        #expect(buildKitHeader == (backend == "buildkit"), "\(backend): \(result.stderr)")
        #expect(result.stderr.contains("Step 1/") == (backend == "classic"), "\(backend): \(result.stderr)")
    }

    @Test("build from a local path with the generated name tagged by commit", arguments: fixtures)
    func buildFromLocalPath(fixture: String) async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(fixture)
        defer { repo.remove() }
        let result = try swiftR2D(Self.common + ["--json-logs", repo.path, "./verify"])
        let expected =
            "r2d"
            + repo.path.utf8.map { byte -> String in
                let c = Character(Unicode.Scalar(byte))
                return (c.isASCII && (c.isLetter || c.isNumber)) ? String(c).lowercased() : "-" + String(format: "%02x", byte)
            }.joined() + ":" + sha
        defer { DaemonAPI.removeImageKeepingCache(expected) }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // --json-logs: every line is one JSON object.
        for line in result.stderr.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        #expect(result.stderr.contains("verify: ok"))
        #expect(try await imageExists(expected))
    }

    @Test("two clones of one commit with different mtimes stream identical contexts and fixed file times")
    func reproducibleContext() async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple", time: 1_650_000_000)
        defer { repo.remove() }
        var digests: [String] = []
        for (index, mtime) in [1_000_000_000, 1_500_000_000].enumerated() {
            let clone = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-clone-")
            defer { try? FileManager.default.removeItem(atPath: clone) }
            Git.initialize()
            _ = try Git.cloneAndCheckout(url: repo.fileURL, into: clone + "/c", ref: sha, credentials: nil, progress: nil)
            for file in ["Dockerfile", "sayhi.sh", "verify"] {
                var times = [timeval(tv_sec: mtime, tv_usec: 0), timeval(tv_sec: mtime, tv_usec: 0)]
                #expect(utimes(clone + "/c/" + file, &times) == 0)
            }
            let image = "swift-r2d-test-repro-\(index):latest"
            defer { DaemonAPI.removeImageKeepingCache(image) }
            let result = try swiftR2D(
                Self.common + ["--debug", "--image-name", image, clone + "/c", "stat", "-c", "%Y", "sayhi.sh", "Dockerfile"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let digest = result.stderr.split(separator: "\n").first { $0.contains("Build context:") }.map(String.init) ?? ""
            #expect(digest.contains("sha256"))
            digests.append(digest)
            // The repository's files carry the commit time inside the image.
            let times = result.stderr.split(separator: "\n").filter { $0.allSatisfy(\.isNumber) }
            #expect(times == ["1650000000", "1650000000"], "stderr: \(result.stderr)")
        }
        #expect(digests.count == 2 && digests[0] == digests[1])
    }

    @Test("no daemon: a one-line error that says how to start one, exit 1")
    func noDaemon() throws {
        let (repo, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let result = try swiftR2D(Self.common + [repo.path], environment: ["DOCKER_HOST": "unix:///tmp/swift-r2d-no-such.sock"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("/tmp/swift-r2d-no-such.sock"))
        #expect(result.stderr.contains("dockerd"))

        let json = try swiftR2D(
            Self.common + ["--json-logs", repo.path], environment: ["DOCKER_HOST": "unix:///tmp/swift-r2d-no-such.sock"])
        #expect(json.status == 1)
        let last = try #require(json.stderr.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(object["phase"] as? String == "failed")
    }

    /// libgit2 starts on a background thread while the command line is parsed; an error found at once must
    /// still end in its exit code, never in a crash from exiting under that thread (it did, about 1 run in 50).
    @Test("an error found at start exits cleanly every time")
    func earlyErrorExitsCleanly() throws {
        for attempt in 1...100 {
            let result = try swiftR2D(["--config", "/nonexistent/swift-r2d-config.json"] + Self.common + ["."])
            #expect(result.status == 2, "attempt \(attempt): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "attempt \(attempt): \(result.stderr)")
            if result.status != 2 { break }
        }
    }

    @Test("--no-build prints the Dockerfile and needs no daemon")
    func noBuild() throws {
        let (repo, _) = try TemporaryGitRepository.fromFixture("dockerfile/binder-dir")
        defer { repo.remove() }
        let result = try swiftR2D(["--no-build", repo.path], environment: ["DOCKER_HOST": "unix:///tmp/swift-r2d-no-such.sock"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let expected = try String(contentsOfFile: repo.path + "/binder/Dockerfile", encoding: .utf8)
        #expect(result.stdout == expected)
    }

    /// The step's own output is the daemon's (`Step 2/8 : RUN …` or `#5 [2/2] RUN …`); the final line is ours and
    /// reads the same under both builders.
    @Test(
        "a failing Dockerfile step names its command and exit code in one failed line, and leaves no tag",
        arguments: [("classic", " : RUN echo broken-step && exit 3"), ("auto", "] RUN echo broken-step && exit 3")])
    func failingBuild(backend: String, stepHeader: String) async throws {
        let repo = try TemporaryGitRepository(files: ["Dockerfile": "FROM swift-r2d/test-base:bookworm\nRUN echo broken-step && exit 3\n"])
        defer { repo.remove() }
        let sha = try repo.commit()
        let image = "swift-r2d-test-failing-\(backend):\(sha)"
        let result = try swiftR2D(Self.common + ["--build-backend", backend, "--json-logs", "--image-name", image, repo.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(stepHeader), "\(backend): \(result.stderr)")
        #expect(result.stderr.contains("broken-step\\n"), "\(backend): the step's output is shown")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.filter { $0.contains("\"phase\":\"failed\"") }.count == 1, "\(backend): \(result.stderr)")
        let last = try #require(lines.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(object["phase"] as? String == "failed")
        #expect(
            object["message"] as? String
                == "The image build failed: The command '/bin/sh -c echo broken-step && exit 3' returned a non-zero code: 3\n",
            "\(backend): \(last)")
        #expect(try await imageExists(image) == false)
    }

    @Test("BinderHub's exact command line through a jupyter-repo2docker symlink")
    func binderHubCommandLine() async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let bin = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-bin-")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        try FileManager.default.createSymbolicLink(atPath: bin + "/jupyter-repo2docker", withDestinationPath: ProjectPaths.binary)
        let image = "swift-r2d-test-binderhub:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try runProgram(
            bin + "/jupyter-repo2docker",
            [
                "--ref=\(sha)", "--image=\(image)", "--no-clean", "--no-run", "--json-logs",
                "--user-name=jovyan", "--user-id=1000", "--Repo2Docker.default_buildpack=None", repo.fileURL,
            ], environment: ["SWIFT_R2D_TEST": "1"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        var phases: [String] = []
        var kept: String?
        for line in result.stderr.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["message"] is String)
            if let phase = object["phase"] as? String { phases.append(phase) }
            if let message = object["message"] as? String, message.hasPrefix("Keeping the checkout at ") {
                kept = String(message.dropFirst("Keeping the checkout at ".count).prefix { $0 != " " })
            }
        }
        #expect(phases.contains("fetching") && phases.contains("building"))
        #expect(!phases.contains("failed"))
        #expect(try await imageExists(image))
        // --no-clean keeps the temporary checkout; the test removes it.
        let checkout = try #require(kept)
        #expect(FileManager.default.fileExists(atPath: checkout + "/Dockerfile"))
        try? FileManager.default.removeItem(atPath: (checkout as NSString).deletingLastPathComponent)
    }
}
