import Foundation
import R2DEngine
import R2DTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// End to end on the real dockerd: swift-r2d generates a Dockerfile for each fixture repository under
/// Fixtures/{venv,base,pyproject,pipfile,uv}, builds it on the bookworm test base image and runs the fixture's
/// `verify` inside the image (as repo2docker's own test suite does). A missing daemon fails these tests.
@Suite("Generated environments on a real Docker engine", .serialized)
struct GeneratedEnvironmentTests {
    static let groups = ["venv", "base", "pyproject", "pipfile", "uv"]
    static let socketPath = "/var/run/docker.sock"
    /// Docker Hub and conda-forge are unreachable here; uv cannot download Pythons, so the default is the
    /// base image's own 3.11.
    static let common = [
        "--base-image", "swift-r2d/test-base:bookworm", "--default-python-version", "3.11", "--network", "host",
        "--user-id", "1000", "--user-name", "jovyan", "--appendix", "RUN echo appendix > /tmp/appendix",
    ]

    /// Every directory with a `verify` file, as "group/relative/path", sorted.
    static let fixtures: [String] = groups.flatMap { group -> [String] in
        let root = ProjectPaths.fixture(group)
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        return walker.compactMap { item -> String? in
            guard let path = item as? String, (path as NSString).lastPathComponent == "verify" else { return nil }
            return group + "/" + (path as NSString).deletingLastPathComponent
        }
    }.sorted()

    /// One CLI argument per line of the fixture's `extra-args`, appended before the repository.
    static func extraArguments(_ fixture: String) -> [String] {
        guard let text = try? String(contentsOfFile: ProjectPaths.fixture(fixture) + "/extra-args", encoding: .utf8) else {
            return []
        }
        return text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }

    /// A valid image name for a fixture path: lower case, anything but letters and digits becomes "-".
    static func imageName(_ fixture: String, tag: String) -> String {
        let escaped = String(fixture.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        return "swift-r2d-test-\(escaped):\(tag)"
    }

    /// A random commit time, so the commit sha, image name and image ID are this run's own: concurrent runs of
    /// these tests on one daemon (other checkouts, CI) would otherwise share them and remove each other's images.
    static func uniqueCommitTime() -> Int64 { 1_700_000_000 + Int64.random(in: 0..<100_000_000) }

    func swiftR2D(_ arguments: [String]) throws -> ProgramResult {
        try runProgram(ProjectPaths.binary, arguments)
    }

    @Test("the fixture list covers every group")
    func fixturesFound() {
        for group in Self.groups {
            #expect(Self.fixtures.contains { $0.hasPrefix(group + "/") }, "no fixture with a verify under Fixtures/\(group)")
        }
        #expect(Self.fixtures.contains("venv/start/postBuild"))
    }

    @Test("build the fixture, run ./verify in it, then check that /tmp, $HOME and /root hold no caches", arguments: fixtures)
    func verify(fixture: String) async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture(fixture, time: Self.uniqueCommitTime())
        defer { repo.remove() }
        let image = Self.imageName(fixture, tag: sha)
        defer { DaemonAPI.removeImageKeepingCache(image) }

        let started = Date()
        let result = try swiftR2D(Self.common + Self.extraArguments(fixture) + ["--image-name", image, repo.path, "./verify"])
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "\(fixture): exit \(result.status) after \(Int(Date().timeIntervalSince(started))) s\n\(output)")
        #expect(output.contains("verify: ok"), "\(fixture): verify did not finish\n\(output)")
        guard result.status == 0 else { return }
        // --network host lets `auto` build with BuildKit on this bridge-less daemon: the caches checked below are
        // those a BuildKit build (with its cache mounts) could leave.
        #expect(BuildOutput.isBuildKit(result.stderr), "\(fixture): not built by BuildKit\n\(result.stderr.prefix(2000))")

