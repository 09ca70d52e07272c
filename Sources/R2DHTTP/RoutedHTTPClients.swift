import AsyncHTTPClient
import NIOCore

/// One AsyncHTTPClient per route: a direct one and one per proxy server, all with the same configuration, so
/// that each request (and each hop of a redirect the caller follows) goes the way `NO_PROXY` says for its own
/// host. AsyncHTTPClient takes a proxy per client, not per request. Call `shutdown()` once when done.
public final class RoutedHTTPClients: Sendable {
    public let proxies: ProxySettings
    let direct: HTTPClient
    let viaProxy: [ProxyServer: HTTPClient]

    public let trace: NetworkTrace

    public init(configuration: HTTPClient.Configuration, proxies: ProxySettings, trace: NetworkTrace = .off) {
        self.proxies = proxies
        self.trace = trace
        direct = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: configuration, backgroundActivityLogger: trace.logger)
        var clients: [ProxyServer: HTTPClient] = [:]
        for server in [proxies.httpProxy, proxies.httpsProxy].compactMap({ $0 }) where clients[server] == nil {
            var proxied = configuration
            proxied.proxy = server.configuration
            clients[server] = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: proxied, backgroundActivityLogger: trace.logger)
        }
        viaProxy = clients
    }

    /// The client whose route suits `url`.
    public func client(forURL url: String) -> HTTPClient {
        proxies.proxy(forURL: url).flatMap { viaProxy[$0] } ?? direct
    }

    /// Sends `request` on the route its URL calls for, traced; redirects are the caller's.
    public func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        trace.request(request.method.rawValue, request.url, proxy: proxies.proxy(forURL: request.url))
        let response = try await client(forURL: request.url).execute(request, timeout: timeout, logger: trace.logger)
        trace.answer(response.status.code, location: response.headers.first(name: "Location"))
        return response
    }

    /// Closes every client.
    public func shutdown() async {
        try? await direct.shutdown()
        for client in viaProxy.values { try? await client.shutdown() }
    }
}
