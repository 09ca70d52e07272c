import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import R2DBasics
import R2DHTTP

/// A manifest as the registry stores it: its media type, its bytes and their digest.
public struct RegistryManifest: Sendable, Equatable {
    public init(mediaType: String, bytes: [UInt8], digest: String) {
        (self.mediaType, self.bytes, self.digest) = (mediaType, bytes, digest)
    }

    public let mediaType: String
    public let bytes: [UInt8]
    public let digest: String
}

/// Reads and writes one registry repository with the v2 API (OCI distribution): manifests, blobs, uploads and
/// cross-repository mounts, authenticated once for pull and push. Composing an image in the registry needs no
/// daemon: its layers are uploaded as blobs and its manifest is put under the tag.
public actor RegistrySession {
    let client: RegistryClient
    let reference: ImageReference
    let credential: RegistryCredential?
    /// Repositories of the same registry blobs may be mounted from (pull scope is asked for them too).
    let mountSources: [String]
    let http: RoutedHTTPClients
    var scheme = "https"
    var authorization: String?

    /// A session for `reference`'s repository (its tag is not used).
    public init(
        client: RegistryClient, repository reference: ImageReference, credential: RegistryCredential?, mountSources: [String] = []
    ) throws {
        (self.client, self.reference, self.credential, self.mountSources) = (client, reference, credential, mountSources)
        http = RoutedHTTPClients(configuration: try client.configuration(for: reference), proxies: client.proxies, trace: client.trace)
    }

    public func close() async { await http.shutdown() }

    /// The manifest under `tagOrDigest`, or nil when the registry does not know it.
    public func manifest(_ tagOrDigest: String) async throws -> RegistryManifest? {
        let answer = try await send(.GET, "manifests/\(tagOrDigest)", accept: RegistryClient.manifestTypes, limit: 4 << 20)
        if answer.status == 404 { return nil }
        try expect(answer, 200)
        let type = answer.headers.first(name: "Content-Type") ?? ""
        return RegistryManifest(mediaType: type, bytes: answer.body, digest: Self.sha256(answer.body))
    }

    /// A blob's bytes (an image config), at most `limit` of them; the digest is checked.
    public func blob(_ digest: String, limit: Int = 16 << 20) async throws -> [UInt8] {
        let answer = try await send(.GET, "blobs/\(digest)", limit: limit)
        try expect(answer, 200)
        guard Self.sha256(answer.body) == digest else {
            throw RegistryError.unexpectedStatus(registry: reference.registry, status: 200, message: "blob \(digest) has other bytes")
        }
        return answer.body
    }

    public func hasBlob(_ digest: String) async throws -> Bool {
        let answer = try await send(.HEAD, "blobs/\(digest)")
        if answer.status == 404 { return false }
        try expect(answer, 200)
        return true
    }

    /// Mounts a blob of another repository of this registry; false when the registry would not (it then has
    /// opened an upload, which is abandoned).
    public func mount(_ digest: String, from repository: String) async throws -> Bool {
        let query = "?mount=\(digest)&from=\(repository.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? repository)"
        let answer = try await send(.POST, "blobs/uploads/" + query)
        if answer.status == 201 { return true }
        try expect(answer, 202)
        return false
    }

    /// Uploads a blob in one request (the body is made anew for every attempt).
    public func upload(digest: String, size: Int64, timeout: TimeAmount, body: @escaping @Sendable () -> HTTPClientRequest.Body)
        async throws
    {
        let started = try await send(.POST, "blobs/uploads/")
        try expect(started, 202)
        guard let location = started.headers.first(name: "Location") else {
            throw RegistryError.unexpectedStatus(registry: reference.registry, status: 202, message: "the upload has no Location")
        }
        let url = try absolute(location) + (location.contains("?") ? "&" : "?") + "digest=" + digest
        let answer = try await send(
            .PUT, url, contentType: "application/octet-stream", length: size, timeout: timeout, body: body)
        try expect(answer, 201)
    }

    /// Puts a manifest under `tag`.
    public func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws {
        let answer = try await send(
            .PUT, "manifests/\(tag)", contentType: mediaType, length: Int64(bytes.count), body: { .bytes(ByteBuffer(bytes: bytes)) })
        try expect(answer, 201)
    }

    static func sha256(_ bytes: [UInt8]) -> String { "sha256:" + Hex.encode(SHA256.hash(data: bytes)) }

    private func expect(_ answer: RegistryClient.Answer, _ status: Int) throws {
        guard answer.status != status else { return }
        if answer.status == 401 || answer.status == 403 {
            throw RegistryError.unauthorized(registry: reference.registry, credentialSource: credential?.source)
        }
        throw RegistryError.unexpectedStatus(registry: reference.registry, status: answer.status, message: answer.message)
    }
}
