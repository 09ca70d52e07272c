import Foundation
import R2DEngine
import R2DRegistry
import R2DTestSupport
import Synchronization
import Testing
@testable import R2DCore

@Suite("Pushing: retries and progress lines")
struct ImagePusherTests {
    final class Lines: Sendable {
        let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    static let success =
        [
            #"{"status":"Preparing","progressDetail":{},"id":"l1"}"#,
            #"{"status":"Pushing","progressDetail":{"current":10,"total":20},"id":"l1"}"#,
            #"{"status":"Pushed","progressDetail":{},"id":"l1"}"#,
            #"{"progressDetail":{},"aux":{"Tag":"1","Digest":"sha256:ab","Size":1}}"#,
        ].joined(separator: "\n") + "\n"

    /// Runs a push against a stub engine that answers the push requests in turn with `streams`.
    func push(streams: [String]) async throws -> (Result<Void, any Error>, requests: Int, lines: [String]) {
        let calls = Mutex(0)
        let server = try await StubEngineServer.start { request in
            if request.path == "/_ping" { return .ping() }
            let index = calls.withLock { value -> Int in
                value += 1; return value - 1
            }
            return StubResponse(chunks: [Array(streams[min(index, streams.count - 1)].utf8)])
        }
        let client = try EngineClient(endpoint: .unixSocket(server.socketPath))
        let lines = Lines()
        let reporter = Reporter(json: true, debug: false) { lines.append($0) }
        let pusher = ImagePusher(
            engine: client, reporter: reporter,
            credentials: RegistryCredentialStore(environment: ["HOME": "/nonexistent"]),
            attempts: 3, progressInterval: .zero, retryDelay: .milliseconds(10))
        let result: Result<Void, any Error>
        do {
            try await pusher.push("127.0.0.1:5000/a/b:1")
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await client.shutdown()
        await server.stop()
        return (result, calls.withLock { $0 }, lines.all)
    }

    static func error(_ message: String) -> String {
        #"{"status":"Preparing","id":"l1"}"# + "\n" + #"{"errorDetail":{"message":"\#(message)"},"error":"\#(message)"}"# + "\n"
    }

    @Test func transientFailuresAreRetriedThenSucceed() async throws {
        let (result, requests, lines) = try await push(streams: [
            Self.error("Put http://127.0.0.1:5000/v2/: EOF"),
            Self.error("dial tcp 127.0.0.1:5000: connect: connection refused"),
            Self.success,
        ])
        #expect(throws: Never.self) { try result.get() }
        #expect(requests == 3)
        #expect(lines.filter { $0.contains("Push attempt") }.count == 2)
        #expect(lines.last == #"{"message":"Successfully pushed 127.0.0.1:5000/a/b:1\n","phase":"pushing"}"# + "\n")
        // repo2docker 2024.07's progress line: progress per layer and the daemon's events.
        let progress = try #require(
            lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .last { $0["progress"] != nil })
        #expect(progress["message"] as? String == "Pushing image\n")
        #expect(progress["phase"] as? String == "pushing")
        #expect((progress["layers"] as? [String: [String: Any]])?["l1"]?["status"] as? String == "Pushed")
    }

    @Test func attemptsAreBounded() async throws {
        let (result, requests, _) = try await push(streams: [Self.error("connection reset by peer")])
        #expect(requests == 3)
        #expect(throws: EngineError.pushFailed(message: "connection reset by peer")) { try result.get() }
    }

    @Test func authenticationFailuresAreNotRetried() async throws {
        let (result, requests, _) = try await push(streams: [Self.error("unauthorized: authentication required")])
        #expect(requests == 1)
        #expect(throws: EngineError.pushFailed(message: "unauthorized: authentication required")) { try result.get() }
    }
}
