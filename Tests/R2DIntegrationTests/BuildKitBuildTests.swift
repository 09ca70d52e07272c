import Foundation
import R2DTestSupport
import Testing

/// BuildKit through the Engine API on the dockerd that `.ci/run` starts (Docker 20.10, BuildKit 0.8, run with
/// `--bridge=none`, so `auto` takes BuildKit only with `--network`): Dockerfiles written for BuildKit, a
/// `# syntax=` line without a registry, `--cache-from` from the inline cache, and `--json-logs`.
@Suite("BuildKit builds on a real Docker engine", .serialized)
struct BuildKitBuildTests {
    static let common = ["--user-id=1000", "--user-name=jovyan", "--no-run"]

    func swiftR2D(_ arguments: [String]) throws -> ProgramResult {
        try runProgram("/usr/bin/env", ["-u", "DOCKER_HOST", ProjectPaths.binary] + arguments)
    }

    /// (arguments, whether the build succeeds, the last line when it fails). Without `--network` this daemon
    /// has no network for BuildKit's RUN steps, so `auto` builds classic there, and says why in the refusal.
    static let chmodCases: [(String, [String], Bool, String?)] = [
        ("auto with --network host", ["--network", "host"], true, nil),
        ("buildkit with --network host", ["--build-backend", "buildkit", "--network", "host"], true, nil),
        (
            "classic", ["--build-backend", "classic", "--network", "host"], false,
            "Dockerfile uses COPY --chmod (line 8), which only BuildKit builds, and --build-backend classic was asked for; "
                + "build it on a Docker engine with BuildKit (--build-backend auto or buildkit)."
        ),
        (
            "auto without --network", [], false,
            "Dockerfile uses COPY --chmod (line 8), which only BuildKit builds, and the engine has no bridge network "
                + "(dockerd --bridge=none), which BuildKit's RUN steps need without --network; "
                + "pass --network (e.g. --network host) to build it with BuildKit."
        ),
    ]

    @Test(
        "a Dockerfile with COPY --chmod and a cache mount: built and verified by BuildKit, refused in one line by classic",
        arguments: chmodCases)
    func buildKitDockerfile(label: String, arguments: [String], succeeds: Bool, refusal: String?) throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(
            "dockerfile/buildkit-chmod", time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let image = "swift-r2d-test-buildkit-chmod:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try swiftR2D(Self.common + arguments + ["--image-name", image, repo.path])
        #expect((result.status == 0) == succeeds, "\(label): exit \(result.status)\n\(result.stderr.suffix(3000))")
        if let refusal {
            #expect(result.status == 1)
            #expect(result.stderr.split(separator: "\n").last.map(String.init) == refusal, "\(label): \(result.stderr)")
            #expect(!result.stderr.contains("Step 1/"), "\(label): the refusal comes before the build")
            return
        }
        #expect(BuildOutput.isBuildKit(result.stderr), "\(label): \(result.stderr.suffix(2000))")
        let verify = try runProgram("/usr/bin/docker", ["run", "--rm", "--network=none", image, "./verify"])
        #expect(verify.status == 0 && verify.stdout.contains("verify: ok"), "\(label): \(verify.stdout)\(verify.stderr)")
    }

