import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import R2DHTTP
import Synchronization

/// One fetch's shared state: the HTTP client, the settings, the log, and what detection already learnt
/// (a resolved DOI, the Dataverse installations) so that no provider asks twice.
public final class ProviderSession: Sendable {
    public let settings: ProviderSettings
    /// Receives progress lines (the CLI logs them in the `fetching` phase).
    let log: @Sendable (String) -> Void
    /// A direct client and one per proxy; each hop of a request takes the route its own host calls for.
    let clients: RoutedHTTPClients
    let doiCache = Mutex<[String: String]>([:])
    let installations = Mutex<Set<String>?>(nil)
    /// Every URL requested, in order (tests check that detection stays off the network).
    let requested = Mutex<[String]>([])
    /// `--max-repo-size` across every file this session downloads.
    public let budget: DownloadBudget

    public init(settings: ProviderSettings, trace: NetworkTrace = .off, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
        budget = DownloadBudget(limit: settings.maximumContentBytes)
        // A connection that cannot be made fails at once (no retries inside AsyncHTTPClient); ours are below.
        var configuration = HTTPClientSettings.configuration(
            connectTimeout: .seconds(min(settings.connectTimeoutSeconds, settings.timeoutSeconds)),
            readTimeout: .seconds(settings.timeoutSeconds))
        // Redirects are followed here, hop by hop, so that each host gets its own route (proxy or NO_PROXY).
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        clients = RoutedHTTPClients(configuration: configuration, proxies: settings.proxies, trace: trace)
    }

    /// Closes the HTTP client; call once when done.
    public func shutdown() async {
        await clients.shutdown()
    }

    /// The URLs requested so far.
    public var requestedURLs: [String] { requested.withLock { $0 } }

    static let userAgent = "swift-r2d (repo2docker-compatible)"

