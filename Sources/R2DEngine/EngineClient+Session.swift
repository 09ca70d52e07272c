import NIOCore
import NIOPosix
import NIOSSL
import R2DBuildKitSession

extension EngineClient {
    /// Runs `body` inside a BuildKit session (`POST /session` upgraded to HTTP/2 on a connection of its own,
    /// which AsyncHTTPClient cannot hand over) and closes the session when `body` returns, throws or is cancelled.
    func withBuildKitSession<T: Sendable>(
        _ services: SessionServices, _ body: @Sendable (_ sessionID: String) async throws -> T
    ) async throws -> T {
        let version = try await apiVersion()
        let channel = try await connectForSession()
        do {
            return try await BuildKitSession.withSession(
                on: channel, path: "/v\(version)/session", host: hostHeader, name: "swift-r2d", services: services, body)
        } catch let error as SessionError {
            throw EngineError.protocolError(error.description)
        }
    }

    /// The `Host` header: dockerd wants one, and a socket path is no host name.
    var hostHeader: String {
        switch endpoint.address {
        case .unix: return "docker"
        case .tcp(let host, let port): return "\(EngineEndpoint.bracketed(host)):\(port)"
        }
    }

    /// A raw connection to the engine (TLS when the endpoint has it) on this client's event loop.
    func connectForSession() async throws -> any Channel {
        let tls = try Self.tlsConfiguration(for: endpoint)
        var serverName: String?
        // NIOSSL takes a host name for SNI and verification, never an IP address.
        if case .tcp(let host, _) = endpoint.address, !host.contains(":"), !host.allSatisfy({ $0.isNumber || $0 == "." }) {
            serverName = host
        }
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                guard let tls else { return channel.eventLoop.makeSucceededVoidFuture() }
                return channel.eventLoop.makeCompletedFuture {
                    let context = try NIOSSLContext(configuration: tls)
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                }
            }
        do {
            switch endpoint.address {
            case .unix(let path): return try await bootstrap.connect(unixDomainSocketPath: path).get()
            case .tcp(let host, let port): return try await bootstrap.connect(host: host, port: port).get()
            }
        } catch {
            throw mapTransportError(error)
        }
    }
}
