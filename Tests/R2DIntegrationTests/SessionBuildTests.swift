import Foundation
import R2DBuildContext
import R2DBuildKitSession
import R2DEngine
import R2DTestSupport
import Testing

extension DindTests {
    /// BuildKit through a client session (R2DBuildKitSession): on the containerd image store the context goes by
    /// the session's file sync, where a tar body cannot be read (moby/moby #47717); on both stores the session
    /// serves build secrets and the credentials for a private base image.
    @Suite("BuildKit through a client session on Docker 26", .serialized)
    struct Session {
        static let containerdFixtures =
            DockerfileBuildTests.fixtures + ["dockerfile/buildkit-chmod", "dockerfile/buildkit-syntax", "venv/default"]

        @Test("on the containerd store, auto builds with BuildKit through file sync and verify passes", arguments: containerdFixtures)
        func containerdStoreBuilds(fixture: String) throws {
            let engine = DindEngine.containerd
            let (image, result) = try Builds.build(fixture, backend: "auto", on: engine)
            defer { engine.untagKeepingCache(image) }
            let output = result.stdout + result.stderr
            #expect(result.status == 0, "\(fixture): exit \(result.status)\n\(output.suffix(4000))")
            #expect(output.contains("verify: ok"), "\(fixture)\n\(output.suffix(4000))")
            #expect(BuilderOutput.isBuildKit(output), "\(fixture) was not built with BuildKit\n\(output.suffix(4000))")
            #expect(!output.contains("classic builder") && !output.contains("client session"), "\(output.suffix(4000))")
            #expect(try engine.containers(ancestor: image).isEmpty, "containers left from \(image)")
        }

        @Test("on the containerd store, --build-backend buildkit builds and BuildKit's Created is the commit time")
        func containerdStoreBuildKitAsked() throws {
            let engine = DindEngine.containerd
            let time = GeneratedEnvironmentTests.uniqueCommitTime()
            let (image, result) = try Builds.build(
                "dockerfile/simple", backend: "buildkit", on: engine, time: time, options: ["--no-run"], command: [])
            defer { engine.untagKeepingCache(image) }
            #expect(result.status == 0, "\(result.stderr.suffix(3000))")
            let inspect = try #require(try engine.inspectImage(image))
            let expected = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
            #expect(inspect["Created"] as? String == expected, "Created \(inspect["Created"] ?? "none"), commit \(expected)")
        }

        @Test(
            "a secret served by the session is readable in RUN --mount=type=secret and found nowhere in the image",
            arguments: DindEngine.allCases)
        func secretMount(engine: DindEngine) async throws {
            let secret = "s3cret-\(UUID().uuidString)"
            let built = try await SessionBuild.buildSecretImage(on: engine, secret: secret)
            defer { engine.untagKeepingCache(built.image) }
            #expect(!built.output.contains(secret), "the build output shows the secret")
            let hash = try await SessionBuild.run(built.image, ["cat", "/token.sha256"], on: engine)
            #expect(hash.trimmingCharacters(in: .whitespacesAndNewlines) == (try SessionBuild.sha256(secret)))
            let saved = try SessionBuild.save(built.image, on: engine)
            #expect(saved.count > 10_000)
            if engine == .overlay2 {
                // `docker save` on overlay2 writes the layers uncompressed, so their bytes can be searched.
                #expect(saved.range(of: Data(secret.utf8)) == nil, "a layer or the config holds the secret")
            }
            for path in ["/images/\(DaemonAPI.escaped(built.image))/json", "/images/\(DaemonAPI.escaped(built.image))/history"] {
                let (_, body) = try engine.request("GET", path)
                #expect(!String(decoding: body, as: UTF8.self).contains(secret), "\(path) shows the secret")
            }
        }

