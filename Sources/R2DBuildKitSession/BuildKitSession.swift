import Foundation
import NIOCore

/// The client side of a BuildKit session on the Engine API, as the docker CLI opens one: `POST /session` asks the
/// daemon to switch the connection to HTTP/2 (`Upgrade: h2c`), naming the session and every gRPC method it
/// serves in `X-Docker-Expose-Session-*` headers; after `101 Switching Protocols` the daemon is the HTTP/2
/// client and this side the server, answering the calls a build makes (file sync, secrets, registry
/// credentials, health checks). A build joins the session with `session=<id>` on `POST /build`.
public enum BuildKitSession {
    /// Opens a session on `channel` (connected to the engine, nothing read or written yet), runs `body` with the
    /// session's id once the daemon accepted it, and closes the connection when `body` returns or throws,
    /// which ends the session on the daemon. Cancelling the task ends `body` and the session alike.
    ///
    /// - Parameters:
    ///   - path: the request path, with the API version (`/v1.43/session`).
    ///   - host: the `Host` header (`docker` on a unix socket).
    ///   - name: what the daemon shows the session as (`X-Docker-Expose-Session-Name`).
    public static func withSession<T: Sendable>(
        on channel: any Channel, path: String, host: String, name: String, services: SessionServices,
        _ body: @Sendable (_ sessionID: String) async throws -> T
    ) async throws -> T {
        let id = makeID()
        let router = SessionRouter(services: services)
        let unserved = UnservedStreams()
        let multiplexer: SessionServer.Multiplexer
        do {
            let request = upgradeRequest(path: path, host: host, id: id, name: name, router: router)
            multiplexer = try await upgrade(channel, request: request, unserved: unserved)
        } catch {
            try? await channel.close()
            await unserved.finishAll()
            throw error
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await serving(multiplexer, on: channel, router: router, unserved: unserved, body, id))
        } catch {
            outcome = .failure(error)
        }
        // Once the connection is closed no stream can come, so the ones no call took can be finished.
        try? await channel.closeFuture.get()
        await unserved.finishAll()
        return try outcome.get()
    }

    /// Serves the session's calls while `body` runs, then closes the connection and ends the calls.
    private static func serving<T: Sendable>(
        _ multiplexer: SessionServer.Multiplexer, on channel: any Channel, router: SessionRouter, unserved: UnservedStreams,
        _ body: @Sendable (_ sessionID: String) async throws -> T, _ id: String
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await SessionServer.serve(multiplexer, router: router, unserved: unserved)
                return nil
            }
            defer { channel.close(promise: nil) }
            let result: T
            do {
                result = try await body(id)
            } catch {
                channel.close(promise: nil)
                group.cancelAll()
                throw error
            }
            channel.close(promise: nil)
            group.cancelAll()
            return result
        }
    }

    /// A fresh id and shared key for each build. The shared key names the daemon's copy of the synced context
    /// for later builds to diff against; fsutil's diff trusts equal size and mtime, and every entry of a context
    /// carries the commit's time, so a key reused across builds could keep a changed file of equal size stale.
    static func makeID() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// The HTTP/1.1 request that asks for the session.
    static func upgradeRequest(path: String, host: String, id: String, name: String, router: SessionRouter) -> String {
        var lines = [
            "POST \(path) HTTP/1.1", "Host: \(host)", "Content-Length: 0", "Connection: Upgrade", "Upgrade: h2c",
            "X-Docker-Expose-Session-Uuid: \(id)", "X-Docker-Expose-Session-Name: \(headerSafe(name))",
            "X-Docker-Expose-Session-Sharedkey: \(makeID())",
        ]
        lines += router.methods.map { "X-Docker-Expose-Session-Grpc-Method: \($0)" }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// A header value without line breaks or other control characters.
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F })
    }

    private static func upgrade(
        _ channel: any Channel, request: String, unserved: UnservedStreams
    ) async throws -> SessionServer.Multiplexer {
        let promise = channel.eventLoop.makePromise(of: SessionServer.Multiplexer.self)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(SessionUpgradeHandler(promise: promise, unserved: unserved))
        }.get()
        var buffer = channel.allocator.buffer(capacity: request.utf8.count)
        buffer.writeString(request)
        try await channel.writeAndFlush(buffer)
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
