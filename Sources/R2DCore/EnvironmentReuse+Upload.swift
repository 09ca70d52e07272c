import AsyncHTTPClient
import Foundation
import NIOCore
import R2DBasics
import R2DBuildContext
import R2DRegistry

extension Pipeline {
    /// Pushes a composed image: the layers the registry lacks (a layer it has, such as the entrypoint's, which is
    /// the same for every commit, is not sent again), the config, then the manifest under the image's tag, with
    /// the push's progress lines. Nothing is tagged until every blob is in.
    func upload(
        layers: [WrittenLayer], config: [UInt8], manifest: [UInt8], mediaType: String, _ session: RegistrySession,
        _ identity: ImageIdentity
    ) async throws {
        reporter.log("Pushing image \(identity.name)\n", phase: .pushing)
        var events: [String: Reporter.LayerEvent] = [:]
        let stall = request.limits.pushStallTimeoutSeconds
        for layer in layers {
            let id = String(layer.digest.dropFirst(7).prefix(12))
            if try await session.hasBlob(layer.digest) {
                events[id] = Reporter.LayerEvent(id: id, status: "Layer already exists", current: nil, total: nil)
            } else {
                // A request may take the stall limit plus a second per MiB: a slow upload is not a stalled one.
                let timeout = TimeAmount.seconds(stall + layer.size / (1 << 20))
                let path = layer.path
                try await session.upload(digest: layer.digest, size: layer.size, timeout: timeout) { FileChunks.body(path: path) }
                events[id] = Reporter.LayerEvent(id: id, status: "Pushed", current: layer.size, total: layer.size)
            }
            reporter.pushProgress(events)
        }
        let configDigest = RegistryDigest.of(config)
        if try await !session.hasBlob(configDigest) {
            try await session.upload(digest: configDigest, size: Int64(config.count), timeout: .seconds(stall)) {
                .bytes(ByteBuffer(bytes: config))
            }
        }
        try await session.putManifest(manifest, mediaType: mediaType, tag: identity.tag)
        reporter.log("Successfully pushed \(identity.name)\n", phase: .pushing)
    }
}

/// A file as a request body, read in 256 KiB pieces only as the upload takes them (so memory stays bounded
/// whatever the layer's size and the network's speed).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    static func body(path: String) -> HTTPClientRequest.Body {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return .stream(FileChunks(path: path), length: .known(Int64(size)))
    }

    func makeAsyncIterator() -> Iterator { Iterator(handle: FileHandle(forReadingAtPath: path), path: path) }

    struct Iterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let path: String

        mutating func next() async throws -> ByteBuffer? {
            guard let handle else { throw CoreError.fileSystem("Cannot read the layer \(path).") }
            try Task.checkCancellation()
            guard let piece = try handle.read(upToCount: 256 << 10), !piece.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: piece)
        }
    }
}
