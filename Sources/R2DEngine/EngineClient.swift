import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import R2DHTTP
import Synchronization

/// A Docker / Podman Engine API client. Call `shutdown()` when done.
public final class EngineClient: Sendable {
    /// Which stream of a container a line came from.
    public enum OutputStream: Sendable, Equatable { case stdout, stderr }

    /// The endpoint this client talks to.
    public let endpoint: EngineEndpoint
    let http: HTTPClient
    let trace: NetworkTrace
    /// The one event loop all of this client's connections run on: a CLI needs no more, and knowing it lets a
    /// build's upload wait for the loop to take each chunk before offering the next (EngineClient+Build.swift).
    let eventLoopGroup: MultiThreadedEventLoopGroup
    private let negotiatedVersion = Mutex<String?>(nil)

    /// Newest API version this client speaks, and the oldest it accepts.
    static let maximumAPIVersion = APIVersion(major: 1, minor: 43)
    static let minimumAPIVersion = APIVersion(major: 1, minor: 24)
    /// Deadline for ordinary requests; builds and log streams have none.
    static let requestTimeout = TimeAmount.minutes(10)

    /// `proxies` apply to a tcp endpoint (as the docker CLI's do); a unix socket is never proxied.
    /// `trace` is `--debug`'s: each request's method and path (never its query, which carries build
    /// arguments), each answer's status, and AsyncHTTPClient's connection events.
    public init(endpoint: EngineEndpoint, proxies: ProxySettings = .direct, trace: NetworkTrace = .off) throws {
        self.endpoint = endpoint
        self.trace = trace
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try Self.tlsConfiguration(for: endpoint),
            timeout: .init(connect: .seconds(10)))
        if case .tcp(let host, let port) = endpoint.address,
            let proxy = proxies.proxy(scheme: endpoint.tls == nil ? "http" : "https", host: host, port: port)
        {
            configuration.proxy = proxy.configuration
        }
        // Fail fast when nothing listens instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        http = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration, backgroundActivityLogger: trace.logger)
    }

    static func tlsConfiguration(for endpoint: EngineEndpoint) throws -> TLSConfiguration? {
        guard let files = endpoint.tls else { return nil }
        do {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.caCertificate))
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(files.clientCertificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: files.clientKey, format: .pem))
            return tls
        } catch {
            throw EngineError.invalidEndpoint(
                "The TLS files for DOCKER_HOST (DOCKER_CERT_PATH: \(files.caCertificate), \(files.clientCertificate), "
                    + "\(files.clientKey)) could not be loaded: \(error)")
        }
    }

    /// Closes connections; must be called before the client is released.
    public func shutdown() async {
        try? await http.shutdown()
        try? await eventLoopGroup.shutdownGracefully()
    }

    /// Asks `/_ping` for the daemon's API version and settles on min(server, 1.43), never below 1.24.
    @discardableResult
    public func negotiateVersion() async throws -> String {
        let response = try await send(.GET, "/_ping", versioned: false)
        if response.status.code == 400, endpoint.tls == nil, case .tcp = endpoint.address {
            let body = try await collectBody(response, limit: 1 << 16)
            if String(decoding: body, as: UTF8.self).contains("HTTPS") {
                throw EngineError.invalidEndpoint(
                    "The engine at \(endpoint) expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory "
                        + "holding ca.pem, cert.pem and key.pem.")
            }
            throw EngineError.daemon(status: 400, message: Self.errorMessage(from: body, reason: response.status.reasonPhrase))
        }
        try await requireSuccess(response)
        _ = try? await response.body.collect(upTo: 1 << 16)
        var chosen = Self.minimumAPIVersion
        if let header = response.headers.first(name: "API-Version"), let server = Self.parseVersion(header) {
            chosen = min(max(server, Self.minimumAPIVersion), Self.maximumAPIVersion)
        }
        let version = "\(chosen.major).\(chosen.minor)"
        negotiatedVersion.withLock { $0 = version }
        return version
    }

    /// The negotiated API version, negotiating it on first use.
    func apiVersion() async throws -> String {
        if let existing = negotiatedVersion.withLock({ $0 }) { return existing }
        return try await negotiateVersion()
    }

    struct APIVersion: Comparable {
        var major: Int
        var minor: Int
        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
    }

    static func parseVersion(_ text: String) -> APIVersion? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return APIVersion(major: major, minor: minor)
    }

    /// The engine's version, API version, platform and whether it is Podman.
    public func version() async throws -> EngineVersion {
        struct Component: Decodable { var Name: String? }
        struct Answer: Decodable {
            var Version: String?
            var ApiVersion: String?
            var Os: String?
            var Arch: String?
            var Components: [Component]?
        }
        let answer: Answer = try await json(.GET, "/version")
        let isPodman = (answer.Components ?? []).contains { ($0.Name ?? "").lowercased().contains("podman") }
        return EngineVersion(
            version: answer.Version ?? "", apiVersion: answer.ApiVersion ?? "", os: answer.Os ?? "",
            arch: answer.Arch ?? "", isPodman: isPodman)
    }

    // MARK: Request plumbing

    /// The HTTP methods the Engine API uses.
    enum Method: String, Sendable { case GET, POST, DELETE }

    /// Sends one request; transport failures become `.daemonUnreachable`.
    func send(
        _ method: Method,
        _ path: String,
        query: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil,
        contentType: String? = nil,
        headers: [(String, String)] = [],
        versioned: Bool = true,
        deadline: NIODeadline? = nil
    ) async throws -> HTTPClientResponse {
        var pathAndQuery = path
        if versioned {
            let existing = negotiatedVersion.withLock { $0 }
            let version: String
            if let existing { version = existing } else { version = try await negotiateVersion() }
            pathAndQuery = "/v\(version)" + path
        }
        if !query.isEmpty {
            pathAndQuery +=
                "?"
                + query.map { "\(percentEncode($0.0, allowing: []))=\(percentEncode($0.1, allowing: []))" }
                .joined(separator: "&")
        }
        var request = HTTPClientRequest(url: endpoint.url(forPath: pathAndQuery))
        request.method = .init(rawValue: method.rawValue)
        if case .unix = endpoint.address {
            // dockerd rejects requests without a Host header, and a socket path is no host name.
            request.headers.add(name: "Host", value: "docker")
        }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        do {
            trace.request(method.rawValue, endpoint.description + pathAndQuery.prefix { $0 != "?" }, proxy: nil)
            let response = try await http.execute(request, deadline: deadline ?? .now() + Self.requestTimeout, logger: trace.logger)
            trace.answer(response.status.code)
            return response
        } catch {
            throw mapTransportError(error)
        }
    }

    /// Maps a failure while reading a response body: apart from cancellation, it means the connection broke
    /// (the daemon died or closed it), so the caller sees `.daemonUnreachable` rather than a parser error.
    func mapStreamingError(_ error: any Error) -> any Error {
        let mapped = mapTransportError(error)
        switch mapped {
        case is EngineError, is CancellationError: return mapped
        case let error as HTTPClientError where error == .cancelled: return mapped
        default:
            return EngineError.daemonUnreachable(
                endpoint: endpoint.description, reason: "the connection broke mid-response: \(error)")
        }
    }

    /// Turns connection-level failures into `.daemonUnreachable`; other errors pass through.
    func mapTransportError(_ error: any Error) -> any Error {
        let unreachable = { (reason: String) in EngineError.daemonUnreachable(endpoint: self.endpoint.description, reason: reason) }
        switch error {
        case let error as IOError:
            return unreachable(String(cString: strerror(error.errnoCode)))
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first {
                return mapTransportError(first.error)
            }
            return unreachable("cannot resolve the host name")
        case let error as HTTPClientError:
            switch error {
            case .invalidProxyResponse, .httpProxyHandshakeTimeout: return unreachable("the proxy would not connect to it (HTTP_PROXY)")
            case .proxyAuthenticationRequired: return unreachable("the proxy refused its credentials (HTTP_PROXY)")
            case .connectTimeout: return unreachable("connection timed out")
            case .remoteConnectionClosed: return unreachable("the connection closed unexpectedly")
            case .missingSocketPath, .invalidURL, .emptyHost: return unreachable("invalid address")
            default: return error
            }
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return unreachable("connection timed out")
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed: return unreachable("the connection closed unexpectedly")
            default: return error
            }
        case let error as SocketAddressError:
            return unreachable("\(error)")
        case let error as NIOSSLError:
            return unreachable("TLS: \(error)")
        default:
            return error
        }
    }

    /// Throws `.daemon` with the daemon's own message unless the status is 2xx.
    func requireSuccess(_ response: HTTPClientResponse) async throws {
        let status = Int(response.status.code)
        guard !(200..<300).contains(status) else { return }
        let body = try await collectBody(response, limit: 1 << 20)
        throw EngineError.daemon(status: status, message: Self.errorMessage(from: body, reason: response.status.reasonPhrase))
    }

    static func errorMessage(from body: [UInt8], reason: String) -> String {
        struct ErrorBody: Decodable { var message: String? }
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)), let message = decoded.message {
            return message
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? reason : text
    }

    func collectBody(_ response: HTTPClientResponse, limit: Int = 64 << 20) async throws -> [UInt8] {
        do {
            let buffer = try await response.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw mapStreamingError(error)
        }
    }

    /// Calls `handle` with each message of a streamed JSON-lines answer (build and push progress) as its line
    /// arrives, the last one even without its newline; blank lines are skipped. A line that is not a `Message`
    /// throws what `undecodableLine` makes of its text. A broken connection becomes `.daemonUnreachable`;
    /// `handle`'s errors pass through.
    func forEachJSONLine<Message: Decodable>(
        of response: HTTPClientResponse, as type: Message.Type,
        undecodableLine: @escaping (String) -> EngineError,
        _ handle: (Message) throws -> Void
    ) async throws {
        var messages = JSONLinesDecoder(type, undecodableLine: undecodableLine)
        do {
            for try await chunk in response.body {
                messages.append(chunk)
                while let message = try messages.nextMessage() { try handle(message) }
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw mapStreamingError(error)
        }
        if let last = try messages.finish() { try handle(last) }
        try Task.checkCancellation()
    }

    /// Sends a request, requires success, and decodes the JSON answer.
    func json<Answer: Decodable>(_ method: Method, _ path: String, query: [(String, String)] = []) async throws -> Answer {
        try await json(method, path, query: query, body: Optional<[String]>.none)
    }

    /// Sends a JSON body, requires success, and decodes the JSON answer.
    func json<Answer: Decodable, Body: Encodable>(
        _ method: Method, _ path: String, query: [(String, String)] = [], body: Body?
    ) async throws -> Answer {
        var requestBody: HTTPClientRequest.Body?
        if let body { requestBody = .bytes(ByteBuffer(bytes: Array(try Self.encoder.encode(body)))) }
        let response = try await send(
            method, path, query: query, body: requestBody, contentType: body == nil ? nil : "application/json")
        try await requireSuccess(response)
        let bytes = try await collectBody(response)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes))
        } catch {
            throw EngineError.protocolError("\(method) \(path) answered JSON this client cannot read: \(error)")
        }
    }

    /// Sends a request, requires success, and drains the answer.
    func expectSuccess(_ method: Method, _ path: String, query: [(String, String)] = []) async throws {
        let response = try await send(method, path, query: query)
        try await requireSuccess(response)
        _ = try await collectBody(response)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func jsonString(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Escapes an image or container reference for a URL path; "/" and ":" stay as the daemon expects.
    static func pathComponent(_ reference: String) -> String {
        percentEncode(reference, allowing: [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@")])
    }
}
