import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import R2DBasics
import R2DHTTP

extension RegistrySession {
    /// The token scope: push and pull here, pull where blobs are mounted from.
    var scope: String {
        (["repository:\(reference.repository):pull,push"] + mountSources.map { "repository:\($0):pull" }).joined(separator: " ")
    }

    /// `path` is relative to `/v2/<repository>/` or an absolute URL (an upload's Location).
    func absolute(_ path: String) throws -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        if path.hasPrefix("/") { return "\(scheme)://\(reference.apiHost)\(path)" }
        return "\(scheme)://\(reference.apiHost)/v2/\(reference.repository)/\(path)"
    }

    /// One request, authenticated: answered 401 once, it asks for a token (or sends Basic credentials) and tries
    /// again. A loopback registry is spoken to over plain HTTP when HTTPS does not answer, as Docker does.
    func send(
        _ method: HTTPMethod, _ path: String, accept: String? = nil, contentType: String? = nil, length: Int64? = nil,
        timeout: TimeAmount? = nil, limit: Int = 1 << 20, body: (@Sendable () -> HTTPClientRequest.Body)? = nil
    ) async throws -> RegistryClient.Answer {
        let request = Outgoing(method: method, accept: accept, contentType: contentType, length: length, body: body)
        var answer: RegistryClient.Answer
        do {
            answer = try await attempt(request, url: try absolute(path), timeout: timeout, limit: limit)
        } catch RegistryError.unreachable where reference.isLoopback && scheme == "https" && !path.hasPrefix("http") {
            useScheme("http")
            answer = try await attempt(request, url: try absolute(path), timeout: timeout, limit: limit)
        }
        guard answer.status == 401 else { return answer }
        try await authenticate(Challenge(header: answer.authenticate))
        return try await attempt(request, url: try absolute(path), timeout: timeout, limit: limit)
    }

    private func useScheme(_ value: String) { scheme = value }

    struct Outgoing: Sendable {
        var method: HTTPMethod
        var accept: String?
        var contentType: String?
        var length: Int64?
        var body: (@Sendable () -> HTTPClientRequest.Body)?
    }

    struct Challenge { var header: String? }

    private func authenticate(_ challenge: Challenge) async throws {
        switch RegistryClient.Challenge.parse(challenge.header ?? "") {
        case .bearer(let realm, let service):
            let token = try await client.fetchToken(
                realm: realm, service: service, scope: scope, credential: credential, http: http, registry: reference.registry)
            setAuthorization("Bearer " + token)
        case .basic, .none:
            guard let credential else { throw RegistryError.unauthorized(registry: reference.registry, credentialSource: nil) }
            setAuthorization(RegistryClient.basic(credential))
        }
    }

    private func setAuthorization(_ value: String) { authorization = value }

    /// Sends `request`, retrying transport failures and 5xx answers as the client's lookups do.
    private func attempt(_ request: Outgoing, url: String, timeout: TimeAmount?, limit: Int) async throws -> RegistryClient.Answer {
        var lastError: (any Error)?
        for attempt in 1...client.attempts {
            var outgoing = HTTPClientRequest(url: url)
            outgoing.method = request.method
            outgoing.headers.add(name: "User-Agent", value: "swift-r2d")
            if let accept = request.accept { outgoing.headers.add(name: "Accept", value: accept) }
            if let type = request.contentType { outgoing.headers.add(name: "Content-Type", value: type) }
            if let authorization { outgoing.headers.add(name: "Authorization", value: authorization) }
            if let length = request.length { outgoing.headers.add(name: "Content-Length", value: String(length)) }
            outgoing.body = request.body?() ?? (request.method == .POST || request.method == .PUT ? .bytes(ByteBuffer()) : nil)
            do {
                let response = try await http.execute(outgoing, timeout: timeout ?? client.requestTimeout)
                let bytes = request.method == .HEAD ? [] : Array(try await response.body.collect(upTo: limit).readableBytesView)
                let answer = RegistryClient.Answer(
                    status: Int(response.status.code), authenticate: response.headers.first(name: "WWW-Authenticate"), body: bytes,
                    headers: response.headers)
                guard answer.status >= 500 && attempt < client.attempts else { return answer }
                lastError = RegistryError.unexpectedStatus(registry: reference.registry, status: answer.status, message: answer.message)
            } catch let error as CancellationError {
                throw error
            } catch {
                lastError = error
                if let failure = ConnectFailure.classify(error) {
                    let host = ConnectFailure.host(in: error) ?? ConnectFailure.host(ofURL: url)
                    throw RegistryError.unreachable(
                        registry: reference.registry, reason: failure.explanation(host: host, connectSeconds: client.connectTimeoutSeconds))
                }
            }
            try await Task.sleep(for: .milliseconds(500 * attempt))
        }
        if let error = lastError as? RegistryError { throw error }
        throw RegistryError.unreachable(registry: reference.registry, reason: RegistryClient.describe(lastError))
    }
}
