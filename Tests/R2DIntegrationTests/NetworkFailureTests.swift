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
}