        // repo2docker's check-tmp: as root, none of these may hold more than 1 MB (leftover pip/npm/apt caches).
        let script = """
            status=0
            for dir in /tmp "$HOME" /root; do
              kb=$(du -sk "$dir" | cut -f1)
              echo "check-tmp: $dir ${kb} KB"
              if [ "$kb" -ge 1024 ]; then status=1; du -ak "$dir" | sort -n | tail -n 5; fi
            done
            exit $status
            """
        let (code, lines) = try await Self.runAsRoot(image: image, command: ["/bin/bash", "-c", script])
        #expect(code == 0, "\(fixture): check-tmp failed\n\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix("check-tmp: /root ") }, "\(fixture): \(lines)")
    }

    @Test("the default command serves Jupyter: GET /api answers; SIGINT exits 130 and leaves no container")
    func jupyterAnswers() async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture("venv/default", time: Self.uniqueCommitTime())
        defer { repo.remove() }
        let image = Self.imageName("jupyter/default", tag: sha)
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let build = try swiftR2D(Self.common + ["--no-run", "--image-name", image, repo.path])
        try #require(build.status == 0, "build failed:\n\(build.stderr)")

        let port = try Self.freePort()
        let logPath = NSTemporaryDirectory() + "swift-r2d-jupyter-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProjectPaths.binary)
        process.arguments = Self.common + ["-p", "\(port)", "--image-name", image, repo.path]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let logText = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // The image exists, so this is container start-up time only.
        var answer: String?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let get = try runProgram("/usr/bin/curl", ["-s", "-m", "2", "http://127.0.0.1:\(port)/api"])
            if get.status == 0, get.stdout.contains("\"version\"") { answer = get.stdout; break }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(answer != nil, "no answer from http://127.0.0.1:\(port)/api within 60 s\n\(logText())")
        let ours = try DaemonAPI.containers(ancestor: image)
        #expect(ours.count == 1, "containers from \(image) while running: \(ours)")

        kill(process.processIdentifier, SIGINT)
        let exitDeadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < exitDeadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(!process.isRunning, "swift-r2d still runs 30 s after SIGINT\n\(logText())")
        guard !process.isRunning else { return }
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 130,
            "reason \(process.terminationReason.rawValue), status \(process.terminationStatus)\n\(logText())")

        let client = try EngineClient(endpoint: .unixSocket(Self.socketPath))
        let remaining = try await client.listContainers(all: true, labelFilter: nil)
        await client.shutdown()
        for id in ours { #expect(!remaining.contains(id), "container \(id) left behind") }
        #expect(try DaemonAPI.containers(ancestor: image).isEmpty)
    }

    /// requirements.txt, and uv.lock (whose dependencies are installed before the copy, the project after it).
    @Test(
        "editing only the README reuses every layer before the full repository copy",
        arguments: [("venv/numpy", "requirements.txt"), ("uv/lock", "uv.lock")])
    func layerReuse(fixture: String, environmentFile: String) async throws {
        let firstTime = Self.uniqueCommitTime()
        let (repo, firstSHA) = try TemporaryGitRepository.fromFixture(fixture, time: firstTime)
        defer { repo.remove() }
        let first = Self.imageName("layers/" + fixture, tag: firstSHA)
        defer { DaemonAPI.removeImageKeepingCache(first) }
        let firstBuild = try swiftR2D(Self.common + ["--no-run", "--image-name", first, repo.path])
        try #require(firstBuild.status == 0, "first build failed:\n\(firstBuild.stderr)")

        let readme = try String(contentsOfFile: repo.absolutePath("README.md"), encoding: .utf8)
        try repo.write("README.md", readme + "\nEdited after the first build.\n")
        // A later commit time too: the unchanged environment files must still hit the cache.
        let secondSHA = try repo.commit(message: "edit the README", time: firstTime + 500)
        let second = Self.imageName("layers/" + fixture, tag: secondSHA)
        defer { DaemonAPI.removeImageKeepingCache(second) }
        let secondBuild = try swiftR2D(Self.common + ["--no-run", "--image-name", second, repo.path])
        try #require(secondBuild.status == 0, "second build failed:\n\(secondBuild.stderr)")

        // How many layer-making instructions start at the full copy `COPY … src/ …`: only those may differ.
        let dockerfile = try swiftR2D(Self.common + ["--no-build", repo.path])
        try #require(dockerfile.status == 0, "\(dockerfile.stderr)")
        let instructions = dockerfile.stdout.split(separator: "\n").map(String.init)
        let fullCopy = try #require(
            instructions.firstIndex { line in
                line.hasPrefix("COPY ") && line.split(separator: " ").contains("src/")
            }, "no full repository copy in:\n\(dockerfile.stdout)")
        let layerMakers = instructions[fullCopy...].filter { $0.hasPrefix("RUN ") || $0.hasPrefix("COPY ") || $0.hasPrefix("ADD ") }
        #expect(
            instructions[..<fullCopy].contains { $0.contains(environmentFile) },
            "\(environmentFile) must be installed before the full copy (preassemble)")

        let before = try DaemonAPI.layers(first)
        let after = try DaemonAPI.layers(second)
        #expect(before.count == after.count && before.count > layerMakers.count)
        let shared = zip(before, after).prefix { $0 == $1 }.count
        #expect(
            shared >= before.count - layerMakers.count,
            "only \(shared) of \(before.count) layers shared; \(layerMakers.count) may differ:\n\(layerMakers.joined(separator: "\n"))")
        #expect(shared < after.count, "the edited README must change the full-copy layer")
    }

    /// Fixtures/uv/lock-conflict locks jsonschema 4.17.3, below jupyter-events' `jsonschema>=4.18.0`: the install step
    /// after `uv sync` fails with one line naming the requirement, the locked version and the stack's version it
    /// replaced, and no image is tagged.
    @Test("a uv.lock that breaks a requirement of the Jupyter stack stops the build with one line")
    func jupyterConflict() async throws {
        let (repo, sha) = try TemporaryGitRepository.fromFixture("uv/lock-conflict", time: Self.uniqueCommitTime())
        defer { repo.remove() }
        let image = Self.imageName("uv/lock-conflict", tag: sha)
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let result = try swiftR2D(Self.common + ["--no-run", "--image-name", image, repo.path])
        let output = result.stdout + result.stderr
        #expect(result.status != 0, "the build must fail\n\(output.suffix(3000))")
        let line = try #require(
            output.split(whereSeparator: \.isNewline).first {
                $0.contains("uv.lock conflicts with the Jupyter stack of the notebook environment: The package")
            },
            "\(output.suffix(3000))")
        #expect(
            line.contains(
                "uv.lock conflicts with the Jupyter stack of the notebook environment: The package `jupyter-events` requires `jsonschema[format-nongpl]>=4.18.0`, but `4.17.3` is installed (the Jupyter stack's versions it replaced: "
            ), "\(line)")
        #expect(line.contains("jsonschema ") && line.contains(" → 4.17.3"), "both versions in the one line: \(line)")
        #expect(output.contains("uv.lock replaces"), "the note naming both versions comes first")
        #expect(try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(image))/json").0 == 404, "no image may be tagged")
    }

    /// Runs `command` in `image` as root (through the image's entrypoint, as repo2docker's check-tmp does).
    static func runAsRoot(image: String, command: [String]) async throws -> (Int32, [String]) {
        let client = try EngineClient(endpoint: .unixSocket(socketPath))
        let lines = LineCollector()
        do {
            let code = try await client.runContainer(RunOptions(image: image, command: command, user: "root")) { _, line in
                lines.append(line)
            }
            await client.shutdown()
            return (code, lines.all)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// A TCP port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonAPI.Failure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw DaemonAPI.Failure("could not bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Output lines of a container, collected from the engine's callback.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

/// Engine API calls EngineClient does not offer (layer lists, ancestor filters, untag without prune), via curl.
enum DaemonAPI {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func request(_ method: String, _ path: String) throws -> (Int, Data) {
        let result = try runProgram(
            "/usr/bin/curl",
            [
                "-sS", "--unix-socket", GeneratedEnvironmentTests.socketPath, "-X", method, "-w", "\n%{http_code}",
                "http://localhost/v1.41" + path,
            ])
        guard result.status == 0, let newline = result.stdout.lastIndex(of: "\n"),
            let status = Int(result.stdout[result.stdout.index(after: newline)...])
        else {
            throw Failure("curl \(method) \(path) failed: \(result.stderr)")
        }
        return (status, Data(result.stdout[..<newline].utf8))
    }

    static func escaped(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? component
    }

    /// The image's `RootFS.Layers` (diff IDs), base first.
    static func layers(_ image: String) throws -> [String] {
        let (status, body) = try request("GET", "/images/\(escaped(image))/json")
        guard status == 200, let json = try JSONSerialization.jsonObject(with: body) as? [String: Any],
            let rootFS = json["RootFS"] as? [String: Any], let layers = rootFS["Layers"] as? [String]
        else {
            throw Failure("inspecting \(image) gave HTTP \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return layers
    }

    /// IDs of all containers (running or not) created from `image`.
    static func containers(ancestor image: String) throws -> [String] {
        let filter = escaped("{\"ancestor\":[\"\(image)\"]}")
        let (status, body) = try request("GET", "/containers/json?all=1&filters=\(filter)")
        guard status == 200, let list = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] else {
            throw Failure("listing containers gave HTTP \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return list.compactMap { $0["Id"] as? String }
    }

    /// Removes the tag but keeps its untagged parents: the classic builder's layer cache lives in them, and every
    /// fixture shares the expensive Jupyter layers (repo2docker's BuildKit keeps its cache apart from images too).
    static func removeImageKeepingCache(_ image: String) {
        _ = try? request("DELETE", "/images/\(escaped(image))?force=1&noprune=1")
    }
}
