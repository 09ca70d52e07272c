import Logging

/// What `--debug` shows of swift-r2d's own HTTP traffic: each request with its route (direct, or the proxy it
/// goes through, and whether it is TLS), each answer's status and redirect target, and AsyncHTTPClient's own
/// connection events. Off, it costs nothing. Messages carry URLs, never headers or bodies; the sink the caller
/// gives redacts what URLs may hold.
public struct NetworkTrace: Sendable {
    /// The logger handed to AsyncHTTPClient (its connection pool's events), and used for the lines below.
    public let logger: Logger

    /// No tracing.
    public static let off = NetworkTrace(logger: Logger(label: "swift-r2d.http") { _ in SwiftLogNoOpLogHandler() })

    public init(logger: Logger) {
        self.logger = logger
    }

    /// A trace whose lines go to `sink` (one line each, without its newline), at debug level.
    public static func lines(_ sink: @escaping @Sendable (String) -> Void) -> NetworkTrace {
        var logger = Logger(label: "swift-r2d.http") { _ in LineLogHandler(sink: sink) }
        logger.logLevel = .debug
        return NetworkTrace(logger: logger)
    }

    /// "GET https://zenodo.org/… (TLS, through the proxy http://proxy:3128)".
    public func request(_ method: String, _ url: String, proxy: ProxyServer?) {
        logger.debug("\(method) \(url) (\(Self.route(url: url, proxy: proxy)))")
    }

    /// "→ HTTP 302, to https://…".
    public func answer(_ status: UInt, location: String? = nil) {
        logger.debug("→ HTTP \(status)\(location.map { ", to \($0)" } ?? "")")
    }

    static func route(url: String, proxy: ProxyServer?) -> String {
        let tls = url.lowercased().hasPrefix("https://") ? "TLS, " : ""
        guard let proxy else { return tls + "direct" }
        return tls + "through the proxy \(proxy)"
    }
}

/// A swift-log handler writing "message key=value …" lines to a closure.
struct LineLogHandler: LogHandler {
    let sink: @Sendable (String) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let shownKeys: Set<String> = ["ahc-connection-id", "ahc-error"]

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        // AsyncHTTPClient also attaches its event loop's and pool key's internals; the connection and the
        // error are what a reader follows.
        let details = merged.filter { Self.shownKeys.contains($0.key) }.sorted { $0.key < $1.key }
            .map { " \($0.key)=\($0.value)" }.joined()
        sink("\(event.message)\(details)")
    }
}
