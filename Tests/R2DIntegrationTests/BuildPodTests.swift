import Foundation
import R2DTestSupport
import Testing

/// swift-r2d's own image (the root Dockerfile), run the way BinderHub runs its build pods: the daemon socket
/// mounted at /var/run/docker.sock, the push secret at /root/.docker/config.json, BinderHub's exact arguments,
/// and every output line read the way BinderHub reads it (json.loads, else phase "unknown").
@Suite("swift-r2d's image as a BinderHub build pod", .serialized)
struct BuildPodTests {
    var image: String { get throws { try BuildPodImage.shared.get() } }

    /// A BinderHub-style pod: host socket, optional mounts and environment, BinderHub's argument order.
    func runPod(ref: String, imageName: String, repo: String, push: Bool, mounts: [String] = [], environment: [String] = []) throws
        -> ProgramResult
    {
        var arguments = ["run", "--rm", "--network=host", "-v", "/var/run/docker.sock:/var/run/docker.sock"]
        for mount in mounts { arguments += ["-v", mount] }
        for variable in environment { arguments += ["-e", variable] }
        arguments.append(try image)
        arguments += [
            "jupyter-repo2docker", "--ref=\(ref)", "--image=\(imageName)", "--no-clean", "--no-run", "--json-logs",
            "--user-name=jovyan", "--user-id=1000",
        ]
        if push { arguments.append("--push") }
        arguments.append(repo)
        return try runProgram("/usr/bin/docker", arguments)
    }

