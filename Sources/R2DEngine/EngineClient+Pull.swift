import Foundation

extension EngineClient {
    /// Pulls repository:tag from its registry into the daemon (`POST /images/create`), reporting the daemon's
    /// progress. The stream's error message (a tag deleted meanwhile, a registry failing half way) becomes
    /// `.pullFailed`; the daemon tags the image only once every layer is in, so a failed pull tags nothing.
    public func pullImage(
        repository: String, tag: String, auth: RegistryAuth?, platform: String?,
        onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws {
        var query = [("fromImage", repository), ("tag", tag)]
        if let platform { query.append(("platform", platform)) }
        let response = try await send(
            .POST, "/images/create", query: query, headers: [("X-Registry-Auth", try RegistryAuth.headerValue(auth))],
            deadline: .distantFuture)
        if !(200..<300).contains(Int(response.status.code)) {
            let body = try await collectBody(response, limit: 1 << 20)
            throw EngineError.pullFailed(message: Self.errorMessage(from: body, reason: response.status.reasonPhrase))
        }
        let notJSON = { (_: String) in EngineError.protocolError("the pull stream carried a line that is not JSON") }
        try await forEachJSONLine(of: response, as: PushMessage.self, undecodableLine: notJSON) { message in
            if let error = message.errorDetail?.message ?? message.error {
                throw EngineError.pullFailed(message: error.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let status = message.status {
                onProgress(
                    PushProgress(
                        layer: message.id, status: status, current: message.progressDetail?.current,
                        total: message.progressDetail?.total))
            }
        }
    }
}
