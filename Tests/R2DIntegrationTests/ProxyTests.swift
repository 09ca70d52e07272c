import Foundation
import R2DTestSupport
import Testing

/// The real binary with HTTPS_PROXY / HTTP_PROXY naming a loopback proxy that records what it is asked to carry
/// (Support/recording-proxy.py) and forwards nothing: every HTTP client of swift-r2d's own (a data repository,
/// the DOI resolver, a tcp engine, the registry check) asks it for its host (AsyncHTTPClient tunnels plain HTTP
/// with CONNECT too), NO_PROXY sends a host past it, and
/// the password in the proxy URL is never printed. The hosts are under .invalid, so nothing leaves the machine.
@Suite("Proxies", .serialized)
struct ProxyTests {
    static let password = "pr0xy-pw-\(UInt32.random(in: 100_000...999_999))"

    /// Every proxy variable, both cases, so the caller's own never leak in.
    static func environment(proxyPort: Int, extra: [String: String] = [:]) -> [String: String] {
        var environment = ["DOCKER_HOST": "unix:///nonexistent/r2d-no-engine.sock"]
        for name in ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY"] {
            environment[name] = ""
            environment[name.lowercased()] = ""
        }
        environment["HTTPS_PROXY"] = "http://r2d:\(password)@127.0.0.1:\(proxyPort)"
        environment["http_proxy"] = "127.0.0.1:\(proxyPort)"
        return environment.merging(extra) { $1 }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var extraEnvironment: [String: String] = [:]
        /// The proxy log line expected, or nil when the request must go past the proxy.
        var expected: String?
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "Zenodo over TLS is tunnelled with the proxy's credentials",
            arguments: ["--no-build", "--zenodo-url", "https://zenodo.invalid", "https://zenodo.invalid/records/1"],
            expected: "CONNECT zenodo.invalid:443 auth=yes"),
        Case(
            name: "a plain-HTTP DOI resolver goes through HTTP_PROXY",
            arguments: ["--no-build", "--doi-resolver-url", "http://doi.invalid", "doi:10.5281/zenodo.1"],
            expected: "CONNECT doi.invalid:80 auth=no"),
        Case(
            name: "NO_PROXY sends the host past the proxy",
            arguments: ["--no-build", "--zenodo-url", "https://zenodo.invalid", "https://zenodo.invalid/records/1"],
            extraEnvironment: ["no_proxy": "example.org,.invalid"], expected: nil),
        Case(
            name: "a tcp engine goes through HTTP_PROXY",
            arguments: ["--no-run", "--no-clean"], extraEnvironment: ["DOCKER_HOST": "tcp://engine.invalid:2375"],
            expected: "CONNECT engine.invalid:2375 auth=no"),
    ]

    @Test(arguments: cases)
    func clientGoesThroughTheProxy(_ test: Case) throws {
        let proxy = try RecordingProxy()
        defer { proxy.close() }
        let (repository, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repository.remove() }
        var arguments = ["build", "--user-id", "1000", "--user-name", "jovyan"] + test.arguments
        if !arguments.contains(where: { $0.hasPrefix("https://") || $0.hasPrefix("doi:") }) {
            arguments.append(repository.path)
        }
        let result = try runProgram(
            ProjectPaths.binary, arguments,
            environment: Self.environment(proxyPort: proxy.port, extra: test.extraEnvironment))
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let log = proxy.requests()
        if let expected = test.expected {
            #expect(log.contains(expected), "proxy log: \(log); output: \(result.stderr)")
        } else {
            #expect(log.isEmpty, "proxy log: \(log)")
            #expect(result.stderr.contains("does not resolve"), "\(result.stderr)")
        }
        #expect(!(result.stdout + result.stderr).contains(Self.password))
        #expect(!result.stderr.contains("Fatal error"))
        // A proxy that will not connect is not worth another attempt, and is said in words.
        #expect(!result.stderr.contains("retrying") && !result.stderr.contains("HTTPClientError"), "\(result.stderr)")
        #expect(log.count <= 1, "proxy log: \(log)")
    }

    @Test("the registry check of --push goes through HTTPS_PROXY; the build itself is not proxied")
    func registryCheck() throws {
        let proxy = try RecordingProxy()
        defer { proxy.close() }
        let (repository, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repository.remove() }
        let image = "registry.invalid:5000/r2d-proxy-\(UInt32.random(in: 100_000...999_999)):1"
        defer { _ = try? runProgram("/usr/bin/docker", ["rmi", "-f", image]) }
        var environment = Self.environment(proxyPort: proxy.port)
        environment["DOCKER_HOST"] = "unix:///var/run/docker.sock"
        let result = try runProgram(
            ProjectPaths.binary,
            [
                "build", "--user-id", "1000", "--user-name", "jovyan", "--no-run", "--push", "--image-name", image, "--network", "host",
                repository.path,
            ],
            environment: environment)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(proxy.requests().contains("CONNECT registry.invalid:5000 auth=yes"), "\(proxy.requests()); \(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(Self.password))
    }

    @Test("--debug traces each request with its route, and never the proxy's password")
    func debugTrace() throws {
        let proxy = try RecordingProxy()
        defer { proxy.close() }
        let arguments = ["build", "--no-build", "--zenodo-url", "https://zenodo.invalid", "https://zenodo.invalid/records/1"]
        let environment = Self.environment(proxyPort: proxy.port)
        let traced = try runProgram(ProjectPaths.binary, ["build", "--debug"] + arguments.dropFirst(), environment: environment)
        let route = "http: GET https://zenodo.invalid/api/records/1 (TLS, through the proxy http://127.0.0.1:\(proxy.port))"
        #expect(traced.stderr.contains(route), "\(traced.stderr)")
        #expect(traced.stderr.contains("ahc-error="), "\(traced.stderr)")
        #expect(!traced.stderr.contains(Self.password) && !traced.stderr.contains("SelectableEventLoop"))
        let quiet = try runProgram(ProjectPaths.binary, arguments, environment: environment)
        #expect(!quiet.stderr.contains("http: "), "\(quiet.stderr)")
    }

    @Test("config.json's proxies reach RUN steps as predefined build arguments, never the image", arguments: ["classic", "buildkit"])
    func configProxiesReachRunStepsOnly(backend: String) throws {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-proxy-config-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let proxyURL = "http://r2d:\(Self.password)@proxy.invalid:3128"
        let config = #"{"proxies": {"default": {"httpProxy": "\#(proxyURL)", "noProxy": "internal.invalid"}}}"#
        try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/repo", withIntermediateDirectories: true)
        let dockerfile = """
            FROM swift-r2d/test-base:bookworm
            RUN case "$HTTP_PROXY $http_proxy $NO_PROXY" in "http://r2d:"*"@proxy."*":3128 http://r2d:"*"@proxy."*":3128 internal."*) ;; *) exit 1;; esac
            """
        try dockerfile.write(toFile: directory + "/repo/Dockerfile", atomically: true, encoding: .utf8)
        let image = "r2d-proxy-args:\(backend)-\(UInt32.random(in: 100_000...999_999))"
        defer { _ = try? runProgram("/usr/bin/docker", ["rmi", "-f", image]) }
        let result = try runProgram(
            ProjectPaths.binary,
            [
                "build", "--no-run", "--user-id", "1000", "--user-name", "jovyan", "--network", "host",
                "--build-backend", backend, "--image-name", image, directory + "/repo",
            ], environment: ["DOCKER_CONFIG": directory, "DOCKER_HOST": "unix:///var/run/docker.sock"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(Self.password))
        let history = try runProgram("/usr/bin/docker", ["history", "--no-trunc", image])
        let inspect = try runProgram("/usr/bin/docker", ["image", "inspect", image])
        #expect(history.status == 0 && inspect.status == 0)
        // The step's own text names no proxy: what it saw reached it as a build argument only.
        #expect(!(history.stdout + inspect.stdout).contains("proxy.invalid"), "\(history.stdout)")
        #expect(!(history.stdout + inspect.stdout).contains(Self.password))
    }

    @Test("an unusable proxy variable is one line naming it, without its value")
    func unusableProxy() throws {
        let result = try runProgram(
            ProjectPaths.binary, ["build", "--no-build", "."],
            environment: ["HTTPS_PROXY": "https://r2d:\(Self.password)@proxy.invalid:443"])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("HTTPS_PROXY cannot be used as a proxy"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.password))
    }
}

/// Support/recording-proxy.py on a loopback port. Call `close()` when done.
final class RecordingProxy {
    static let script = ProjectPaths.root + "/Tests/R2DIntegrationTests/Support/recording-proxy.py"
    let directory: String
    let port: Int
    private let process = Process()

    init() throws {
        directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-proxy-")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, directory + "/port", directory + "/requests.log"]
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !FileManager.default.fileExists(atPath: directory + "/port") { usleep(20_000) }
        guard let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8), let port = Int(text) else {
            kill(process.processIdentifier, SIGKILL)
            throw HTTPSSiteSetupError(description: "recording-proxy.py did not start")
        }
        self.port = port
    }

    /// The requests carried so far, one line each: "CONNECT host:port auth=yes".
    func requests() -> [String] {
        let text = (try? String(contentsOfFile: directory + "/requests.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    func close() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
