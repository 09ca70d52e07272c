import AsyncHTTPClient
import Foundation
import NIOCore

/// One proxy server named by `HTTPS_PROXY`, `HTTP_PROXY` (or their lower-case forms).
public struct ProxyServer: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// An HTTP proxy: plain requests in absolute form, `CONNECT` tunnels for TLS.
        case http
        /// A SOCKS 5 proxy without authentication.
        case socks5
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// `user:password` from the URL; never printed.
    var basicCredentials: (user: String, password: String)?

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.kind == rhs.kind && lhs.host == rhs.host && lhs.port == rhs.port
            && lhs.basicCredentials?.user == rhs.basicCredentials?.user
            && lhs.basicCredentials?.password == rhs.basicCredentials?.password
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(basicCredentials?.user)
        hasher.combine(basicCredentials?.password)
    }

    /// `http://host:port` with any credentials left out: what logs and messages may show.
    public var description: String { "\(kind.rawValue)://\(host):\(port)" }

    /// The proxy as AsyncHTTPClient's configuration takes it.
    public var configuration: HTTPClient.Configuration.Proxy {
        switch kind {
        case .socks5:
            return .socksServer(host: host, port: port)
        case .http:
            guard let credentials = basicCredentials else { return .server(host: host, port: port) }
            return .server(
                host: host, port: port, authorization: .basic(username: credentials.user, password: credentials.password))
        }
    }

    /// Parses a proxy variable's value: `http://[user:pass@]host[:port]`, `socks5://host[:port]` or a bare
    /// `host:port` (taken as HTTP, as curl and Go do).
    static func parse(_ raw: String, variable: String) throws(ProxyError) -> ProxyServer {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var rest = Substring(text)
        var kind = Kind.http
        if let schemeEnd = rest.range(of: "://") {
            switch rest[..<schemeEnd.lowerBound].lowercased() {
            case "http": kind = .http
            case "socks5", "socks5h": kind = .socks5
            case let scheme:
                throw ProxyError(variable: variable, reason: "the scheme \(scheme):// is not supported (use http:// or socks5://)")
            }
            rest = rest[schemeEnd.upperBound...]
        }
        rest = rest.prefix { $0 != "/" }
        var credentials: (String, String)?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            let user = userinfo.prefix { $0 != ":" }
            let password = userinfo.dropFirst(user.count + 1)
            credentials = (Self.percentDecoded(user), Self.percentDecoded(password))
            rest = rest[rest.index(after: at)...]
        }
        guard let (host, port) = HostPort.split(rest, defaultPort: kind == .http ? 80 : 1080), let port, !host.isEmpty else {
            throw ProxyError(variable: variable, reason: "it names no host (expected http://host:port)")
        }
        return ProxyServer(kind: kind, host: host, port: port, basicCredentials: credentials)
    }

    static func percentDecoded(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}

/// A proxy variable that cannot be used; the message never quotes its value, which may carry a password.
public struct ProxyError: Error, Equatable, CustomStringConvertible {
    public var variable: String
    public var reason: String
    public var description: String { "\(variable) cannot be used as a proxy: \(reason); fix or unset it." }
}

/// The proxies of the process environment and the `NO_PROXY` rules, as the Docker tools read them (Go's
/// `httpproxy` rules): the upper-case variable wins over the lower-case one; loopback names and addresses
/// are never proxied.
public struct ProxySettings: Sendable, Equatable {
    public var httpProxy: ProxyServer?
    public var httpsProxy: ProxyServer?
    public var bypass: [NoProxyRule]

    /// No proxy at all.
    public static let direct = ProxySettings(httpProxy: nil, httpsProxy: nil, bypass: [])

    public init(httpProxy: ProxyServer?, httpsProxy: ProxyServer?, bypass: [NoProxyRule]) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.bypass = bypass
    }

    /// Reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (each also in lower case) from `environment`.
    public init(environment: [String: String]) throws(ProxyError) {
        func value(_ name: String) -> (String, String)? {
            for key in [name, name.lowercased()] {
                if let text = environment[key], !text.trimmingCharacters(in: .whitespaces).isEmpty { return (key, text) }
            }
            return nil
        }
        httpProxy = try value("HTTP_PROXY").map { (key, text) throws(ProxyError) in try ProxyServer.parse(text, variable: key) }
        httpsProxy = try value("HTTPS_PROXY").map { (key, text) throws(ProxyError) in try ProxyServer.parse(text, variable: key) }
        bypass = value("NO_PROXY").map { NoProxyRule.parseList($0.1) } ?? []
    }

    /// The names of the variables this reads, for the documentation.
    public static let variables = ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"]

    /// The proxy for a request to `scheme://host:port`, or nil to connect directly.
    public func proxy(scheme: String, host: String, port: Int?) -> ProxyServer? {
        let secure = ["https", "wss"].contains(scheme.lowercased())
        guard let server = secure ? httpsProxy : httpProxy else { return nil }
        let name = HostPort.normalized(host)
        if HostPort.isLoopback(name) { return nil }
        let port = port ?? (secure ? 443 : 80)
        if bypass.contains(where: { $0.matches(host: name, port: port) }) { return nil }
        return server
    }

    /// The proxy for `url` (`scheme://host[:port]/…`), or nil.
    public func proxy(forURL url: String) -> ProxyServer? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = String(url[..<schemeEnd.lowerBound])
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard let (host, port) = HostPort.split(authority, defaultPort: nil) else { return nil }
        return proxy(scheme: scheme, host: host, port: port)
    }
}
