import AsyncHTTPClient

/// One AsyncHTTPClient per route: a direct one and one per proxy server, all with the same configuration, so
/// that each request (and each hop of a redirect the caller follows) goes the way `NO_PROXY` says for its own
/// host. AsyncHTTPClient takes a proxy per client, not per request. Call `shutdown()` once when done.
public final class RoutedHTTPClients: Sendable {
    public let proxies: ProxySettings
    let direct: HTTPClient
    let viaProxy: [ProxyServer: HTTPClient]

    public init(configuration: HTTPClient.Configuration, proxies: ProxySettings) {
        self.proxies = proxies
        direct = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var clients: [ProxyServer: HTTPClient] = [:]
        for server in [proxies.httpProxy, proxies.httpsProxy].compactMap({ $0 }) where clients[server] == nil {
            var proxied = configuration
            proxied.proxy = server.configuration
            clients[server] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: proxied)
        }
        viaProxy = clients
    }

    /// The client whose route suits `url`.
    public func client(forURL url: String) -> HTTPClient {
        proxies.proxy(forURL: url).flatMap { viaProxy[$0] } ?? direct
    }

    /// Closes every client.
    public func shutdown() async {
        try? await direct.shutdown()
        for client in viaProxy.values { try? await client.shutdown() }
    }
}
