import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A connection that could not be made, and will not be on another attempt: the caller fails at once.
public enum ConnectFailure: Error, Equatable, Sendable {
    /// The name does not resolve (DNS).
    case unresolvable
    /// Nothing listens on the port (ECONNREFUSED).
    case refused
    /// No route to the address (ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL).
    case unreachable
    /// Resolving and connecting took the whole connect budget.
    case timedOut
    /// The TLS handshake failed (an untrusted or wrong certificate does not change on retry).
    case tls(String)
    /// The proxy (HTTPS_PROXY / HTTP_PROXY) would not open a tunnel to the host.
    case proxyRefused
    /// The proxy asked for credentials it was not given or did not accept.
    case proxyAuthentication

    /// The failure to connect in `error`, or nil when the error is transient (or not about connecting).
    public static func classify(_ error: any Error) -> ConnectFailure? {
        switch error {
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty { return error.dnsAError != nil || error.dnsAAAAError != nil ? .unresolvable : nil }
            let failures = error.connectionErrors.map { ($0.error as? IOError).flatMap { errno($0.errnoCode, connecting: true) } }
            return failures.first(where: { $0 == .refused }) ?? failures.compactMap { $0 }.first ?? .refused
        case is SocketAddressError:
            return .unresolvable
        case let error as IOError:
            return errno(error.errnoCode, connecting: false)
        case let error as HTTPClientError where error == .connectTimeout:
            return .timedOut
        case let error as HTTPClientError where error == .invalidProxyResponse || error == .httpProxyHandshakeTimeout:
            return .proxyRefused
        case let error as HTTPClientError where error == .proxyAuthenticationRequired:
            return .proxyAuthentication
        case let error as ChannelError:
            if case .connectTimeout = error { return .timedOut }
            return nil
        case let error as NIOSSLError:
            return .tls(String(describing: error))
        case let error as BoringSSLError:
            return .tls(String(describing: error))
        default:
            return nil
        }
    }

    /// An errno of a connection attempt (`connecting`) or of an error outside one: ETIMEDOUT on a connection
    /// already made is a transfer that stalled, worth another attempt.
    static func errno(_ code: Int32, connecting: Bool) -> ConnectFailure? {
        switch code {
        case ECONNREFUSED: return .refused
        case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: return .unreachable
        case ETIMEDOUT: return connecting ? .timedOut : nil
        default: return nil
        }
    }

    /// What happened and what to check, e.g. "the name zenodo.invalid does not resolve; check its spelling and
    /// the DNS settings (/etc/resolv.conf)", for the caller to end (", or the provider's URL setting."). `host` is "name" or "name:port" as the caller shows it; `connectSeconds` is the budget.
    public func explanation(host: String, connectSeconds: Int64) -> String {
        let name = Self.name(of: host)
        switch self {
        case .unresolvable:
            return "the name \(name) does not resolve; check its spelling and the DNS settings (/etc/resolv.conf)"
        case .refused:
            return "\(host) refused the connection; check that the server runs and listens on that port"
        case .unreachable:
            return "there is no route to \(host); check the network connection"
        case .timedOut:
            return "\(host) did not accept a connection within \(connectSeconds) s (--connect-timeout); check the network connection"
        case .proxyRefused:
            return "the proxy would not connect to \(host); check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY"
        case .proxyAuthentication:
            return "the proxy refused its credentials for \(host); check the user and password in HTTPS_PROXY / HTTP_PROXY"
        case .tls(let reason):
            return "the TLS handshake with \(host) failed (\(reason.prefix(160))); check the server's certificate "
                + "and the trusted certificates (SSL_CERT_FILE, SSL_CERT_DIR)"
        }
    }

    /// "host" of "host:port" (an IPv6 literal keeps its brackets).
    static func name(of host: String) -> String {
        if host.hasPrefix("[") { return host.split(separator: "]").first.map { $0 + "]" } ?? host }
        return host.split(separator: ":").first.map(String.init) ?? host
    }

    /// The "host:port" a connection error names (after a redirect, not the URL first asked for), if it names one.
    public static func host(in error: any Error) -> String? {
        guard let error = error as? NIOConnectionError, !error.host.isEmpty else { return nil }
        return error.host.contains(":") ? "[\(error.host)]:\(error.port)" : "\(error.host):\(error.port)"
    }

    /// "host[:port]" of an http(s) URL, for messages.
    public static func host(ofURL url: String) -> String {
        var rest = Substring(url)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") { rest = rest[colon...].dropFirst(3) }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? authority)
    }
}

/// The AsyncHTTPClient configuration swift-r2d's clients start from.
public enum HTTPClientSettings {
    /// Connection failures reach the caller at once (AsyncHTTPClient would otherwise retry connecting, with
    /// backoff, until the request's deadline); `connectTimeout` bounds resolving and connecting.
    public static func configuration(
        connectTimeout: TimeAmount, readTimeout: TimeAmount?, tls: TLSConfiguration? = nil
    ) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, timeout: .init(connect: connectTimeout, read: readTimeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
