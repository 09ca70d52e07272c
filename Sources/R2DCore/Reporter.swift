import Foundation
import R2DRedaction
import Synchronization

/// repo2docker's log phases, as BinderHub reads them.
public enum Phase: String, Sendable, Encodable {
    case fetching, building, pushing, running, failed
}

/// Where every user-facing line goes. Plain mode writes the text as is (messages carry their own newlines);
/// `--json-logs` mode writes one `{"message": …, "phase": …}` object per line and nothing else.
/// Every message is redacted (`Redaction`) here, before it is encoded, so no caller can print a secret by
/// forgetting to, and no sink ever receives one.
public final class Reporter: Sendable {
    public let json: Bool
    public let debugEnabled: Bool
    private let sink: @Sendable (String) -> Void
    private let lock = Mutex(())

    /// `sink` receives complete, redacted output (a line of JSON with its newline, or plain text). Defaults
    /// to stderr, where a failed write is recorded (`StandardStream.error.failure`) for the exit status.
    public init(json: Bool, debug: Bool, sink: (@Sendable (String) -> Void)? = nil) {
        self.json = json
        self.debugEnabled = debug
        self.sink = sink ?? { text in StandardStream.error.write(text) }
    }

    public func log(_ message: String, phase: Phase? = nil) {
        let message = Redaction.redactingCredentials(in: message)
        let text = json ? Self.jsonLine(message: message, phase: phase) : message
        lock.withLock { _ in sink(text) }
    }

    public func debug(_ message: String, phase: Phase? = nil) {
        if debugEnabled { log(message, phase: phase) }
    }

    /// The final line of a failed run: the error's one-line description (line breaks inside it become spaces,
    /// so a multi-line message from a daemon or library still ends the run in one line).
    public func failure(_ message: String) {
        log(message.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n", phase: .failed)
    }

    /// repo2docker's push progress line: `progress` maps each layer to its byte counts (or its status) and
    /// `layers` to the daemon's last event for it. Plain mode writes one summary line instead.
    public func pushProgress(_ layers: [String: LayerEvent]) {
        if json {
            // A layer's status is the daemon's text, which can name the registry's URL.
            let layers = layers.mapValues { $0.redacted() }
            let line = Line(
                message: "Pushing image\n", phase: .pushing,
                progress: layers.mapValues { $0.progressDetail.map(ProgressValue.detail) ?? .status($0.status) },
                layers: layers)
            let text =
                (try? Self.encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) + "\n" }
                ?? Self.jsonLine(message: "Pushing image\n", phase: .pushing)
            lock.withLock { _ in sink(text) }
        } else {
            let done = layers.values.filter { ["Pushed", "Layer already exists", "Mounted from"].contains(where: $0.status.hasPrefix) }
                .count
            let bytes = layers.values.compactMap { $0.progressDetail?.current }.reduce(0, +)
            log("Pushing image: \(done)/\(layers.count) layers done, \(bytes / 1_000_000) MB sent\n", phase: .pushing)
        }
    }

    /// The daemon's last event for one layer.
    public struct LayerEvent: Sendable, Encodable, Equatable {
        public struct Detail: Sendable, Encodable, Equatable {
            public var current: Int64?
            public var total: Int64?
        }
        public var id: String
        public var status: String
        public var progressDetail: Detail?

        public init(id: String, status: String, current: Int64?, total: Int64?) {
            self.id = id
            self.status = status
            progressDetail = current == nil && total == nil ? nil : Detail(current: current, total: total)
        }

        func redacted() -> LayerEvent {
            var event = self
            event.id = Redaction.redactingCredentials(in: id)
            event.status = Redaction.redactingCredentials(in: status)
            return event
        }
    }

    enum ProgressValue: Encodable {
        case detail(LayerEvent.Detail)
        case status(String)
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .detail(let detail): try container.encode(detail)
            case .status(let status): try container.encode(status)
            }
        }
    }

    private struct Line: Encodable {
        let message: String
        let phase: Phase?
        var progress: [String: ProgressValue]? = nil
        var layers: [String: LayerEvent]? = nil
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