    /// BinderHub's reading: each line json.loads'ed, or wrapped as {"phase": "unknown"}.
    static func binderHubEvents(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").map { line in
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return object }
            return ["phase": "unknown", "message": String(line)]
        }
    }

    @Test("build and push succeed: pure JSON, a pushing phase, exit 0 only after the push, manifest in the registry")
    func buildAndPush() throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple", time: GeneratedEnvironmentTests.uniqueCommitTime())
        defer { repo.remove() }
        let config = try registry.makeDockerConfig()
        let imageName = "\(registry.host)/binder/i-simple-55ab5c:\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(imageName) }

        let result = try runPod(
            ref: sha, imageName: imageName, repo: repo.fileURL, push: true,
            mounts: [
                "\(config)/config.json:/root/.docker/config.json:ro",
                "\(registry.certificatesDirectory):/etc/docker/certs.d:ro",
                "\(repo.path):\(repo.path):ro",
            ], environment: ["HTTPS_PROXY=http://proxy.invalid:3128"])
        let events = Self.binderHubEvents(result.stdout + result.stderr)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!events.isEmpty)
        #expect(
            events.allSatisfy { ($0["phase"] as? String) != "unknown" },
            "non-JSON output: \(events.filter { ($0["phase"] as? String) == "unknown" })")
        #expect(events.allSatisfy { ($0["phase"] as? String) != "failed" })
        #expect(
            events.contains { ($0["phase"] as? String) == "pushing" && ($0["message"] as? String) == "Successfully pushed \(imageName)\n" })
        // swift-r2d's own messages end in a newline (BinderHub writes them into an xterm as they are); the daemon's
        // build stream is passed on chunk by chunk, as repo2docker does ("Step 1/9 : …" then "\n").
        let unterminated = events.filter {
            ($0["phase"] as? String) != "building" && !(($0["message"] as? String)?.hasSuffix("\n") ?? false)
        }
        #expect(unterminated.isEmpty, "\(unterminated)")
        #expect(registry.manifestStatus(repository: "binder/i-simple-55ab5c", tag: sha) == 200)
        #expect(!(result.stdout + result.stderr).contains(TestRegistry.password))
    }

    @Test("failures: an unknown ref ends with a failed line and a non-zero exit, and every line is JSON")
    func failure() throws {
        let (repo, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let missing = String(repeating: "f", count: 40)
        let result = try runPod(
            ref: missing, imageName: "binder/i-missing:\(missing)", repo: repo.fileURL, push: false,
            mounts: ["\(repo.path):\(repo.path):ro"])
        let events = Self.binderHubEvents(result.stdout + result.stderr)
        #expect(result.status == 1)
        #expect(events.allSatisfy { ($0["phase"] as? String) != "unknown" }, "\(result.stdout)\(result.stderr)")
        #expect(events.last?["phase"] as? String == "failed")
        #expect((events.last?["message"] as? String ?? "").contains(missing))
    }

    @Test("the entrypoint writes the proxy variables into config.json, and never over an existing one")
    func entrypointProxies() throws {
        let written = try runProgram(
            "/usr/bin/docker",
            [
                "run", "--rm", "--network=none", "-e", "HTTPS_PROXY=http://proxy.example:3128", "-e", "no_proxy=localhost,127.0.0.1",
                try image, "cat", "/root/.docker/config.json",
            ])
        #expect(written.status == 0, "\(written.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(written.stdout.utf8)) as? [String: Any]
        let proxies = (object?["proxies"] as? [String: Any])?["default"] as? [String: String]
        #expect(proxies == ["httpsProxy": "http://proxy.example:3128", "noProxy": "localhost,127.0.0.1"])

        let none = try runProgram(
            "/usr/bin/docker", ["run", "--rm", "--network=none", try image, "sh", "-c", "test ! -e /root/.docker/config.json"])
        #expect(none.status == 0, "without proxy variables no config.json is written")
        let version = try runProgram("/usr/bin/docker", ["run", "--rm", "--network=none", try image, "jupyter-repo2docker", "--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("0."))
    }
}

/// The image from the root Dockerfile, built once per test process with the binary under test as PREBUILT (this
/// machine cannot pull a Swift image) on the test base image, and removed when the process exits.
enum BuildPodImage {
    static let name = "swift-r2d/build-pod-test:\(UInt32.random(in: 0...UInt32.max))"
    static let shared: Result<String, any Error> = Result {
        let context = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-image-")
        defer { try? FileManager.default.removeItem(atPath: context) }
        atexit { _ = try? runProgram("/usr/bin/docker", ["rmi", "-f", BuildPodImage.name]) }
        try build(in: context)
        return name
    }

    static func build(in context: String) throws {
        let fileManager = FileManager.default
        for file in ["Dockerfile", ".dockerignore", "docker/entrypoint"] {
            try fileManager.createDirectory(
                atPath: context + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fileManager.copyItem(atPath: ProjectPaths.root + "/" + file, toPath: context + "/" + file)
        }
        // The binary, and the Swift runtime libraries it loads from the toolchain (a release image links them statically).
        let binary = URL(fileURLWithPath: ProjectPaths.binary).resolvingSymlinksInPath().path
        var files = [(binary, "/usr/local/bin/swift-r2d")]
        let ldd = try runProgram("/usr/bin/ldd", [binary])
        for line in ldd.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 3, parts[1] == "=>" else { continue }
            let path = String(parts[2])
            if !path.hasPrefix("/lib/") && !path.hasPrefix("/usr/lib/") { files.append((path, path)) }
        }
        for (source, destination) in files {
            let target = context + "/prebuilt" + destination
            try fileManager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fileManager.copyItem(atPath: source, toPath: target)
        }
        let build = try runProgram(
            "/usr/bin/docker",
            [
                "build", "--network=host", "-t", name,
                "--build-arg", "SWIFT_IMAGE=swift-r2d/test-base:bookworm", "--build-arg", "RUNTIME_IMAGE=swift-r2d/test-base:bookworm",
                "--build-arg", "PREBUILT=prebuilt", context,
            ], environment: ["DOCKER_BUILDKIT": "0"])
        guard build.status == 0 else {
            throw TestCertificates.Failure(
                description: "building the image failed: \(build.stdout.suffix(2000)) \(build.stderr.suffix(2000))")
        }
    }
}
