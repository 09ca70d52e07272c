import R2DBasics
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import R2DHTTP

/// Asks a registry (Docker Registry HTTP API v2 / OCI distribution) whether an image tag exists, with the
/// anonymous, Basic and Bearer-token flows BinderHub uses (BinderHub's `registry.py`).
public struct RegistryClient: Sendable {
    /// Docker's per-registry CA directory: `<dir>/<host:port>/ca.crt` is trusted besides the system roots.
    public var certificatesDirectory: String
    /// Attempts for transport failures and 5xx answers.
    public var attempts: Int
    public var requestTimeout: TimeAmount
    /// Resolving and connecting; a connection not made in this time (or refused, or to a name that does not
    /// resolve) is not tried again.
    public var connectTimeoutSeconds: Int64
    /// The environment's proxies; a loopback registry is never proxied.
    public var proxies: ProxySettings
    /// `--debug`'s trace of the requests.
    public var trace = NetworkTrace.off

    public init(
        certificatesDirectory: String = "/etc/docker/certs.d", attempts: Int = 3, requestTimeout: TimeAmount = .seconds(30),
        connectTimeoutSeconds: Int64 = 10, proxies: ProxySettings = .direct
    ) {
        self.proxies = proxies
        self.certificatesDirectory = certificatesDirectory
        self.attempts = max(1, attempts)
        self.requestTimeout = requestTimeout
        self.connectTimeoutSeconds = max(1, connectTimeoutSeconds)
    }

    static let manifestTypes = [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ].joined(separator: ", ")

    /// true when the registry has `reference`'s tag, false when it answers "unknown".
    public func manifestExists(_ reference: ImageReference, credential: RegistryCredential?) async throws -> Bool {
        // One client per route: the registry and its token realm may sit on either side of NO_PROXY.
        let http = RoutedHTTPClients(configuration: try configuration(for: reference), proxies: proxies, trace: trace)
        do {
            let found = try await check(reference, credential: credential, http: http)
            await http.shutdown()
            return found
        } catch {
            await http.shutdown()
            throw error
        }
    }

