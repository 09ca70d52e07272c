import Foundation
import R2DTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--secret` end to end (Docs/secrets.md): a package from a password-protected index (Support/private-index.py)
/// installed through the `UV_INDEX_URL` secret on Docker 26 (overlay2), with the password in no layer, no image
/// metadata and no output line; the value hidden in the build output; and the one-line refusal where the engine
/// could not keep a secret out of the image (the classic builder, Podman), with nothing built or tagged.
@Suite("Build secrets end to end", .serialized)
struct SecretBuildTests {
    static let user = "r2d-index"

    static func uniquePassword() -> String { "pw-\(UInt64.random(in: 1_000_000_000...9_999_999_999))" }

    /// A committed repository with `files`, its image name on this run's own commit.
    static func repository(_ files: [String: String], name: String) throws -> (TemporaryGitRepository, image: String) {
        let repo = try TemporaryGitRepository(files: files)
        let sha = try repo.commit(time: GeneratedEnvironmentTests.uniqueCommitTime())
        return (repo, GeneratedEnvironmentTests.imageName("secrets/" + name, tag: sha))
    }

    // MARK: The private index, on Docker 26

    @Test("a requirements.txt package from a private index via --secret id=UV_INDEX_URL: importable, the password nowhere")
    func privateIndexPackage() throws {
        let password = Self.uniquePassword()
        let index = try PrivateIndex(user: Self.user, password: password)
        defer { index.close() }
        // The comment makes the install step this run's own: BuildKit's cache key leaves secrets out, so an earlier
        // run's step on the same daemon would be CACHED and the index never asked.
        let requirements = "# run \(UInt64.random(in: 1...UInt64.max))\nr2d-secret-probe\n"
        let (repo, image) = try Self.repository(["requirements.txt": requirements], name: "private-index")
        defer { repo.remove() }
        let engine = DindEngine.overlay2
        defer { engine.untagKeepingCache(image) }
        let result = try runProgram(
            ProjectPaths.binary,
            GeneratedEnvironmentTests.common + [
                "--image-name", image, "--secret", "id=UV_INDEX_URL,env=R2D_TEST_INDEX_URL", repo.path,
                "python", "-c", "import r2d_secret_probe as m; print('probe says', m.VALUE)",
            ],
            environment: ["DOCKER_HOST": "unix://" + engine.socket, "R2D_TEST_INDEX_URL": index.url])
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "exit \(result.status)\n\(output.suffix(6000))\nindex log:\n\(index.log())")
        #expect(output.contains("probe says from the private index"), "\(output.suffix(4000))")
        #expect(index.log().contains("GET /files/r2d_secret_probe-1.0-py3-none-any.whl authorized"), "\(index.log())")
        try Self.expectNowhere(password, image: image, output: output, engine: engine)
    }

    /// The password (and the index's credentials in Basic-auth form) in no layer of `docker save`, not in the
    /// image's inspect or history, and not in the tool's output.
    static func expectNowhere(_ password: String, image: String, output: String, engine: DindEngine) throws {
        let forms = [password, Data("\(user):\(password)".utf8).base64EncodedString()]
        for form in forms { #expect(!output.contains(form), "the output shows \(form)") }
        let saved = try engine.save(image)
        #expect(saved.count > 1_000_000, "docker save gave \(saved.count) bytes")
        for form in forms { #expect(saved.range(of: Data(form.utf8)) == nil, "docker save of \(image) holds \(form)") }
        for path in ["/images/\(DaemonAPI.escaped(image))/json", "/images/\(DaemonAPI.escaped(image))/history"] {
            let (status, body) = try engine.request("GET", path)
            #expect(status == 200)
            let text = String(decoding: body, as: UTF8.self)
            for form in forms { #expect(!text.contains(form), "\(path) holds \(form)") }
            #expect(!text.contains("127.0.0.1:"), "\(path) names the index: \(text.prefix(2000))")
        }
    }

    // MARK: What needs no session

    /// The `RUN` of a printed Dockerfile that mounts secrets, as the shell command BuildKit would run (its
    /// continuation lines joined, its `--mount` flags left out).
    static func secretStep(in dockerfile: String) throws -> String {
        let joined = dockerfile.replacingOccurrences(of: " \\\n", with: "")
        let line = try #require(joined.split(separator: "\n").first { $0.hasPrefix("RUN ") && $0.contains("--mount=type=secret") })
        var command = Substring(line.dropFirst("RUN ".count))
        while command.hasPrefix("--mount=") || command.hasPrefix(" ") {
            command = command.hasPrefix(" ") ? command.dropFirst() : command.drop { $0 != " " }
        }
        return String(command)
    }

    /// Until the client session serves secrets to the daemon, the rendered install step is checked by running it
    /// in a container of the same environment with the secret mounted where BuildKit mounts it: uv installs the
    /// private index's package (and PyPI's, beside an extra index) with the variables the step sets.
    @Test(
        "the rendered install step installs from the private index with the secret as /run/secrets/<id>",
        arguments: ["UV_INDEX_URL", "PIP_EXTRA_INDEX_URL"])
    func renderedStepInstalls(id: String) throws {
        let index = try PrivateIndex(user: Self.user, password: Self.uniquePassword())
        defer { index.close() }
        let requirements = id == "UV_INDEX_URL" ? "r2d-secret-probe\n" : "r2d-secret-probe\ntabulate\n"
        let (repo, _) = try Self.repository(["requirements.txt": requirements], name: "step")
        defer { repo.remove() }
        let printed = try runProgram(
            ProjectPaths.binary,
            GeneratedEnvironmentTests.common + ["--no-build", "--secret", "id=\(id),env=R2D_UNSET_VARIABLE", repo.path])
        let step = try Self.secretStep(in: printed.stdout)
        #expect(step.hasPrefix("export UV_CACHE_DIR=/var/cache/r2d/uv && \(id)=\"$(cat /run/secrets/\(id))\" && export \(id) "), "\(step)")
        // The same environment without the requirements: the Jupyter stack's layers, from the build cache.
        let (empty, image) = try Self.repository(["README.md": "no requirements\n"], name: "step-base")
        defer { empty.remove() }
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let built = try runProgram(ProjectPaths.binary, GeneratedEnvironmentTests.common + ["--no-run", "--image-name", image, empty.path])
        try #require(built.status == 0, "\(built.stderr.suffix(3000))")
        try index.url.write(toFile: index.directory + "/secret", atomically: true, encoding: .utf8)
        try requirements.write(toFile: index.directory + "/requirements.txt", atomically: true, encoding: .utf8)
        let run = try runProgram(
            "/usr/bin/docker",
            [
                "run", "--rm", "--network", "host", "--user", "1000", "--tmpfs", "/var/cache/r2d/uv:uid=1000,gid=1000",
                "-v", index.directory + "/secret:/run/secrets/\(id):ro", "-v",
                index.directory + "/requirements.txt:/home/jovyan/requirements.txt:ro",
                image, "sh", "-c", step + " && python -c 'import r2d_secret_probe as m; print(\"probe says\", m.VALUE)'",
            ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)\nindex log:\n\(index.log())")
        #expect(run.stdout.contains("probe says from the private index"), "\(run.stdout)\n\(run.stderr)")
        #expect(index.log().contains("GET /files/r2d_secret_probe-1.0-py3-none-any.whl authorized"), "\(index.log())")
        #expect(!index.log().contains("refused"), "\(index.log())")
    }

    @Test("--no-build prints the secret mounts of the install step and reads no value")
    func dryRunShowsMounts() throws {
        let (repo, _) = try Self.repository(["requirements.txt": "r2d-secret-probe\n"], name: "dry-run")
        defer { repo.remove() }
        let result = try runProgram(
            ProjectPaths.binary,
            GeneratedEnvironmentTests.common + ["--no-build", "--secret", "id=PIP_EXTRA_INDEX_URL,env=R2D_UNSET_VARIABLE", repo.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("--mount=type=secret,id=PIP_EXTRA_INDEX_URL,required=true,uid=1000"), "\(result.stdout)")
        #expect(result.stdout.contains("PIP_EXTRA_INDEX_URL=\"$(cat /run/secrets/PIP_EXTRA_INDEX_URL)\""))
    }

    @Test("the secret's value is hidden in the build output, plain and under --json-logs", arguments: [false, true])
    func valueHiddenInOutput(json: Bool) throws {
        let value = "leak-\(UInt64.random(in: 1_000_000_000...9_999_999_999))"
        let dockerfile = "FROM swift-r2d/test-base:bookworm\nARG LEAK\nRUN echo \"the value is $LEAK\"\n"
        let (repo, image) = try Self.repository(["Dockerfile": dockerfile], name: "masking-\(json)")
        defer { repo.remove() }
        defer { DaemonAPI.removeImageKeepingCache(image) }
        // The build argument prints the same text the secret holds: only the secret makes it a secret.
        let result = try runProgram(
            ProjectPaths.binary,
            DockerfileBuildTests.common + (json ? ["--json-logs"] : []) + [
                "--no-run", "--image-name", image, "--build-arg", "LEAK=\(value)", "--secret", "id=probe,env=R2D_TEST_SECRET", repo.path,
            ],
            environment: ["R2D_TEST_SECRET": value])
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "\(output.suffix(4000))")
        #expect(!output.contains(value), "\(output)")
        #expect(output.contains("the value is ***"), "\(output.suffix(4000))")
        if json {
            for line in result.stderr.split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
            }
        }
    }

    // MARK: Refused where the engine could not keep the secret out of the image

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var arguments: [String]
        var environment: [String: String]
        var reason: String
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(
            label: "--build-backend classic on the host dockerd", arguments: ["--build-backend", "classic"], environment: [:],
            reason: "--build-backend classic was asked for"),
        Refusal(
            label: "--engine podman", arguments: ["--engine", "podman"], environment: [:],
            reason: "--engine podman builds with Podman's own builder"),
        Refusal(
            label: "auto on Podman's socket", arguments: [], environment: ["DOCKER_HOST": "unix:///run/podman/podman.sock"],
            reason: "Podman 4.3"),
        Refusal(
            label: "auto on the host dockerd without --network", arguments: [], environment: [:],
            reason: "the engine has no bridge network (dockerd --bridge=none)"),
    ]

    @Test(
        "--secret where the build would not be BuildKit's: one line, exit 1, nothing built or tagged", arguments: refusals, [false, true])
    func refused(_ refusal: Refusal, json: Bool) throws {
        let (repo, image) = try Self.repository(["requirements.txt": "r2d-secret-probe\n"], name: "refused")
        defer { repo.remove() }
        // Without --network for the last case: the other cases keep the tests' usual arguments.
        let common =
            refusal.label.contains("without --network")
            ? ["--base-image", "swift-r2d/test-base:bookworm", "--user-id", "1000", "--user-name", "jovyan"]
            : GeneratedEnvironmentTests.common
        var environment = refusal.environment
        environment["R2D_TEST_SECRET"] = Self.uniquePassword()
        let result = try runProgram(
            "/usr/bin/env",
            (refusal.environment["DOCKER_HOST"] == nil ? ["-u", "DOCKER_HOST"] : []) + [ProjectPaths.binary] + common
                + refusal.arguments + (json ? ["--json-logs"] : []) + [
                    "--no-run", "--image-name", image, "--secret", "id=UV_INDEX_URL,env=R2D_TEST_SECRET", repo.fileURL,
                ],
            environment: environment)
        #expect(result.status == 1, "exit \(result.status)\n\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 1, "\(result.stderr)")
        let line = try #require(lines.last)
        let message: String
        if json {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["phase"] as? String == "failed")
            message = object["message"] as? String ?? ""
        } else {
            message = line
        }
        #expect(
            message.hasPrefix("--secret needs BuildKit, the only builder that keeps a secret out of the image, and \(refusal.reason)"),
            "\(message)")
        #expect(!result.stderr.contains("Cloning") && !result.stderr.contains(environment["R2D_TEST_SECRET"]!))
        let engineHasImage: Bool
        if refusal.label.contains("odman") {
            engineHasImage = try runProgram("/usr/bin/podman", ["image", "exists", image]).status == 0
        } else {
            engineHasImage = try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/json").0 != 404
        }
        #expect(!engineHasImage, "\(image) was tagged")
    }
}

extension DindEngine {
    /// `docker save` of `image` (GET /images/{name}/get): the tar of its layers and configuration.
    func save(_ image: String) throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-save-\(UUID().uuidString).tar").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try runProgram(
            "/usr/bin/curl",
            ["-sS", "--fail", "--unix-socket", socket, "-o", file, "http://localhost/images/\(DaemonAPI.escaped(image))/get"])
        guard result.status == 0 else { throw Failure("docker save of \(image) on \(rawValue) failed: \(result.stderr)") }
        return try Data(contentsOf: URL(fileURLWithPath: file))
    }
}

/// Support/private-index.py on 127.0.0.1: a PEP 503 index with Basic auth serving one wheel it writes at start
/// (`r2d-secret-probe` 1.0). A build reaches it through host networking. Call `close()` when done.
final class PrivateIndex {
    static let script = ProjectPaths.root + "/Tests/R2DIntegrationTests/Support/private-index.py"

    let directory: String
    let user: String
    let password: String
    private(set) var port = 0
    private var server: Process?

    /// The index URL with its credentials, as a secret carries it.
    var url: String { "http://\(user):\(password)@127.0.0.1:\(port)/simple" }

    init(user: String, password: String) throws {
        directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-index-")
        (self.user, self.password) = (user, password)
        do {
            try start()
        } catch {
            close()
            throw error
        }
    }

    private func start() throws {
        FileManager.default.createFile(atPath: directory + "/server.log", contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/server.log"))
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--directory", directory, "--user", user, "--password", password]
        let output = Pipe()
        (process.standardOutput, process.standardError, process.standardInput) = (output, logHandle, FileHandle.nullDevice)
        try process.run()
        server = process
        try? output.fileHandleForWriting.close()
        // The port line; python3 may take a few seconds to start on a loaded machine.
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("\n"), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0 else {
            throw DindEngine.Failure("private-index.py did not report a port (got \"\(text)\"); log: \(log())")
        }
        self.port = port
    }

    /// The request log: "<method> <path> <authorized|refused>" per line.
    func log() -> String {
        (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
    }

    func close() {
        if let server, server.isRunning {
            server.terminate()
            // The script unblocks SIGTERM itself; a server that still does not stop within 5 s is killed.
            for _ in 0..<50 where server.isRunning { usleep(100_000) }
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            server.waitUntilExit()
        }
        server = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}
