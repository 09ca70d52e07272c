import Foundation

extension EngineClient {
    /// Inspects an image; nil when the daemon does not know it.
    public func inspectImage(_ reference: String) async throws -> ImageInspect? {
        struct Config: Decodable {
            var WorkingDir: String?
            var Labels: [String: String]?
        }
        struct Answer: Decodable {
            var Id: String
            var RepoTags: [String]?
            var Created: String?
            var Config: Config?
        }
        do {
            let answer: Answer = try await json(.GET, "/images/\(Self.pathComponent(reference))/json")
            return ImageInspect(
                id: answer.Id, repoTags: answer.RepoTags ?? [], workingDir: answer.Config?.WorkingDir ?? "",
                labels: answer.Config?.Labels ?? [:], created: answer.Created ?? "")
        } catch EngineError.daemon(status: 404, _) {
            return nil
        }
    }

    /// Tags `source` as repository:tag.
    public func tagImage(_ source: String, repository: String, tag: String) async throws {
        try await expectSuccess(
            .POST, "/images/\(Self.pathComponent(source))/tag", query: [("repo", repository), ("tag", tag)])
    }

    /// Removes an image (or one of its tags); `prune: false` keeps its untagged parents (the layer cache).
    public func removeImage(_ reference: String, force: Bool, prune: Bool = true) async throws {
        var query: [(String, String)] = force ? [("force", "1")] : []
        if !prune { query.append(("noprune", "1")) }
        try await expectSuccess(.DELETE, "/images/\(Self.pathComponent(reference))", query: query)
    }
}

/// Credentials for `X-Registry-Auth`, the header the daemon hands to the registry on push.
public struct RegistryAuth: Sendable, Equatable {
    public var username: String
    public var password: String
    public var identityToken: String?
    public var serverAddress: String

    public init(username: String, password: String, identityToken: String? = nil, serverAddress: String) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
        self.serverAddress = serverAddress
    }

    /// base64url of the JSON the Engine API expects. The daemon requires the header even when empty (`{}`).
    public static func headerValue(_ auth: RegistryAuth?) throws -> String {
        struct Body: Encodable {
            var username: String?
            var password: String?
            var identitytoken: String?
            var serveraddress: String?
        }
        var body = Body()
        if let auth {
            body.serveraddress = auth.serverAddress
            if let token = auth.identityToken {
                body.identitytoken = token
            } else {
                body.username = auth.username
                body.password = auth.password
            }
        }
        let json = try JSONEncoder().encode(body)
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

/// One message of a push stream: a layer's state and byte counts, or an overall status line.
public struct PushProgress: Sendable, Equatable {
    /// The layer (short id), nil for overall status lines.
    public var layer: String?
    public var status: String
    public var current: Int64?
    public var total: Int64?

    public init(layer: String?, status: String, current: Int64? = nil, total: Int64? = nil) {
        self.layer = layer
        self.status = status
        self.current = current
        self.total = total
    }
}

extension EngineClient {
    /// Pushes repository:tag to its registry, reporting the daemon's progress; returns the manifest digest
    /// when the daemon reports one. The stream's error message becomes `.pushFailed`.
    @discardableResult
    public func pushImage(
        repository: String, tag: String, auth: RegistryAuth?,
        onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws -> String? {
        let header = try RegistryAuth.headerValue(auth)
        let response = try await send(
            .POST, "/images/\(Self.pathComponent(repository))/push", query: [("tag", tag)],
            headers: [("X-Registry-Auth", header)], deadline: .distantFuture)
        if !(200..<300).contains(Int(response.status.code)) {
            let body = try await collectBody(response, limit: 1 << 20)
            throw EngineError.pushFailed(message: Self.errorMessage(from: body, reason: response.status.reasonPhrase))
        }
        var digest: String?
        // Unlike the build stream's, this error does not quote the line (as before the decoder was shared).
        let notJSON = { (_: String) in EngineError.protocolError("the push stream carried a line that is not JSON") }
        try await forEachJSONLine(of: response, as: PushMessage.self, undecodableLine: notJSON) { message in
            if let error = message.errorDetail?.message ?? message.error {
                throw EngineError.pushFailed(message: error.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let found = message.aux?.Digest { digest = found }
            if let status = message.status {
                onProgress(
                    PushProgress(
                        layer: message.id, status: status, current: message.progressDetail?.current,
                        total: message.progressDetail?.total))
            }
        }
        return digest
    }
}

struct PushMessage: Decodable {
    struct Detail: Decodable { var current: Int64?; var total: Int64? }
    struct ErrorDetail: Decodable { var message: String? }
    struct Aux: Decodable { var Digest: String? }
    var status: String?
    var id: String?
    var progressDetail: Detail?
    var error: String?
    var errorDetail: ErrorDetail?
    var aux: Aux?
}
