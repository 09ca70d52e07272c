import NIOCore
import NIOHPACK
import NIOHTTP2

/// The gRPC server side of the session: the daemon opens one HTTP/2 stream per call on the upgraded connection.
/// A minimal gRPC server on swift-nio-http2 rather than grpc-swift-nio-transport, whose server transport only
/// accepts connections from a listener it is given, while here the one connection already exists (see README).
enum SessionServer {
    typealias Stream = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>
    typealias Multiplexer = NIOHTTP2Handler.AsyncStreamMultiplexer<Stream>

    /// Makes each stream the daemon opens an async channel of frames.
    static func streamInitializer(_ channel: any Channel) -> EventLoopFuture<Stream> {
        channel.eventLoop.makeCompletedFuture {
            try Stream(wrappingChannelSynchronously: channel)
        }
    }

    /// Serves every stream until the connection closes or the task is cancelled.
    static func serve(_ multiplexer: Multiplexer, router: SessionRouter) async {
        await withDiscardingTaskGroup { group in
            do {
                for try await stream in multiplexer.inbound {
                    group.addTask { await serve(stream, router: router) }
                }
            } catch {
                // The connection ended; calls still running end with it.
            }
            group.cancelAll()
        }
    }

    /// One call: the request headers, then the router's handler while a child task deframes the request messages.
    static func serve(_ stream: Stream, router: SessionRouter) async {
        try? await stream.executeThenClose { inbound, outbound in
            let (heads, headSink) = AsyncStream<HPACKHeaders>.makeStream()
            let (requests, requestSink) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { headSink.finish() }
                    do {
                        try await readRequests(inbound, head: headSink, messages: requestSink)
                    } catch {
                        requestSink.finish(throwing: error)
                    }
                }
                var headIterator = heads.makeAsyncIterator()
                guard let head = await headIterator.next() else {
                    group.cancelAll()
                    return
                }
                let call = SessionCall(
                    method: head.first(name: ":path") ?? "", metadata: grpcMetadata(head), requests: requests,
                    responses: ResponseWriter(outbound: outbound, allocator: stream.channel.allocator))
                let status = await router.handle(call)
                try await call.responses.finish(status)
                group.cancelAll()
            }
            // The stream closes once the daemon has the trailers (it resets a stream it has not half-closed); closing
            // it sooner could drop frames that HTTP/2 flow control still holds.
            try await stream.channel.closeFuture.get()
        }
    }

    /// Reads the stream's frames: the first HEADERS to `head`, DATA deframed into `messages`, which end with the
    /// daemon's END_STREAM (or fail on a reset).
    static func readRequests(
        _ inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>,
        head: AsyncStream<HPACKHeaders>.Continuation,
        messages: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) async throws {
        var deframer = GRPCMessageDeframer()
        var sawHeaders = false
        for try await frame in inbound {
            switch frame {
            case .headers(let headers):
                if !sawHeaders {
                    sawHeaders = true
                    head.yield(headers.headers)
                    head.finish()
                }
            case .data(let data):
                if case .byteBuffer(let bytes) = data.data { deframer.append(bytes) }
                while let message = try deframer.next() { messages.yield(message) }
                if data.endStream {
                    messages.finish()
                    return
                }
            case .rstStream:
                messages.finish(throwing: GRPCStatus(code: .cancelled, message: "the daemon reset the call"))
                return
            default:
                continue
            }
            if case .headers(let headers) = frame, headers.endStream {
                messages.finish()
                return
            }
        }
        messages.finish()
    }
}
