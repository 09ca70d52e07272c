import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import R2DBuildContext
import SwiftProtobuf
import Testing

@testable import R2DBuildKitSession

/// The session against a stand-in for the daemon on loopback: it reads the `POST /session` request, answers 101
/// and then, as the daemon does, is the HTTP/2 client making gRPC calls. The real daemons' tests are in
/// Tests/R2DIntegrationTests/SessionBuildTests.swift; this one checks the request's shape and the wire protocol.
@Suite struct SessionRoundTripTests {
    typealias Stream = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>

    /// The stand-in's side of one call: the response messages and the grpc-status.
    struct Answer {
        var messages: [[UInt8]] = []
        var status: String?
    }

    @Test func upgradeHeadersHealthSecretsAndDiffCopy() async throws {
        let (tree, spec) = try FileSyncSnapshotTests.fixture()
        defer { _ = tree }
        let snapshot = try BuildContext.snapshot(spec)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let daemon = try await StandInDaemon.start(group: group)
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: daemon.port).get()
        let services = SessionServices(context: snapshot, secrets: ["token": Array("s3cret".utf8)])
        try await BuildKitSession.withSession(on: channel, path: "/v1.45/session", host: "docker", name: "test", services: services) { id in
            let request = try await daemon.request()
            #expect(request.hasPrefix("POST /v1.45/session HTTP/1.1\r\n"))
            for header in [
                "Upgrade: h2c", "Connection: Upgrade", "X-Docker-Expose-Session-Uuid: \(id)", "X-Docker-Expose-Session-Name: test",
                "X-Docker-Expose-Session-Grpc-Method: /grpc.health.v1.Health/Check",
                "X-Docker-Expose-Session-Grpc-Method: /moby.filesync.v1.FileSync/DiffCopy",
                "X-Docker-Expose-Session-Grpc-Method: /moby.buildkit.secrets.v1.Secrets/GetSecret",
            ] {
                #expect(request.contains("\r\n\(header)\r\n"), "\(header)")
            }
            #expect(!request.contains("Auth/Credentials"), "no credentials were given, so no auth service")
            try await Self.checkCalls(daemon.multiplexer(), snapshot: snapshot)
        }
        try await group.shutdownGracefully()
    }

    /// The daemon may open a call (a health check, a last file request) just as the build ends: streams it opened
    /// that the session never got to serve must still be closed properly when the session ends, never dropped
    /// (NIO stops the process when an unfinished stream writer is freed). Many calls in a burst, then the end.
    @Test func callsOpenedAsTheSessionEndsAreClosed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (tree, spec) = try FileSyncSnapshotTests.fixture()
        defer { _ = tree }
        let services = SessionServices(context: try BuildContext.snapshot(spec), secrets: [:])
        for _ in 0..<10 {
            let daemon = try await StandInDaemon.start(group: group)
            let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: daemon.port).get()
            try await BuildKitSession.withSession(on: channel, path: "/v1.45/session", host: "docker", name: "t", services: services) { _ in
                let multiplexer = try await daemon.multiplexer()
                try await withThrowingTaskGroup(of: Void.self) { calls in
                    for _ in 0..<64 {
                        calls.addTask { try? await Self.openWithoutWaiting(multiplexer, "/grpc.health.v1.Health/Check") }
                    }
                    try await calls.waitForAll()
                }
            }
            #expect(!channel.isActive)
        }
        try await group.shutdownGracefully()
    }

    /// Sends a call's request head and closes this side's stream without reading the answer.
    static func openWithoutWaiting(_ multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>, _ path: String) async throws {
        let stream = try await multiplexer.openStream { channel in
            channel.eventLoop.makeCompletedFuture { try Stream(wrappingChannelSynchronously: channel) }
        }
        try await stream.executeThenClose { _, outbound in
            let headers: HPACKHeaders = [
                ":method": "POST", ":scheme": "http", ":path": path, ":authority": "session", "content-type": "application/grpc",
            ]
            try await outbound.write(.headers(.init(headers: headers)))
        }
    }

    static func checkCalls(_ multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>, snapshot: ContextSnapshot) async throws {
        let health = try await call(
            multiplexer, "/grpc.health.v1.Health/Check", [try Grpc_Health_V1_HealthCheckRequest().serializedBytes()])
        #expect(health.status == "0")
        #expect(try health.messages.map { try Grpc_Health_V1_HealthCheckResponse(serializedBytes: $0).status } == [.serving])

        let secret = try await call(
            multiplexer, "/moby.buildkit.secrets.v1.Secrets/GetSecret",
            [try Moby_Buildkit_Secrets_V1_GetSecretRequest.with { $0.id = "token" }.serializedBytes()])
        #expect(
            try secret.messages.map { Array(try Moby_Buildkit_Secrets_V1_GetSecretResponse(serializedBytes: $0).data) } == [
                Array("s3cret".utf8)
            ])
        let missing = try await call(
            multiplexer, "/moby.buildkit.secrets.v1.Secrets/GetSecret",
            [try Moby_Buildkit_Secrets_V1_GetSecretRequest.with { $0.id = "other" }.serializedBytes()])
        #expect(missing.status == "5" && missing.messages.isEmpty)
        let unknown = try await call(multiplexer, "/moby.filesync.v1.Auth/GetTokenAuthority", [[]])
        #expect(unknown.status == "12")

        // DiffCopy, as fsutil's receiver runs it: every STAT, then REQ for one file, then FIN.
        let readme = try #require(snapshot.entries.firstIndex { $0.path == "src/README.md" })
        let requests = try [
            Fsutil_Types_Packet.with {
                $0.type = .packetReq; $0.id = UInt32(readme)
            },
            Fsutil_Types_Packet.with { $0.type = .packetFin },
        ].map { try $0.serializedBytes() as [UInt8] }
        let copy = try await call(multiplexer, "/moby.filesync.v1.FileSync/DiffCopy", requests, metadata: ["dir-name": "context"])
        #expect(copy.status == "0")
        let packets = try copy.messages.map { try Fsutil_Types_Packet(serializedBytes: $0) }
        let stats = packets.prefix { $0.type == .packetStat && $0.hasStat }
        #expect(stats.map(\.stat.path) == snapshot.entries.map(\.path))
        let rest = packets.dropFirst(stats.count)
        #expect(rest.map(\.type) == [.packetStat, .packetData, .packetData, .packetFin])
        #expect(rest.dropFirst().first.map { String(decoding: $0.data, as: UTF8.self) } == "hello\n")
    }

    /// One gRPC call on a new stream: the request messages and END_STREAM, then everything the session answers.
    static func call(
        _ multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>, _ path: String, _ messages: [[UInt8]],
        metadata: [String: String] = [:]
    ) async throws -> Answer {
        let stream = try await multiplexer.openStream { channel in
            channel.eventLoop.makeCompletedFuture { try Stream(wrappingChannelSynchronously: channel) }
        }
        return try await stream.executeThenClose { inbound, outbound in
            var headers: HPACKHeaders = [
                ":method": "POST", ":scheme": "http", ":path": path, ":authority": "session", "content-type": "application/grpc",
                "te": "trailers",
            ]
            for (name, value) in metadata { headers.add(name: name, value: value) }
            try await outbound.write(.headers(.init(headers: headers)))
            for (index, message) in messages.enumerated() {
                let data = HTTP2Frame.FramePayload.Data(
                    data: .byteBuffer(grpcFramed(message, allocator: ByteBufferAllocator())), endStream: index == messages.count - 1)
                try await outbound.write(.data(data))
            }
            var answer = Answer()
            var deframer = GRPCMessageDeframer()
            for try await frame in inbound {
                switch frame {
                case .headers(let received):
                    if let status = received.headers.first(name: "grpc-status") { answer.status = status }
                    if received.endStream { return answer }
                case .data(let data):
                    if case .byteBuffer(let bytes) = data.data { deframer.append(bytes) }
                    while let message = try deframer.next() { answer.messages.append(message) }
                default:
                    continue
                }
            }
            return answer
        }
    }
}

