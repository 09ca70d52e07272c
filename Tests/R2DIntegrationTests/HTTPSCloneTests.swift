import Foundation
import R2DTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// End to end over real HTTPS: a private CA made with the openssl CLI, `git http-backend` behind
/// Support/git-https-server.py, and the swift-r2d binary as a subprocess (so libgit2 reads our SSL_CERT_FILE).
/// A server that does not start fails the tests.
@Suite("Cloning over HTTPS with a private CA and GIT_CREDENTIAL_ENV", .serialized)
struct HTTPSCloneTests {
    static let user = "alice"
    static let password = "s3cr3t-token"
    static let wrongPassword = "wr0ng-passw0rd"
    /// BinderHub's format, with a literal backslash-n between the two fields.
    static let credentialEnv = "username=\(user)\\npassword=\(password)"
    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    @Test("detect trusts the CA from SSL_CERT_FILE and fails in one line without it")
    func certificateAuthority() throws {
        let site = try HTTPSGitSite(requireAuth: false)
        defer { site.close() }

        let trusted = try swiftR2D(["detect", "--json", site.url], ["SSL_CERT_FILE": site.caFile])
        #expect(trusted.result.status == 0, "stderr: \(trusted.result.stderr)\nserver log: \(site.serverLog())")
        #expect(buildpack(in: trusted.result.stdout) == "docker", "stdout: \(trusted.result.stdout)")

        let untrusted = try swiftR2D(["detect", "--json", site.url], ["SSL_CERT_FILE": Self.systemBundle])
        #expect(
            untrusted.result.status != 0 && untrusted.result.status != Self.timeoutStatus,
            "status \(untrusted.result.status), stderr: \(untrusted.result.stderr)")
        #expect(untrusted.elapsed < .seconds(60))
        let lines = untrusted.result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(untrusted.result.stderr)")
        #expect(untrusted.result.stderr.lowercased().contains("certificate"), "stderr: \(untrusted.result.stderr)")
        #expect(untrusted.result.stdout.isEmpty, "stdout: \(untrusted.result.stdout)")
    }

    @Test("a private repository needs GIT_CREDENTIAL_ENV, is bounded on a wrong password, and never prints it")
    func credentials() throws {
        let site = try HTTPSGitSite(requireAuth: true)
        defer { site.close() }
        let ca = ["SSL_CERT_FILE": site.caFile]

        let anonymous = try swiftR2D(["detect", "--json", site.url], ca)
        #expect(
            anonymous.result.status != 0 && anonymous.result.status != Self.timeoutStatus,
            "status \(anonymous.result.status), stderr: \(anonymous.result.stderr)")
        #expect(anonymous.result.stderr.contains("Authentication failed"), "stderr: \(anonymous.result.stderr)")
        #expect(anonymous.result.stderr.contains("GIT_CREDENTIAL_ENV"), "stderr: \(anonymous.result.stderr)")

        let authorised = try swiftR2D(["detect", "--json", site.url], ca.merging(["GIT_CREDENTIAL_ENV": Self.credentialEnv]) { $1 })
        #expect(authorised.result.status == 0, "stderr: \(authorised.result.stderr)\nserver log: \(site.serverLog())")
        #expect(buildpack(in: authorised.result.stdout) == "docker", "stdout: \(authorised.result.stdout)")

        let wrong = try swiftR2D(
            ["detect", "--json", site.url],
            ca.merging(["GIT_CREDENTIAL_ENV": "username=\(Self.user)\\npassword=\(Self.wrongPassword)"]) { $1 })
        #expect(
            wrong.result.status != 0 && wrong.result.status != Self.timeoutStatus,
            "status \(wrong.result.status), stderr: \(wrong.result.stderr)")
        #expect(wrong.elapsed < .seconds(60), "took \(wrong.elapsed)")  // bounded, not timed: no retry loop
        #expect(wrong.result.stderr.contains("Authentication failed"), "stderr: \(wrong.result.stderr)")

        // Credentials in the URL itself: the URL is echoed ("Cloning …") and must come out redacted.
        let inURL = site.url.replacingOccurrences(of: "https://", with: "https://\(Self.user):\(Self.password)@")
        let userinfo = try swiftR2D(["build", "--no-build", inURL], ca)
        #expect(userinfo.result.status == 0, "stderr: \(userinfo.result.stderr)")

        for (name, run) in [("anonymous", anonymous), ("authorised", authorised), ("wrong", wrong), ("userinfo", userinfo)] {
            for secret in [Self.password, Self.wrongPassword] {
                // Booleans first, so a failure report does not print the secret again.
                let inStdout = run.result.stdout.contains(secret), inStderr = run.result.stderr.contains(secret)
                #expect(!inStdout, "\(name): stdout shows a password")
                #expect(!inStderr, "\(name): stderr shows a password")
            }
        }
    }

    @Test("build --no-build --ref <sha> over https with credentials prints that commit's Dockerfile")
    func buildAtRef() throws {
        let site = try HTTPSGitSite(requireAuth: true)
        defer { site.close() }
        let run = try swiftR2D(
            ["build", "--no-build", "--ref", site.fixtureCommit, site.url],
            ["SSL_CERT_FILE": site.caFile, "GIT_CREDENTIAL_ENV": Self.credentialEnv])
        #expect(run.result.status == 0, "stderr: \(run.result.stderr)\nserver log: \(site.serverLog())")
        let dockerfile = try String(contentsOfFile: ProjectPaths.fixture("dockerfile/simple") + "/Dockerfile", encoding: .utf8)
        #expect(
            run.result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == dockerfile.trimmingCharacters(in: .whitespacesAndNewlines), "stdout: \(run.result.stdout)")
        #expect(!run.result.stdout.contains(HTTPSGitSite.laterCommitMarker))
        #expect(run.result.stderr.contains("HEAD is now at \(site.fixtureCommit)"), "stderr: \(run.result.stderr)")
        let leaked = run.result.stdout.contains(Self.password) || run.result.stderr.contains(Self.password)
        #expect(!leaked, "the output shows the password")
    }

    // MARK: - Helpers

    /// `timeout`'s status when it had to stop the command.
    static let timeoutStatus: Int32 = 124

    /// Variables of the test's own environment that would change what libgit2 does (credentials, proxies).
    static let isolatedVariables = [
        "GIT_CREDENTIAL_ENV", "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY",
        "all_proxy", "ALL_PROXY",
    ]

    /// Runs the swift-r2d binary under `timeout` (a hang fails instead of blocking the suite), with `environment`
    /// added and the isolated variables not given in it removed.
    func swiftR2D(_ arguments: [String], _ environment: [String: String]) throws -> (result: ProgramResult, elapsed: Duration) {
        let unset = Self.isolatedVariables.filter { environment[$0] == nil }.flatMap { ["-u", $0] }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try runProgram(
            "/usr/bin/env", unset + ["timeout", "-k", "5", "120", ProjectPaths.binary] + arguments,
            environment: environment)
        return (result, start.duration(to: clock.now))
    }

    /// The "buildpack" of `detect --json` output, or nil if it is not that JSON.
    func buildpack(in stdout: String) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return object?["buildpack"] as? String
    }
}