        @Test("SIGINT during a file-sync build on the containerd store: exit 130, no tag, the step's process ends")
        func interruptDuringSessionBuild() async throws {
            let engine = DindEngine.containerd
            let marker = "\(Int.random(in: 100_000...999_999))"
            let repo = try TemporaryGitRepository(files: [
                "Dockerfile": "FROM swift-r2d/test-base:bookworm\nCOPY . /srv\nRUN echo marker-sigint-\(marker) && sleep 47.\(marker)\n"
            ])
            defer { repo.remove() }
            let sha = try repo.commit(time: GeneratedEnvironmentTests.uniqueCommitTime())
            let image = "swift-r2d-test-session-sigint:\(sha)"
            let run = try RunningProgram(
                ProjectPaths.binary, DockerfileBuildTests.common + ["--no-run", "--image-name", image, repo.path],
                environment: ["DOCKER_HOST": "unix://" + engine.socket])
            #expect(run.waitForOutput("marker-sigint-\(marker)", timeout: .seconds(120)), "\(run.output)")
            // The step's line is printed before it starts: wait until its process runs.
            var running = false
            for _ in 0..<120 where !running {
                running = try runProgram("/bin/ps", ["-eo", "args"]).stdout.contains("sleep 47.\(marker)")
                if !running { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(running, "the step is not seen running, so its end proves nothing")
            run.signal(SIGINT)
            #expect(run.wait(timeout: .seconds(30)) == 130, "\(run.output.suffix(2000))")
            #expect(try engine.inspectImage(image) == nil, "an interrupted build must leave no tag")
            // BuildKit cancels the step once the build request and the session are gone; wait for its process (its
            // runc container is in no cgroup of the dind container, so `docker top` misses it: the host's ps sees it).
            var left = [String]()
            for _ in 0..<60 {
                let top = try runProgram("/bin/ps", ["-eo", "args"])
                left = top.stdout.split(separator: "\n").map(String.init).filter { $0.contains("sleep 47.\(marker)") }
                if left.isEmpty { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(left.isEmpty, "the build step still runs: \(left)")
        }

        @Test("a FROM on the loopback registry with auth pulls with DOCKER_CONFIG's credentials", arguments: DindEngine.allCases)
        func privateBaseImage(engine: DindEngine) async throws {
            let registry = try TestRegistry()
            defer { registry.close() }
            let base = try await SessionBuild.pushPrivateBase(to: registry, from: engine)
            let repo = try TemporaryGitRepository(files: [
                "Dockerfile": "FROM \(base)\nCOPY note.txt /note.txt\n", "note.txt": "on a private base\n",
            ])
            defer { repo.remove() }
            let sha = try repo.commit(time: GeneratedEnvironmentTests.uniqueCommitTime())
            let image = GeneratedEnvironmentTests.imageName("dind/\(engine.rawValue)/private-base", tag: sha)
            defer { engine.untagKeepingCache(image) }
            let arguments = DockerfileBuildTests.common + ["--image-name", image, "--no-run", "--build-backend", "buildkit", repo.path]

            let anonymous = try runProgram(ProjectPaths.binary, arguments, environment: ["DOCKER_HOST": "unix://" + engine.socket])
            #expect(anonymous.status != 0, "the registry let an anonymous pull through\n\(anonymous.stderr.suffix(2000))")
            let config = try registry.makeDockerConfig()
            let result = try runProgram(
                ProjectPaths.binary, arguments, environment: ["DOCKER_HOST": "unix://" + engine.socket, "DOCKER_CONFIG": config])
            let output = result.stdout + result.stderr
            #expect(result.status == 0, "exit \(result.status)\n\(output.suffix(4000))")
            #expect(!output.contains(TestRegistry.password))
            let layers = ((try engine.inspectImage(image))?["RootFS"] as? [String: Any])?["Layers"] as? [String] ?? []
            #expect(layers.count == 2, "the private base's layer and the COPY: \(layers)")
        }
    }
}

/// What the session tests build and run on a dind engine through the library.
enum SessionBuild {
    /// Builds `FROM test-base` with a step that hashes the secret `r2d-token` into /token.sha256, with BuildKit and
    /// the secret in the session (the context as the tar body on overlay2, by file sync on the containerd store).
    static func buildSecretImage(on engine: DindEngine, secret: String) async throws -> (image: String, output: String) {
        // BuildKit's cache key of a step leaves out the secret's value: a nonce keeps an earlier run's layer out.
        let repo = try TemporaryGitRepository(files: [
            "Dockerfile": """
            FROM swift-r2d/test-base:bookworm
            RUN --mount=type=secret,id=r2d-token echo \(UUID().uuidString) > /nonce \\
                && sha256sum /run/secrets/r2d-token | cut -d' ' -f1 > /token.sha256
            """
        ])
        defer { repo.remove() }
        let spec = BuildContextSpec(root: repo.path, keepAlways: ["Dockerfile"], mtime: 1_700_000_000)
        var options = BuildOptions(dockerfile: "Dockerfile", networkMode: "host")
        options.backend = .buildKit
        options.secrets = [BuildSecret(id: "r2d-token", value: Array(secret.utf8))]
        if engine == .containerd { options.session = SessionServices(context: try BuildContext.snapshot(spec)) }
        let client = try EngineClient(endpoint: .unixSocket(engine.socket))
        let output = OutputCollector()
        do {
            let id = try await client.build(context: BuildContext.stream(spec), options: options) { event in
                if case .output(let text) = event { output.append(text) }
            }
            let image = "swift-r2d-test-secret:\(UUID().uuidString.prefix(8).lowercased())"
            try await client.tagImage(id, repository: String(image.split(separator: ":")[0]), tag: String(image.split(separator: ":")[1]))
            await client.shutdown()
            return (image, output.text)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Runs `command` in `image` (no network) and returns what it printed.
    static func run(_ image: String, _ command: [String], on engine: DindEngine) async throws -> String {
        let client = try EngineClient(endpoint: .unixSocket(engine.socket))
        let output = OutputCollector()
        do {
            let code = try await client.runContainer(RunOptions(image: image, command: command, networkMode: "none")) { _, text in
                output.append(text)
            }
            await client.shutdown()
            #expect(code == 0, "\(command) in \(image): \(output.text)")
            return output.text
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// `docker save` of `image` (`GET /images/{name}/get`), through curl into a file: hundreds of MB are no String.
    static func save(_ image: String, on engine: DindEngine) throws -> Data {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-save-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runProgram(
            "/usr/bin/curl",
            [
                "-sSf", "--unix-socket", engine.socket, "-o", directory + "/image.tar",
                "http://localhost/images/\(DaemonAPI.escaped(image))/get",
            ])
        guard result.status == 0 else { throw DindEngine.Failure("saving \(image) failed: \(result.stderr)") }
        return try Data(contentsOf: URL(fileURLWithPath: directory + "/image.tar"))
    }

    /// The hex sha256 of `text`, by sha256sum.
    static func sha256(_ text: String) throws -> String {
        let file = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-secret-") + "/value"
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let result = try runProgram("/usr/bin/sha256sum", [file])
        return String(result.stdout.prefix { $0 != " " })
    }

    /// A one-layer image built `FROM scratch` on `engine`, pushed to the registry with its credentials and untagged
    /// here, so a build must pull it; returns its name on the registry.
    static func pushPrivateBase(to registry: TestRegistry, from engine: DindEngine) async throws -> String {
        let repo = try TemporaryGitRepository(files: [
            "Dockerfile": "FROM scratch\nCOPY base.txt /base.txt\n", "base.txt": UUID().uuidString,
        ])
        defer { repo.remove() }
        let spec = BuildContextSpec(root: repo.path, keepAlways: ["Dockerfile"], mtime: 1_700_000_000)
        let (repository, tag) = ("\(registry.host)/swift-r2d-test/private-base", UUID().uuidString.prefix(8).lowercased())
        let client = try EngineClient(endpoint: .unixSocket(engine.socket))
        do {
            var options = BuildOptions(dockerfile: "Dockerfile")
            options.backend = .classic
            let id = try await client.build(context: BuildContext.stream(spec), options: options) { _ in }
            try await client.tagImage(id, repository: repository, tag: tag)
            let auth = RegistryAuth(username: TestRegistry.user, password: TestRegistry.password, serverAddress: registry.host)
            try await client.pushImage(repository: repository, tag: tag, auth: auth) { _ in }
            try await client.removeImage("\(repository):\(tag)", force: true, prune: false)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        return "\(repository):\(tag)"
    }
}

/// Text gathered from @Sendable callbacks.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""

    func append(_ text: String) {
        lock.lock()
        collected += text
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }
}