    /// Podman 4.3's builder (Buildah) reads COPY --chmod and RUN --mount=type=cache itself. The image is verified
    /// with `podman run`, as the Docker cases use `docker run`: this test is about the build.
    @Test("the same Dockerfile on Podman: built by Podman's own builder and verified")
    func buildKitDockerfileOnPodman() throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(
            "dockerfile/buildkit-chmod", time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let image = "swift-r2d-test-podman-buildkit-chmod:\(sha)"
        defer { PodmanTests.untagKeepingCache(image) }
        let result = try swiftR2D(Self.common + ["--engine", "podman", "--network", "host", "--image-name", image, repo.path])
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "exit \(result.status)\n\(output.suffix(3000))")
        #expect(output.contains("Podman") && output.contains("builds with its own builder"), "\(output.prefix(2000))")
        let verify = try PodmanTests.podman(["run", "--rm", "--network=none", image, "./verify"])
        #expect(verify.status == 0 && verify.stdout.contains("verify: ok"), "\(verify.stdout)\(verify.stderr)")
    }

    /// `# syntax=docker/dockerfile:1` makes BuildKit fetch that frontend image, and no registry is reachable here.
    static let syntaxCases: [(String, [String], String?)] = [
        (
            "BuildKit, the directive followed", ["--network", "host"],
            "Dockerfile's # syntax= line names the frontend image docker/dockerfile:1, which the engine could not get: load "
                + "that image into the engine, or pass --builtin-frontend to build with the engine's own Dockerfile frontend."
        ),
        ("BuildKit, --builtin-frontend", ["--network", "host", "--builtin-frontend"], nil),
        ("classic, --builtin-frontend", ["--build-backend", "classic", "--network", "host", "--builtin-frontend"], nil),
    ]

    @Test("a # syntax= line without a registry: one clear failed line, or built by the engine's own frontend", arguments: syntaxCases)
    func syntaxDirective(label: String, arguments: [String], failureEnd: String?) throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(
            "dockerfile/syntax-directive", time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let image = "swift-r2d-test-syntax-directive:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try swiftR2D(Self.common.dropLast() + arguments + ["--image-name", image, repo.path, "./verify"])
        let lines = result.stderr.split(separator: "\n").map(String.init)
        if let failureEnd {
            #expect(result.status == 1, "\(label): \(result.stderr)")
            let last = lines.last ?? ""
            #expect(last.hasPrefix("The image build failed: ") && last.contains("docker/dockerfile"), "\(label): \(last)")
            #expect(last.hasSuffix(failureEnd), "\(label): \(last)")
            return
        }
        #expect(result.status == 0, "\(label): exit \(result.status)\n\(result.stderr.suffix(3000))")
        #expect(
            lines.contains(
                "--builtin-frontend: Dockerfile is built with the engine's own Dockerfile frontend, not the docker/dockerfile:1 its # syntax= line names."
            ),
            "\(label): \(result.stderr.prefix(2000))")
        #expect(result.stderr.contains("verify: ok"), "\(label): \(result.stderr.suffix(2000))")
    }

    /// BinderHub reads every line with json.loads and shows the messages in its log view; a BuildKit build must
    /// give it readable progress, never the trace's base64, and end with the line it expects.
    @Test("--json-logs under BuildKit: every line JSON, readable #N progress, no base64, the expected last line")
    func jsonLogs() throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple", time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let image = "swift-r2d-test-buildkit-json:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try swiftR2D([
            "--ref=\(sha)", "--image=\(image)", "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan", "--user-id=1000",
            "--network=host", repo.fileURL,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        let events = BuildPodTests.binderHubEvents(result.stdout + result.stderr)
        #expect(events.allSatisfy { ($0["phase"] as? String) != "unknown" }, "non-JSON output: \(result.stdout)\(result.stderr)")
        #expect(events.allSatisfy { ($0["phase"] as? String) != "failed" })
        let building = events.filter { ($0["phase"] as? String) == "building" }.compactMap { $0["message"] as? String }.joined()
        #expect(BuildOutput.isBuildKit(building), "\(building)")
        #expect(building.contains("] RUN useradd --create-home --uid 1000 jovyan\n"), "\(building)")
        #expect(!building.contains("moby.buildkit.trace") && !BuildOutput.hasBase64Run(building), "\(building)")
        let last = try #require(events.last)
        #expect(last["phase"] as? String == "building" && last["message"] as? String == "Successfully tagged \(image)\n", "\(last)")
        if let message = events.first(where: { ($0["message"] as? String)?.hasPrefix("Keeping the checkout at ") == true })?["message"]
            as? String
        {
            let checkout = String(message.dropFirst("Keeping the checkout at ".count).prefix { $0 != " " })
            try? FileManager.default.removeItem(atPath: (checkout as NSString).deletingLastPathComponent)
        }
    }

    /// Images built here carry BuildKit's inline cache; Docker 20.10 reads it from a local image (moby's
    /// localinlinecache) when the build cache is gone. A build without --cache-from after the same prune is the
    /// control: its RUN steps run again.
    @Test("--cache-from a BuildKit image after the build cache is pruned: every RUN step CACHED, the same image")
    func cacheFromInlineCache() throws {
        let marker = UInt64.random(in: 0...UInt64.max)
        let dockerfile = "FROM swift-r2d/test-base:bookworm\nRUN echo cache-from-\(marker) > /one && sleep 1\nRUN cat /one > /two\n"
        let repo = try TemporaryGitRepository(files: ["Dockerfile": dockerfile])
        defer { repo.remove() }
        _ = try repo.commit(message: "cache-from", time: GeneratedEnvironmentTests.uniqueCommitTime())
        let names = ["first", "control", "from-cache"].map { "swift-r2d-test-cache-from-\($0):\(marker)" }
        defer { names.forEach(DaemonAPI.removeImageKeepingCache) }
        let build = { (name: String, extra: [String]) throws -> ProgramResult in
            try self.swiftR2D(
                Self.common + ["--build-backend", "buildkit", "--network", "host", "--image-name", name] + extra + [repo.path])
        }
        let first = try build(names[0], [])
        try #require(first.status == 0, "\(first.stderr.suffix(3000))")
        #expect(BuildOutput.runSteps(first.stderr).map(\.cached) == [false, false], "\(first.stderr)")

        try DaemonAPI.pruneBuildCache()
        let control = try build(names[1], [])
        try #require(control.status == 0, "\(control.stderr.suffix(3000))")
        #expect(BuildOutput.runSteps(control.stderr).map(\.cached) == [false, false], "\(control.stderr)")

        try DaemonAPI.pruneBuildCache()
        let cached = try build(names[2], ["--cache-from", names[0]])
        try #require(cached.status == 0, "\(cached.stderr.suffix(3000))")
        #expect(BuildOutput.runSteps(cached.stderr).map(\.cached) == [true, true], "\(cached.stderr)")
        #expect(try DaemonAPI.imageID(names[2]) == DaemonAPI.imageID(names[0]))
        #expect(try DaemonAPI.imageID(names[1]) != DaemonAPI.imageID(names[0]))
    }
}

