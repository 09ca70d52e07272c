import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One request the stub engine received.
public struct StubRequest: Sendable {
    public var method: String
    /// The full request target, e.g. "/v1.41/build?t=a".
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The path part of the URI, without the query.
    public var path: String {
        String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// Decoded query parameters in order (repeated names kept).
    public var queryItems: [(name: String, value: String)] {
        guard let components = URLComponents(string: uri), let items = components.queryItems else { return [] }
        return items.map { ($0.name, $0.value ?? "") }
    }

    /// All values of a query parameter.
    public func queryValues(_ name: String) -> [String] {
        queryItems.filter { $0.name == name }.map(\.value)
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A canned answer of the stub engine.
public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// Body pieces, each written and flushed separately.
    public var chunks: [[UInt8]]
    /// Close the connection after the chunks without ending the response, like a daemon dying mid-stream.
    public var dropConnection: Bool

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], chunks: [[UInt8]] = [], dropConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.dropConnection = dropConnection
    }

    /// A JSON answer in one piece.
    public static func json(_ text: String, status: Int = 200) -> StubResponse {
        StubResponse(
            status: status, headers: [("Content-Type", "application/json")], chunks: [Array(text.utf8)])
    }

    /// A daemon error `{"message": …}`.
    public static func error(_ message: String, status: Int) -> StubResponse {
        let escaped = String(decoding: (try? JSONEncoder().encode(message)) ?? Data("\"\"".utf8), as: UTF8.self)
        return json("{\"message\":\(escaped)}", status: status)
    }

    /// The `/_ping` answer with an API-Version header.
    public static func ping(apiVersion: String = "1.41") -> StubResponse {
        StubResponse(
            status: 200, headers: [("API-Version", apiVersion), ("Content-Type", "text/plain")], chunks: [Array("OK".utf8)])
    }
}

/// An HTTP/1 server on a temporary unix socket that records requests and answers from a handler.
public final class StubEngineServer: Sendable {
    /// The socket path (short enough for sun_path).
    public let socketPath: String
    private let channel: any Channel
    private let log: RequestLog

    /// Every request received so far, in order.
    public var requests: [StubRequest] { log.items.withLock { $0 } }

    private init(socketPath: String, channel: any Channel, log: RequestLog) {
        self.socketPath = socketPath
        self.channel = channel
        self.log = log
    }

    /// Starts a server whose answers come from `handler`.
    public static func start(
        handler: @escaping @Sendable (StubRequest) -> StubResponse
    ) async throws -> StubEngineServer {
        let socketPath = "/tmp/r2d-stub-\(UInt32.random(in: 0...UInt32.max)).sock"
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        StubHandler(record: { request in log.items.withLock { $0.append(request) } }, handler: handler))
                }
            }
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true)
            .get()
        return StubEngineServer(socketPath: socketPath, channel: channel, log: log)
    }

    /// Starts a server on 127.0.0.1 with a kernel-chosen port (for registry and HTTP-API stubs); `socketPath`
    /// is then "127.0.0.1:<port>".
    public static func startTCP(
        handler: @escaping @Sendable (StubRequest) -> StubResponse
    ) async throws -> StubEngineServer {
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        StubHandler(record: { request in log.items.withLock { $0.append(request) } }, handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = channel.localAddress?.port ?? 0
        return StubEngineServer(socketPath: "127.0.0.1:\(port)", channel: channel, log: log)
    }

    /// Stops listening and removes the socket file.
    public func stop() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: socketPath)
    }
}

private final class RequestLog: Sendable {
    let items = Mutex<[StubRequest]>([])
}

private final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let record: @Sendable (StubRequest) -> Void
    private let handler: @Sendable (StubRequest) -> StubResponse
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(record: @escaping @Sendable (StubRequest) -> Void, handler: @escaping @Sendable (StubRequest) -> StubResponse) {
        self.record = record
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let request = StubRequest(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
            record(request)
            respond(handler(request), context: context, version: head.version)
            self.head = nil
        }
    }

    private func respond(_ response: StubResponse, context: ChannelHandlerContext, version: HTTPVersion) {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if response.chunks.count == 1, !response.dropConnection {
            headers.replaceOrAdd(name: "Content-Length", value: String(response.chunks[0].count))
        } else if response.chunks.isEmpty, !response.dropConnection {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        } else {
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        for chunk in response.chunks {
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: chunk)))), promise: nil)
        }
        if response.dropConnection {
            context.flush()
            context.close(promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
