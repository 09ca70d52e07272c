import NIOCore
import NIOHPACK
import NIOHTTP2
import Synchronization

/// The gRPC server side of the session: the daemon opens one HTTP/2 stream per call on the upgraded connection.
/// A minimal gRPC server on swift-nio-http2 rather than grpc-swift-nio-transport, whose server transport only
/// accepts connections from a listener it is given, while here the one connection already exists (see README).
enum SessionServer {
    typealias Stream = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>
    typealias Multiplexer = NIOHTTP2Handler.AsyncStreamMultiplexer<Stream>

    /// Makes each stream the daemon opens an async channel of frames, kept in `unserved` until a call takes it.
    static func streamInitializer(unserved: UnservedStreams) -> @Sendable (any Channel) -> EventLoopFuture<Stream> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                let stream = try Stream(wrappingChannelSynchronously: channel)
                unserved.add(stream)
                return stream
            }
        }
    }

    /// Serves every stream until the connection closes or the task is cancelled.
    static func serve(_ multiplexer: Multiplexer, router: SessionRouter, unserved: UnservedStreams) async {
        await withDiscardingTaskGroup { group in
            do {
                for try await stream in multiplexer.inbound {
                    unserved.remove(stream)
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
            let requests = RequestQueue()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { headSink.finish() }
                    do {
                        try await readRequests(inbound, head: headSink, messages: requests)
                    } catch {
                        requests.finish(throwing: error)
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

    /// Reads the stream's frames: the first HEADERS to `head`, DATA bytes into `messages`, which end with the
    /// daemon's END_STREAM (or fail on a reset).
    static func readRequests(
        _ inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>,
        head: AsyncStream<HPACKHeaders>.Continuation,
        messages: RequestQueue
    ) async throws {
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
                if case .byteBuffer(let bytes) = data.data { messages.append(bytes) }
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

/// A call's request messages, kept as the bytes they arrived in and deframed when the handler asks for the next:
/// BuildKit asks for every file of a file sync long before they are all sent, and 200,000 waiting REQ packets
/// take their wire size (about 12 bytes each) here, not an array and a queue slot each (13 MB). One task reads.
final class RequestQueue: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    private struct State {
        var deframer = GRPCMessageDeframer()
        /// Set once the daemon half-closed the stream (nil error) or the stream failed.
        var end: (any Error)??
        var waiter: CheckedContinuation<Void, Never>?
        /// Counts appends and the end, so a reader that found nothing knows whether to wait.
        var arrivals = 0
    }

    private let state = Mutex(State())

    func append(_ bytes: ByteBuffer) {
        state.withLock { state in
            state.deframer.append(bytes)
            state.arrivals += 1
            return state.waiter.take()
        }?.resume()
    }

    /// No more bytes: the messages already here are still read, then the end (or `error`) is.
    func finish(throwing error: (any Error)? = nil) {
        state.withLock { state in
            if state.end == nil { state.end = .some(error) }
            state.arrivals += 1
            return state.waiter.take()
        }?.resume()
    }

    /// The next whole message; nil after the last one.
    func next() async throws -> [UInt8]? {
        while true {
            let (outcome, arrivals) = state.withLock { state -> (Result<[UInt8]?, any Error>?, Int) in
                do {
                    if let message = try state.deframer.next() { return (.success(message), state.arrivals) }
                } catch {
                    return (.failure(error), state.arrivals)
                }
                switch state.end {
                case .none: return (nil, state.arrivals)
                case .some(.none): return (.success(nil), state.arrivals)
                case .some(.some(let error)): return (.failure(error), state.arrivals)
                }
            }
            if let outcome { return try outcome.get() }
            await withCheckedContinuation { continuation in
                // Bytes or the end may have come since the check: then there is no need to wait.
                let arrived = state.withLock { state in
                    guard state.arrivals == arrivals else { return true }
                    state.waiter = continuation
                    return false
                }
                if arrived { continuation.resume() }
            }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let queue: RequestQueue
        func next() async throws -> [UInt8]? { try await queue.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }
}

/// The streams the daemon opened that no call has taken yet. A session that ends (its build done, cancelled)
/// stops taking streams, and the multiplexer drops those still queued; NIO stops the process when a stream's
/// writer is freed unfinished, so each is held here until a call takes it or the connection is closed, and then
/// finished (a call the daemon opened as the session ended goes unanswered, as the connection does).
final class UnservedStreams: Sendable {
    private let streams = Mutex([ObjectIdentifier: SessionServer.Stream]())

    func add(_ stream: SessionServer.Stream) {
        streams.withLock { $0[ObjectIdentifier(stream.channel)] = stream }
    }

    func remove(_ stream: SessionServer.Stream) {
        _ = streams.withLock { $0.removeValue(forKey: ObjectIdentifier(stream.channel)) }
    }

    /// Finishes and closes every stream still here; called once the connection is closed, when no more can come.
    func finishAll() async {
        let left = streams.withLock { streams in
            defer { streams.removeAll() }
            return Array(streams.values)
        }
        for stream in left {
            try? await stream.executeThenClose { _, _ in }
        }
    }
}