    func configuration(for reference: ImageReference) throws -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        let caFile = certificatesDirectory + "/" + reference.registry + "/ca.crt"
        if FileManager.default.fileExists(atPath: caFile) {
            tls.additionalTrustRoots = [.file(caFile)]
        }
        var configuration = HTTPClientSettings.configuration(
            connectTimeout: .seconds(connectTimeoutSeconds), readTimeout: nil, tls: tls)
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        return configuration
    }

    private func check(_ reference: ImageReference, credential: RegistryCredential?, http: RoutedHTTPClients) async throws -> Bool {
        var scheme = "https"
        let path = "/v2/\(reference.repository)/manifests/\(reference.tag)"
        var response: Answer
        do {
            response = try await get(
                "\(scheme)://\(reference.apiHost)\(path)", authorization: nil, http: http, registry: reference.registry)
        } catch RegistryError.unreachable where reference.isLoopback {
            // Docker treats loopback registries as insecure: plain HTTP is allowed there.
            scheme = "http"
            response = try await get(
                "\(scheme)://\(reference.apiHost)\(path)", authorization: nil, http: http, registry: reference.registry)
        }
        if response.status == 401 {
            let challenge = Challenge.parse(response.authenticate ?? "")
            let authorization: String
            switch challenge {
            case .bearer(let realm, let service):
                let token = try await fetchToken(
                    realm: realm, service: service, scope: "repository:\(reference.repository):pull",
                    credential: credential, http: http, registry: reference.registry)
                authorization = "Bearer " + token
            case .basic, .none:
                guard let credential else { throw RegistryError.unauthorized(registry: reference.registry, credentialSource: nil) }
                authorization = Self.basic(credential)
            }
            response = try await get(
                "\(scheme)://\(reference.apiHost)\(path)", authorization: authorization, http: http, registry: reference.registry)
        }
        switch response.status {
        case 200: return true
        case 404: return false
        case 401, 403:
            // Docker Hub answers 401 for a repository that does not exist (BinderHub's not_found_401).
            if reference.registry == ImageReference.dockerHub { return false }
            throw RegistryError.unauthorized(registry: reference.registry, credentialSource: credential?.source)
        default:
            throw RegistryError.unexpectedStatus(registry: reference.registry, status: response.status, message: response.message)
        }
    }

    struct Answer {
        var status: Int
        var authenticate: String?
        var body: [UInt8]
        var headers = HTTPHeaders()
        var message: String {
            struct Errors: Decodable { struct Item: Decodable { var message: String? }; var errors: [Item]? }
            if let decoded = try? JSONDecoder().decode(Errors.self, from: Data(body)),
                let text = decoded.errors?.compactMap(\.message).first
            {
                return text
            }
            return String(decoding: body.prefix(200), as: UTF8.self).trimmingCharactersInSet(" \n\r\t")
        }
    }

    private func get(
        _ url: String, authorization: String?, http: RoutedHTTPClients, registry: String,
        method: HTTPMethod = .GET, form: String? = nil
    ) async throws -> Answer {
        var lastError: (any Error)?
        for attempt in 1...attempts {
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Accept", value: Self.manifestTypes)
            request.headers.add(name: "User-Agent", value: "swift-r2d")
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            do {
                let response = try await http.execute(request, timeout: requestTimeout)
                let body = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
                let answer = Answer(
                    status: Int(response.status.code), authenticate: response.headers.first(name: "WWW-Authenticate"), body: body)
                if answer.status >= 500 && attempt < attempts {
                    lastError = RegistryError.unexpectedStatus(registry: registry, status: answer.status, message: answer.message)
                    try await Task.sleep(for: .milliseconds(500 * attempt))
                    continue
                }
                return answer
            } catch let error as CancellationError {
                throw error
            } catch {
                lastError = error
                // A name that does not resolve, a refused connection or a certificate the client does not trust
                // will not change on retry.
                if let failure = ConnectFailure.classify(error) {
                    let host = ConnectFailure.host(in: error) ?? ConnectFailure.host(ofURL: url)
                    throw RegistryError.unreachable(
                        registry: registry, reason: failure.explanation(host: host, connectSeconds: connectTimeoutSeconds))
                }
                if "\(error)".contains("handshake") { break }
                if attempt < attempts { try await Task.sleep(for: .milliseconds(500 * attempt)) }
            }
        }
        if let error = lastError as? RegistryError { throw error }
        throw RegistryError.unreachable(registry: registry, reason: Self.describe(lastError))
    }

    static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "no answer" }
        if let error = error as? NIOSSLError { return "TLS: \(error)" }
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error).prefix(200).description
    }

    /// Gets a pull token from the realm the registry named (the Docker token protocol).
    func fetchToken(
        realm: String, service: String?, scope: String, credential: RegistryCredential?,
        http: RoutedHTTPClients, registry: String
    ) async throws -> String {
        var components = URLComponents(string: realm)
        var items = components?.queryItems ?? []
        if let service { items.append(URLQueryItem(name: "service", value: service)) }
        items.append(URLQueryItem(name: "scope", value: scope))
        let answer: Answer
        if let token = credential?.identityToken, var form = URLComponents(string: "http://x") {
            // An identity token is exchanged with the OAuth2 refresh-token grant.
            form.queryItems =
                items + [
                    URLQueryItem(name: "grant_type", value: "refresh_token"),
                    URLQueryItem(name: "refresh_token", value: token),
                    URLQueryItem(name: "client_id", value: "swift-r2d"),
                ]
            answer = try await get(
                realm, authorization: nil, http: http, registry: registry, method: .POST,
                form: form.percentEncodedQuery ?? "")
        } else {
            components?.queryItems = items
            guard let url = components?.string else {
                throw RegistryError.unexpectedStatus(registry: registry, status: 401, message: "the token realm \(realm) is not a URL")
            }
            answer = try await get(url, authorization: credential.map(Self.basic), http: http, registry: registry)
        }
        guard answer.status == 200 else {
            if answer.status == 401 || answer.status == 403 {
                throw RegistryError.unauthorized(registry: registry, credentialSource: credential?.source)
            }
            throw RegistryError.unexpectedStatus(registry: registry, status: answer.status, message: answer.message)
        }
        struct Token: Decodable { var token: String?; var access_token: String? }
        guard let decoded = try? JSONDecoder().decode(Token.self, from: Data(answer.body)),
            let token = decoded.token ?? decoded.access_token
        else {
            throw RegistryError.unexpectedStatus(registry: registry, status: 200, message: "the token answer has no token")
        }
        return token
    }

    static func basic(_ credential: RegistryCredential) -> String {
        "Basic " + Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
    }

    /// A `WWW-Authenticate` challenge.
    enum Challenge: Equatable {
        case basic
        case bearer(realm: String, service: String?)

        static func parse(_ header: String) -> Challenge? {
            let trimmed = header.trimmingCharactersInSet(" ")
            guard let space = trimmed.firstIndex(of: " ") else {
                return trimmed.lowercased() == "basic" ? .basic : nil
            }
            let scheme = trimmed[..<space].lowercased()
            if scheme == "basic" { return .basic }
            guard scheme == "bearer" else { return nil }
            var parameters: [String: String] = [:]
            var rest = trimmed[trimmed.index(after: space)...]
            while let equals = rest.firstIndex(of: "=") {
                let key = String(rest[..<equals]).trimmingCharactersInSet(" ,").lowercased()
                rest = rest[rest.index(after: equals)...]
                var value = ""
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    let close = rest.firstIndex(of: "\"") ?? rest.endIndex
                    value = String(rest[..<close])
                    rest = close < rest.endIndex ? rest[rest.index(after: close)...] : rest[rest.endIndex...]
                } else {
                    let comma = rest.firstIndex(of: ",") ?? rest.endIndex
                    value = String(rest[..<comma])
                    rest = rest[comma...]
                }
                parameters[key] = value
                rest = rest.drop { $0 == "," || $0 == " " }
            }
            guard let realm = parameters["realm"] else { return nil }
            return .bearer(realm: realm, service: parameters["service"])
        }
    }
}
