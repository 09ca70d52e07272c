import Foundation
import R2DCore
import Synchronization
import Testing

/// Collects what a reporter hands its sink.
final class SinkRecorder: Sendable {
    private let texts = Mutex<[String]>([])
    func append(_ text: String) { texts.withLock { $0.append(text) } }
    var all: String { texts.withLock { $0.joined() } }
    var lines: [String] { texts.withLock { $0 } }
}

@Suite("Reporter: no secret reaches the sink")
struct ReporterRedactionTests {
    static let secret = "hunter2-s3cret"
    /// Each form of secret the reporter may be handed, inside a message.
    static let messages: [String] = [
        "Cloning https://user:\(secret)@github.com/org/repo at ref main\n",
        "git clone of https://u:p@\(secret)@host/x failed: 401\n",
        "Fetching https://zenodo.org/api/records/1?access_token=\(secret) failed\n",
        "remote user:\(secret)@host:org/repo not found\n",
        "multi\nline https://x:\(secret)@h.example/y\nmessage",
    ]

    @Test("log, debug and failure, plain and JSON", arguments: [false, true])
    func messagesAreRedacted(json: Bool) throws {
        let recorder = SinkRecorder()
        let reporter = Reporter(json: json, debug: true) { recorder.append($0) }
        for message in Self.messages {
            reporter.log(message, phase: .fetching)
            reporter.debug(message)
            reporter.failure(message)
        }
        #expect(recorder.lines.count == Self.messages.count * 3)
        let leaked = recorder.all.contains(Self.secret)
        #expect(!leaked, "a secret reached the sink")
        #expect(recorder.all.contains("***"))
        #expect(recorder.all.contains("github.com/org/repo"), "redaction must keep the host and path")
        if json {
            for line in recorder.lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["message"] is String, "not a JSON log line: \(line)")
            }
        }
    }

    @Test("push progress: the daemon's status text is redacted too", arguments: [false, true])
    func pushProgressIsRedacted(json: Bool) {
        let recorder = SinkRecorder()
        let reporter = Reporter(json: json, debug: false) { recorder.append($0) }
        let status = "retrying in 5s: https://registry.example/v2/?token=\(Self.secret)"
        reporter.pushProgress(["layer1": .init(id: "layer1", status: status, current: nil, total: nil)])
        #expect(recorder.lines.count == 1)
        let leaked = recorder.all.contains(Self.secret)
        #expect(!leaked)
        if json { #expect(recorder.all.contains("token=***")) }
    }
}