/// Why the HTTPS test site could not be set up.
struct HTTPSSiteSetupError: Error, CustomStringConvertible {
    var description: String
}

/// A temporary CA and server certificate, a bare repository of `dockerfile/simple` (plus a later commit), and
/// git-https-server.py serving it on 127.0.0.1. Call `close()` when done.
final class HTTPSGitSite {
    static let script = ProjectPaths.root + "/Tests/R2DIntegrationTests/Support/git-https-server.py"
    /// Added to the Dockerfile by the commit after the fixture's, so a checkout at the fixture commit lacks it.
    static let laterCommitMarker = "# later commit"

    let directory: String
    let caFile: String
    /// The fixture's commit (HEAD is one commit later).
    private(set) var fixtureCommit = ""
    private(set) var port = 0
    private var server: Process?
    private let logFile: String

    var url: String { "https://127.0.0.1:\(port)/repo.git" }

    init(requireAuth: Bool) throws {
        directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-https-")
        caFile = directory + "/ca.pem"
        logFile = directory + "/server.log"
        do {
            try Self.makeCertificates(in: directory)
            fixtureCommit = try Self.makeBareRepository(at: directory + "/root/repo.git")
            try start(requireAuth: requireAuth)
        } catch {
            close()
            throw error
        }
    }

    /// Stops the server and removes every file.
    func close() {
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        server = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the server wrote to stderr so far (request lines, http-backend messages), for failure messages.
    func serverLog() -> String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    private func start(requireAuth: Bool) throws {
        guard FileManager.default.createFile(atPath: logFile, contents: nil),
            let log = FileHandle(forWritingAtPath: logFile)
        else {
            throw HTTPSSiteSetupError(description: "cannot write the server log \(logFile)")
        }
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            "python3", Self.script, "--root", directory + "/root",
            "--cert", directory + "/server.pem", "--key", directory + "/server.key",
        ]
        if requireAuth { arguments += ["--user", HTTPSCloneTests.user, "--password", HTTPSCloneTests.password] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        server = process
        try? output.fileHandleForWriting.close()

        let line = Self.readFirstLine(of: output.fileHandleForReading.fileDescriptor, timeout: .seconds(60))
        guard let line, let port = Int(line.trimmingCharacters(in: .whitespaces)), port > 0 else {
            throw HTTPSSiteSetupError(
                description: "git-https-server.py did not report a port (got \(line.map { "\"\($0)\"" } ?? "nothing")); log: \(serverLog())"
            )
        }
        self.port = port
    }

    /// The first line `descriptor` yields, or nil on end of file or after `timeout`.
    private static func readFirstLine(of descriptor: Int32, timeout: Duration) -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var buffer: [UInt8] = []
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: buffer[..<newline], as: UTF8.self)
            }
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { return nil }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + 1)
            let ready = poll(&request, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { return nil }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer += chunk[..<count]
        }
    }

    private static func makeCertificates(in directory: String) throws {
        try TestCertificates.make(in: directory)
    }

    /// `git clone --bare` of the fixture repository with one more commit on top; returns the fixture commit.
    private static func makeBareRepository(at path: String) throws -> String {
        let (repo, sha) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let dockerfile = try String(contentsOfFile: repo.absolutePath("Dockerfile"), encoding: .utf8)
        try repo.write("Dockerfile", dockerfile + laterCommitMarker + "\n")
        try repo.commit(message: "later", time: 1_700_000_100)
        try tool(["git", "clone", "--quiet", "--bare", repo.path, path])
        return sha
    }

    /// Runs a tool found on PATH; throws with its stderr if it fails.
    private static func tool(_ arguments: [String]) throws {
        let result = try runProgram("/usr/bin/env", arguments)
        guard result.status == 0 else {
            throw HTTPSSiteSetupError(
                description: "\(arguments.prefix(2).joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
    }
}
