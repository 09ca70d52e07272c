import Foundation
import R2DArchive
import R2DContentProviders
import R2DTestSupport
import Synchronization

/// A loopback HTTP server answering like the real services: routes map "METHOD path?query" (or a path
/// prefix ending in "*") to canned answers; the server's base URL is filled into `{base}` in the bodies.
final class FakeServices: Sendable {
    let server: StubEngineServer
    let base: String
    private let routes: RouteTable

    private init(server: StubEngineServer, routes: RouteTable) {
        self.server = server
        self.base = "http://" + server.socketPath
        self.routes = routes
    }

    static func start() async throws -> FakeServices {
        let routes = RouteTable()
        let server = try await StubEngineServer.startTCP { request in
            let key = request.method + " " + request.uri
            let table = routes.table.withLock { $0 }
            if let handler = table[key] { return handler(request) }
            return StubResponse(status: 404, chunks: [Array("not found: \(key)".utf8)])
        }
        return FakeServices(server: server, routes: routes)
    }

    func stop() async { await server.stop() }

    /// Answers `method uri` with a handler.
    func route(_ method: String = "GET", _ uri: String, _ handler: @escaping @Sendable (StubRequest) -> StubResponse) {
        routes.table.withLock { $0[method + " " + uri] = handler }
    }

    /// Answers with JSON, `{base}` replaced by the server's URL.
    func json(_ uri: String, _ text: String, method: String = "GET", status: Int = 200) {
        let body = text.replacingOccurrences(of: "{base}", with: base)
        route(method, uri) { _ in .json(body, status: status) }
    }

    /// Answers with bytes.
    func file(_ uri: String, _ bytes: [UInt8], contentType: String = "application/octet-stream") {
        route("GET", uri) { _ in StubResponse(status: 200, headers: [("Content-Type", contentType)], chunks: [bytes]) }
    }

    /// Requests received, as "METHOD uri".
    var received: [String] { server.requests.map { $0.method + " " + $0.uri } }

    /// Settings pointing every provider at this server, with short polls.
    func settings() -> ProviderSettings {
        var settings = ProviderSettings()
        settings.doiResolverURL = base + "/doi"
        settings.zenodoURL = base
        settings.figshareURL = base
        settings.figshareAPIURL = base + "/figshare-api/v2"
        settings.dataverseInstallationsURL = base + "/installations.json"
        settings.hydroshareURL = base
        settings.swhAPIURL = base + "/swh/api/1"
        settings.timeoutSeconds = 10
        settings.attempts = 2
        settings.retryDelaySeconds = 0.05
        settings.hydrosharePollSeconds = 0.05
        settings.hydroshareTimeLimitSeconds = 2
        settings.swhPollSeconds = 0.05
        settings.swhTimeLimitSeconds = 5
        return settings
    }

    /// A session on these settings that keeps its log.
    func session(_ settings: ProviderSettings? = nil, log: LogLines = LogLines()) -> ProviderSession {
        ProviderSession(settings: settings ?? self.settings()) { log.append($0) }
    }
}

final class RouteTable: Sendable {
    let table = Mutex<[String: @Sendable (StubRequest) -> StubResponse]>([:])
}

/// Collected log lines.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: String { lines.withLock { $0.joined() } }
}

/// A temporary directory with an `out` subdirectory; everything else in it is "outside".
struct Workspace {
    let root: String
    var out: String { root + "/out" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-providers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Every path under `out`, relative, sorted (directories included).
    func listing() -> [String] {
        (FileManager.default.subpaths(atPath: out) ?? []).sorted()
    }

    func read(_ relative: String) -> String? {
        (try? String(contentsOfFile: out + "/" + relative, encoding: .utf8))
    }
}