    /// An answer read into memory.
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var finalURL: String
    }

    /// Sends a request, retrying connection failures and 502/503/504 answers, and reads at most
    /// `limit` bytes of the answer.
    func send(
        _ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], input: String,
        limit: Int = 64 << 20
    ) async throws -> Response {
        try await withRetries(url: url, input: input) {
            let response = try await self.execute(url, method: method, headers: headers, deadline: true, input: input)
            var body: [UInt8] = []
            for try await buffer in response.body {
                body.append(contentsOf: buffer.readableBytesView)
                if body.count > limit {
                    throw ProviderError.unexpectedResponse(url: url, what: "an answer larger than \(limit) bytes", input: input)
                }
            }
            if [502, 503, 504].contains(Int(response.status.code)) {
                throw ProviderError.httpStatus(url: url, status: Int(response.status.code), input: input)
            }
            return Response(
                status: Int(response.status.code), headers: response.headers, body: body,
                finalURL: response.url?.absoluteString ?? url)
        }
    }

    /// GETs JSON; any status but 200 is an error.
    func json(_ url: String, headers: [(String, String)] = [], input: String) async throws -> JSONValue {
        let response = try await send(url, headers: [("Accept", "application/json")] + headers, input: input)
        guard response.status == 200 else { throw ProviderError.httpStatus(url: url, status: response.status, input: input) }
        return try decode(response, url: url, input: input)
    }

    func decode(_ response: Response, url: String, input: String) throws -> JSONValue {
        guard let value = try? JSONValue.parse(response.body) else {
            throw ProviderError.unexpectedResponse(url: url, what: "the answer is not JSON", input: input)
        }
        return value
    }

    /// Streams `url` into `path`, logging progress. `accept` sees the final URL (after redirects) and the
    /// Content-Type, and may decline the answer, in which case nothing is written and false is returned.
    @discardableResult
    func download(
        _ url: String, to path: String, headers: [(String, String)] = [], input: String,
        accept: @Sendable (String, String) -> Bool = { _, _ in true }
    ) async throws -> Bool {
        try await withRetries(url: url, input: input) {
            let response = try await self.execute(url, method: .GET, headers: headers, deadline: false, input: input)
            let finalURL = response.url?.absoluteString ?? url
            guard response.status == .ok else {
                throw ProviderError.httpStatus(url: url, status: Int(response.status.code), input: input)
            }
            guard accept(finalURL, response.headers.first(name: "Content-Type") ?? "") else { return false }
            let total = response.headers.first(name: "Content-Length").flatMap(Int64.init)
            try self.budget.admit(contentLength: total, input: input)
            try self.makeParent(of: path)
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let handle = FileHandle(forWritingAtPath: path)
            else {
                throw ProviderError.fileSystem("Cannot write \(path) while fetching \(input); check the temporary directory (TMPDIR).")
            }
            defer { try? handle.close() }
            let name = (path as NSString).lastPathComponent
            var received: Int64 = 0
            var lastReport = Date()
            for try await buffer in response.body {
                received += Int64(buffer.readableBytes)
                try self.budget.check(received: received, input: input)
                try handle.write(contentsOf: Data(buffer.readableBytesView))
                if Date().timeIntervalSince(lastReport) >= 1 {
                    lastReport = Date()
                    let percent = total.map { $0 > 0 ? " (\(received * 100 / $0)%)" : "" } ?? ""
                    self.log("Downloading \(name): \(received) bytes\(percent)\n")
                }
            }
            self.budget.add(received)
            self.log("Downloaded \(name): \(received) bytes\n")
            return true
        }
    }

    func makeParent(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw ProviderError.fileSystem(
                "Cannot create \(parent): \(error.localizedDescription); check the temporary directory (TMPDIR).")
        }
    }

    private func execute(
        _ url: String, method: HTTPMethod, headers: [(String, String)], deadline: Bool,
        input: String
    ) async throws -> HTTPClientResponse {
        requested.withLock { $0.append(url) }
        let timeout: TimeAmount = deadline ? .seconds(settings.timeoutSeconds) : .hours(24)
        var current = url
        var method = method
        var history: [HTTPClientRequestResponse] = []
        for _ in 0...Self.maximumRedirects {
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers.add(name: "User-Agent", value: Self.userAgent)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            var response = try await clients.execute(request, timeout: timeout)
            history += response.history
            response.history = history
            guard let next = Self.redirectTarget(of: response, from: current) else { return response }
            guard !history.dropLast().contains(where: { $0.request.url == next }) else {
                throw ProviderError.unexpectedResponse(url: url, what: "a redirect loop through \(next)", input: input)
            }
            // The redirect's own body is not wanted; read it (bounded) so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            if response.status == .seeOther { method = .GET }
            current = next
        }
        throw ProviderError.unexpectedResponse(url: url, what: "more than \(Self.maximumRedirects) redirects", input: input)
    }

    static let maximumRedirects = 10

    /// The absolute URL a 301/302/303/307/308 answer points to, or nil for any other answer.
    static func redirectTarget(of response: HTTPClientResponse, from url: String) -> String? {
        guard [301, 302, 303, 307, 308].contains(Int(response.status.code)),
            let location = response.headers.first(name: "Location"),
            let target = URL(string: location, relativeTo: URL(string: url))?.absoluteURL,
            ["http", "https"].contains(target.scheme?.lowercased() ?? "")
        else { return nil }
        return target.absoluteString
    }

    /// Bounded retries: a connection broken mid-transfer, a read timeout and 502/503/504 are retried; a name that
    /// does not resolve, a refused or unreachable address, a spent connect budget or a failed TLS handshake fail
    /// at once (another attempt would fail the same way), as does everything else.
    private func withRetries<T>(url: String, input: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                let result = try await body()
                return result
            } catch let error as ProviderError {
                if case .httpStatus(_, let status, _) = error, [502, 503, 504].contains(status), attempt < settings.attempts {
                    log("\(url) answered HTTP \(status); retrying (attempt \(attempt + 1) of \(settings.attempts)).\n")
                } else {
                    throw error
                }
            } catch let error as CancellationError {
                throw error
            } catch {
                if let failure = ConnectFailure.classify(error) {
                    let host = ConnectFailure.host(in: error) ?? ConnectFailure.host(ofURL: url)
                    let explanation = failure.explanation(host: host, connectSeconds: settings.connectTimeoutSeconds)
                    throw ProviderError.cannotConnect(url: url, explanation: explanation, input: input)
                }
                guard attempt < settings.attempts else {
                    throw ProviderError.unreachable(url: url, reason: "\(error)", input: input)
                }
                log("Cannot reach \(url) (\(error)); retrying (attempt \(attempt + 1) of \(settings.attempts)).\n")
            }
            attempt += 1
            try await Task.sleep(for: .seconds(settings.retryDelaySeconds))
        }
    }
}
