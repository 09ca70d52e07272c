import Foundation
import R2DTestSupport
import Testing

/// The real binary against hosts that cannot be reached (a name under .invalid, a closed loopback port): the run
/// fails at once, in one line naming the host, and under --json-logs ends in exactly one `failed` line. No
/// request leaves the machine: .invalid never resolves, and the ports are loopback.
@Suite("Fast, clear network failures")
struct NetworkFailureTests {
    struct Timed {
        var result: ProgramResult
        var seconds: Double
    }

    func run(_ arguments: [String]) throws -> Timed {
        let start = Date()
        // A dry run never contacts an engine; DOCKER_HOST points nowhere all the same.
        let result = try runProgram(
            ProjectPaths.binary, ["build", "--no-build"] + arguments,
            environment: ["DOCKER_HOST": "unix:///nonexistent/r2d-no-engine.sock"])
        return Timed(result: result, seconds: Date().timeIntervalSince(start))
    }

    /// The JSON lines of a --json-logs run's stderr.
    static func jsonLines(_ stderr: String) -> [[String: Any]] {
        stderr.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// A loopback port nothing listens on.
    static func closedPort() throws -> Int { try GeneratedEnvironmentTests.freePort() }

    static let unresolvable: [(String, [String], String)] = [
        ("Zenodo", ["--zenodo-url", "https://zenodo.invalid", "https://zenodo.invalid/records/3242074"], "zenodo.invalid"),
        ("a DOI", ["--doi-resolver-url", "https://doi.invalid", "doi:10.5281/zenodo.3242074"], "doi.invalid"),
    ]

    @Test("an unresolvable provider host fails in under 10 s, in one line naming it", arguments: [0, 1])
    func unresolvableHost(_ index: Int) throws {
        let (what, arguments, host) = Self.unresolvable[index]
        let plain = try run(arguments)
        #expect(plain.result.status == 1, "\(what): \(plain.result.stderr)")
        #expect(plain.seconds < 10, "\(what) took \(plain.seconds) s")
        let last = plain.result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("the name \(host) does not resolve"), "\(what): \(plain.result.stderr)")
        #expect(!plain.result.stderr.contains("retrying"), "\(what): \(plain.result.stderr)")

        let json = try run(["--json-logs"] + arguments)
        #expect(json.result.status == 1 && json.seconds < 10)
        let lines = Self.jsonLines(json.result.stderr)
        #expect(lines.filter { $0["phase"] as? String == "failed" }.count == 1, "\(json.result.stderr)")
        #expect(lines.last?["phase"] as? String == "failed")
        #expect((lines.last?["message"] as? String)?.contains(host) == true)
    }

    @Test("a refused loopback connection fails at once, naming the address")
    func refusedConnection() throws {
        let root = "http://127.0.0.1:\(try Self.closedPort())"
        let plain = try run(["--zenodo-url", root, root + "/records/1"])
        #expect(plain.result.status == 1, "\(plain.result.stderr)")
        #expect(plain.seconds < 10, "took \(plain.seconds) s")
        let last = plain.result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains(root.dropFirst("http://".count) + " refused the connection"), "\(plain.result.stderr)")
        let json = try run(["--json-logs", "--zenodo-url", root, root + "/records/1"])
        let lines = Self.jsonLines(json.result.stderr)
        #expect(lines.filter { $0["phase"] as? String == "failed" }.count == 1 && lines.last?["phase"] as? String == "failed")
    }

    @Test("with no network at all (a namespace of the test's own), the default Zenodo and DOI settings fail within 10 s")
    func noNetwork() throws {
        for input in ["https://zenodo.org/records/3242074", "doi:10.5281/zenodo.3242074"] {
            let start = Date()
            // `unshare -n`: a new network namespace with only a loopback that is down; nothing can leave it.
            let result = try runProgram(
                "/usr/bin/unshare", ["-n", ProjectPaths.binary, "build", "--no-build", "--json-logs", input],
                environment: ["DOCKER_HOST": "unix:///nonexistent/r2d-no-engine.sock"])
            let seconds = Date().timeIntervalSince(start)
            #expect(result.status == 1, "\(input): \(result.stderr)")
            #expect(seconds < 10, "\(input) took \(seconds) s")
            let lines = Self.jsonLines(result.stderr)
            #expect(lines.filter { $0["phase"] as? String == "failed" }.count == 1 && lines.last?["phase"] as? String == "failed")
            #expect((lines.last?["message"] as? String)?.contains("does not resolve") == true, "\(result.stderr)")
        }
    }

    /// A loopback port whose accept queue is full (listen backlog 0, filled by connections never accepted): a new
    /// connection's SYN is dropped, so connecting hangs as it does to a host that does not answer.
    static let fullListener = """
        import socket, time
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        clients = []
        for _ in range(3):
            client = socket.socket()
            client.setblocking(False)
            try:
                client.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            clients.append(client)
        print(port, flush=True)
        time.sleep(60)
        """

    @Test("a server that never accepts the connection fails after --connect-timeout, without retries")
    func connectBudget() throws {
        let listener = try RunningProgram("/usr/bin/python3", ["-c", Self.fullListener])
        defer {
            listener.signal(SIGTERM)
            _ = listener.wait(timeout: .seconds(5))
        }
        let deadline = Date().addingTimeInterval(20)
        while Int(listener.output.trimmingCharacters(in: .whitespacesAndNewlines)) == nil && Date() < deadline { usleep(50_000) }
        let port = try #require(Int(listener.output.trimmingCharacters(in: .whitespacesAndNewlines)), "no port: \(listener.output)")
        let root = "http://127.0.0.1:\(port)"
        let timed = try run(["--connect-timeout", "2", "--zenodo-url", root, root + "/records/1"])
        #expect(timed.result.status == 1, "\(timed.result.stderr)")
        #expect(timed.seconds >= 2 && timed.seconds < 8, "took \(timed.seconds) s")
        let last = timed.result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("127.0.0.1:\(port) did not accept a connection within 2 s"), "\(timed.result.stderr)")
        #expect(!timed.result.stderr.contains("retrying"))
    }
}
