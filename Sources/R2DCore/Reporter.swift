import Foundation
import Synchronization

/// repo2docker's log phases, as BinderHub reads them.
public enum Phase: String, Sendable, Encodable {
    case fetching, building, pushing, running, failed
}

/// Where every user-facing line goes. Plain mode writes the text as is (messages carry their own newlines);
/// `--json-logs` mode writes one `{"message": …, "phase": …}` object per line and nothing else.
public final class Reporter: Sendable {
    public let json: Bool
    public let debugEnabled: Bool
    private let sink: @Sendable (String) -> Void
    private let lock = Mutex(())

    /// `sink` receives complete output (a line of JSON with its newline, or plain text). Defaults to stderr.
    public init(json: Bool, debug: Bool, sink: (@Sendable (String) -> Void)? = nil) {
        self.json = json
        self.debugEnabled = debug
        self.sink = sink ?? { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    public func log(_ message: String, phase: Phase? = nil) {
        let text = json ? Self.jsonLine(message: message, phase: phase) : message
        lock.withLock { _ in sink(text) }
    }

    public func debug(_ message: String, phase: Phase? = nil) {
        if debugEnabled { log(message, phase: phase) }
    }

    /// The final line of a failed run: the error's one-line description.
    public func failure(_ message: String) {
        log(message.hasSuffix("\n") ? message : message + "\n", phase: .failed)
    }

    private struct Line: Encodable {
        let message: String
        let phase: Phase?
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    static func jsonLine(message: String, phase: Phase?) -> String {
        guard let data = try? encoder.encode(Line(message: message, phase: phase)) else {
            return "{\"message\": \"(unencodable log message)\\n\"}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