extension DaemonAPI {
    /// `POST /build/prune?all=true`: BuildKit's build cache only; images are untouched.
    static func pruneBuildCache() throws {
        let (status, body) = try request("POST", "/build/prune?all=true")
        guard status == 200 else { throw Failure("build cache prune gave HTTP \(status): \(String(decoding: body, as: UTF8.self))") }
    }

    static func imageID(_ image: String) throws -> String {
        let (status, body) = try request("GET", "/images/\(escaped(image))/json")
        guard status == 200, let json = try JSONSerialization.jsonObject(with: body) as? [String: Any], let id = json["Id"] as? String
        else {
            throw Failure("inspecting \(image) gave HTTP \(status)")
        }
        return id
    }
}

/// What a build's log shows about the builder that ran it.
enum BuildOutput {
    /// BuildKit's plain progress (`#3 [2/4] RUN …`, `#3 DONE 0.4s`), and none of the classic builder's `Step 1/4 :`.
    static func isBuildKit(_ output: String) -> Bool {
        let lines = output.split(separator: "\n")
        let headers = lines.contains { $0.hasPrefix("#") && $0.contains(" [") && $0.contains("/") && $0.contains("] ") }
        let ends = lines.contains { $0.hasPrefix("#") && ($0.contains(" DONE ") || $0.hasSuffix(" CACHED")) }
        return headers && ends && !output.contains("Step 1/")
    }
}

extension BuildOutput {
    /// BuildKit's `RUN` steps in order, with whether each came from the cache (`#N CACHED`).
    static func runSteps(_ output: String) -> [(name: String, cached: Bool)] {
        let lines = output.split(separator: "\n").map(String.init)
        return lines.compactMap { line -> (String, Bool)? in
            guard line.hasPrefix("#"), let space = line.firstIndex(of: " "), line[space...].contains("] RUN ") else { return nil }
            let number = line[..<space]
            return (String(line[line.index(after: space)...]), lines.contains(number + " CACHED"))
        }
    }

    /// A run of 120 or more base64 characters without a space: what a raw trace `aux` would look like.
    static func hasBase64Run(_ text: String) -> Bool {
        var run = 0
        for character in text.unicodeScalars {
            let isBase64 = CharacterSet.alphanumerics.contains(character) || character == "+" || character == "/" || character == "="
            run = isBase64 ? run + 1 : 0
            if run >= 120 { return true }
        }
        return false
    }
}