/// A loopback listener that takes one connection, reads its HTTP/1.1 request head, answers 101 and becomes the
/// HTTP/2 client on it.
final class StandInDaemon: @unchecked Sendable {
    let port: Int
    private let connection: AsyncThrowingStream<(String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>), any Error>
    private var received: (String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>)?

    private init(port: Int, connection: AsyncThrowingStream<(String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>), any Error>) {
        self.port = port
        self.connection = connection
    }

    static func start(group: any EventLoopGroup) async throws -> StandInDaemon {
        let (stream, sink) = AsyncThrowingStream<(String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>), any Error>.makeStream()
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RequestHeadReader(sink: sink))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return StandInDaemon(port: server.localAddress?.port ?? 0, connection: stream)
    }

    private func next() async throws -> (String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>) {
        if let received { return received }
        for try await value in connection {
            received = value
            return value
        }
        throw CancellationError()
    }

    func request() async throws -> String { try await next().0 }
    func multiplexer() async throws -> NIOHTTP2Handler.AsyncStreamMultiplexer<Void> { try await next().1 }

    /// Collects the request head, answers 101 and installs the HTTP/2 client pipeline in its place.
    final class RequestHeadReader: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        private var head = ""
        private let sink: AsyncThrowingStream<(String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>), any Error>.Continuation

        init(sink: AsyncThrowingStream<(String, NIOHTTP2Handler.AsyncStreamMultiplexer<Void>), any Error>.Continuation) {
            self.sink = sink
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            head += String(buffer: bytes)
            guard head.contains("\r\n\r\n") else { return }
            var answer = context.channel.allocator.buffer(capacity: 100)
            answer.writeString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
            do {
                let multiplexer = try context.pipeline.syncOperations.configureAsyncHTTP2Pipeline(mode: .client) { channel in
                    channel.eventLoop.makeSucceededVoidFuture()
                }
                sink.yield((head, multiplexer))
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            } catch {
                sink.finish(throwing: error)
            }
        }

        typealias OutboundOut = ByteBuffer
    }
}
