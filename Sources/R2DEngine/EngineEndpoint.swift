import Foundation

/// Where the engine listens and how to reach it.
public struct EngineEndpoint: Sendable, CustomStringConvertible, Equatable {
    /// The transport address of the engine.
    public enum Address: Sendable, Equatable {
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    /// PEM files for a TLS connection to a tcp endpoint.
    public struct TLSFiles: Sendable, Equatable {
        public var caCertificate: String
        public var clientCertificate: String
        public var clientKey: String
    }

    /// The transport address.
    public let address: Address
    /// TLS files when the connection uses TLS (tcp only).
    public let tls: TLSFiles?

    /// The default Docker socket.
    public static let defaultSocketPath = "/var/run/docker.sock"

    /// The URL string shown to users, e.g. `unix:///var/run/docker.sock`.
    public var description: String {
        switch address {
        case .unix(let path):
            return "unix://\(path)"
        case .tcp(let host, let port):
            return "tcp://\(Self.bracketed(host)):\(port)"
        }
    }

    /// Podman's rootful socket.
    public static let podmanSocketPath = "/run/podman/podman.sock"

    /// The engine's endpoint: DOCKER_HOST when set; otherwise the socket of the engine asked for (`docker`:
    /// /var/run/docker.sock; `podman`: /run/podman/podman.sock, then $XDG_RUNTIME_DIR/podman/podman.sock). With
    /// the default engine and no Docker socket, a Podman socket that exists is used instead, as BinderHub's
    /// Podman deployments and rootless users expect. `fileExists` is injectable for tests.
    public static func resolve(
        environment env: [String: String], engine: String = "docker",
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> EngineEndpoint {
        if let raw = env["DOCKER_HOST"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            return try fromEnvironment(env)
        }
        var podmanSockets = [podmanSocketPath]
        if let runtime = env["XDG_RUNTIME_DIR"], !runtime.isEmpty { podmanSockets.append(runtime + "/podman/podman.sock") }
        if engine == "podman" {
            return .unixSocket(podmanSockets.first(where: fileExists) ?? podmanSockets.last ?? podmanSocketPath)
        }
        if fileExists(defaultSocketPath) { return .unixSocket(defaultSocketPath) }
        if let podman = podmanSockets.first(where: fileExists) { return .unixSocket(podman) }
        return .unixSocket(defaultSocketPath)
    }

    /// An endpoint on a unix socket.
    public static func unixSocket(_ path: String) -> EngineEndpoint {
        EngineEndpoint(address: .unix(path: path), tls: nil)
    }

    /// Reads DOCKER_HOST (unix:///path, tcp://host:port, /path), DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
    public static func fromEnvironment(_ env: [String: String]) throws -> EngineEndpoint {
        guard let raw = env["DOCKER_HOST"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return .unixSocket(defaultSocketPath)
        }
        func invalid(_ why: String) -> EngineError {
            .invalidEndpoint(
                "DOCKER_HOST=\"\(raw)\" is not a usable engine address (\(why)); "
                    + "use unix:///path/to/socket or tcp://host:port.")
        }
        if raw.hasPrefix("/") {
            return .unixSocket(raw)
        }
        if raw.hasPrefix("unix://") {
            let path = String(raw.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw invalid("the socket path must be absolute") }
            return .unixSocket(path)
        }
        if raw.hasPrefix("tcp://") {
            let useTLS = !(env["DOCKER_TLS_VERIFY"] ?? "").isEmpty
            let (host, port) = try parseHostPort(
                String(raw.dropFirst("tcp://".count)), defaultPort: useTLS ? 2376 : 2375, invalid: invalid)
            let tls = useTLS ? try tlsFiles(env) : nil
            return EngineEndpoint(address: .tcp(host: host, port: port), tls: tls)
        }
        if let schemeEnd = raw.range(of: "://") {
            throw invalid("unsupported scheme \(raw[..<schemeEnd.lowerBound])")
        }
        throw invalid("no scheme")
    }

    private static func parseHostPort(
        _ rest: String, defaultPort: Int, invalid: (String) -> EngineError
    ) throws -> (String, Int) {
        // Docker accepts a trailing path on tcp:// hosts; it carries no meaning for us.
        let hostPort = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var host: String
        var portText: String?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed [ in the IPv6 address") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                portText = String(after.dropFirst())
            } else if !after.isEmpty {
                throw invalid("unexpected text after the IPv6 address")
            }
        } else {
            let parts = hostPort.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw invalid("too many colons") }
            host = String(parts[0])
            portText = parts.count == 2 ? String(parts[1]) : nil
        }
        guard !host.isEmpty else { throw invalid("no host name") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_" }) else {
            throw invalid("invalid host name")
        }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw invalid("invalid port") }
            port = value
        }
        return (host, port)
    }

    private static func tlsFiles(_ env: [String: String]) throws -> TLSFiles {
        let certPath: String
        if let configured = env["DOCKER_CERT_PATH"], !configured.isEmpty {
            certPath = configured
        } else {
            let home = env["HOME"] ?? NSHomeDirectory()
            certPath = (home as NSString).appendingPathComponent(".docker")
        }
        let files = TLSFiles(
            caCertificate: (certPath as NSString).appendingPathComponent("ca.pem"),
            clientCertificate: (certPath as NSString).appendingPathComponent("cert.pem"),
            clientKey: (certPath as NSString).appendingPathComponent("key.pem"))
        for file in [files.caCertificate, files.clientCertificate, files.clientKey]
        where !FileManager.default.isReadableFile(atPath: file) {
            throw EngineError.invalidEndpoint(
                "DOCKER_TLS_VERIFY is set but \(file) is missing or unreadable; "
                    + "set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem.")
        }
        return files
    }

    static func bracketed(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }

    /// The AsyncHTTPClient URL for a request path that starts with "/".
    func url(forPath pathAndQuery: String) -> String {
        switch address {
        case .unix(let path):
            return "http+unix://\(percentEncode(path, allowing: []))\(pathAndQuery)"
        case .tcp(let host, let port):
            return "\(tls == nil ? "http" : "https")://\(Self.bracketed(host)):\(port)\(pathAndQuery)"
        }
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters and `extra`.
func percentEncode(_ text: String, allowing extra: Set<UInt8>) -> String {
    var result = ""
    for byte in text.utf8 {
        let isUnreserved =
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        if isUnreserved || extra.contains(byte) {
            result.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return result
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
