import Foundation
import R2DGit
import R2DTestSupport
import Testing

/// An HTTP server on 127.0.0.1 (Python's http.server) that answers every request with 401 and logs the
/// Authorization header it got, so the credential callback's give-up rule can be observed.
final class RejectingHTTPServer {
    let process: Process
    let port: Int
    /// The request log is a file, not a pipe: a pipe's end can leak into other tests' child processes and delay EOF.
    private let logPath: String

    static let script = """
        import http.server, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with open(sys.argv[1], "a") as log:
                    log.write("request %s\\n" % self.headers.get("Authorization", "-"))
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="test"')
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    init() throws {
        logPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("r2d-http-\(UUID().uuidString).log")
        (process, port) = try LoopbackPythonServer.launch(script: Self.script, arguments: [logPath])
    }

    /// Stops the server and returns the Authorization header of every request ("-" when absent).
    func stop() -> [String] {
        // SIGKILL: the child may inherit a signal mask that blocks SIGTERM from the test runner's thread.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return log.split(separator: "\n").filter { $0.hasPrefix("request ") }.map { String($0.dropFirst("request ".count)) }
    }
}

@Suite("Git.cloneAndCheckout over http with rejected credentials")
struct GitAuthenticationTests {
    @Test("rejected credentials are offered a few times, then authenticationFailed without the secret")
    func rejectedCredentials() throws {
        let server = try RejectingHTTPServer()
        let target = try CloneTarget()
        defer { target.cleanup() }
        let url = "http://127.0.0.1:\(server.port)/org/repo.git"

        let error = #expect(throws: GitError.self) {
            try Git.cloneAndCheckout(
                url: url, into: target.path, ref: nil,
                credentials: GitCredentials(username: "user", password: "s3cret-token"), progress: nil)
        }
        let requests = server.stop()

        #expect(error == .authenticationFailed(url: url))
        #expect(error?.description.contains("s3cret") == false)
        // One unauthenticated probe, then each offer of the credentials; never an endless loop.
        let offered = requests.filter { $0 != "-" }
        #expect(!offered.isEmpty)
        #expect(offered.count <= 3)
        #expect(offered.allSatisfy { $0 == "Basic " + Data("user:s3cret-token".utf8).base64EncodedString() })
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test("no credentials: authenticationFailed, and credentials in the URL are redacted")
    func noCredentials() throws {
        let server = try RejectingHTTPServer()
        defer { _ = server.stop() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let error = #expect(throws: GitError.self) {
            try Git.cloneAndCheckout(
                url: "http://127.0.0.1:\(server.port)/org/repo.git", into: target.path, ref: nil, credentials: nil, progress: nil)
        }
        #expect(error == .authenticationFailed(url: "http://127.0.0.1:\(server.port)/org/repo.git"))

        let withInlineSecret = try #require(
            #expect(throws: GitError.self) {
                try Git.cloneAndCheckout(
                    url: "http://user:inline-secret@127.0.0.1:\(server.port)/org/repo.git", into: target.path, ref: nil,
                    credentials: nil, progress: nil)
            })
        #expect(!withInlineSecret.description.contains("inline-secret"))
    }
}
