import NIOCore
import NIOHTTP2

/// Reads the daemon's answer to `POST /session`: on `101 Switching Protocols` it puts the HTTP/2 server pipeline
/// after itself, hands on any bytes that came with the answer, and leaves the pipeline. Any other answer, or a
/// connection that ends first, fails the upgrade with the daemon's words.
final class SessionUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The longest answer head read before giving up on it.
    static let maximumHeadSize = 64 * 1024

    private let promise: EventLoopPromise<SessionServer.Multiplexer>
    private let unserved: UnservedStreams
    private var received: ByteBuffer?
    private var done = false

    init(promise: EventLoopPromise<SessionServer.Multiplexer>, unserved: UnservedStreams) {
        self.promise = promise
        self.unserved = unserved
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        guard var buffer = received else { return }
        let view = buffer.readableBytesView
        guard let end = Self.headEnd(view) else {
            if buffer.readableBytes > Self.maximumHeadSize { fail(context, SessionError.upgradeRefused("an answer without an end")) }
            return
        }
        let head = String(decoding: buffer.readSlice(length: end)?.readableBytesView ?? ByteBufferView(), as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let fields = statusLine.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[1] == "101" else {
            let body = String(decoding: buffer.readableBytesView, as: UTF8.self)
            fail(context, SessionError.upgradeRefused("\(statusLine) \(body)".trimmingCharacters(in: " \r\n")))
            return
        }
        do {
            let multiplexer = try context.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
                mode: .server, configuration: Self.http2Configuration,
                streamInitializer: SessionServer.streamInitializer(unserved: unserved))
            done = true
            promise.succeed(multiplexer)
            if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
            received = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            fail(context, error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { fail(context, SessionError.upgradeRefused("the daemon closed the connection")) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done { fail(context, error) } else { context.fireErrorCaught(error) }
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        guard !done else { return }
        done = true
        promise.fail(error)
        context.close(promise: nil)
    }

    /// The peer is the engine this client chose, not a stranger: grpc-go's flow-control probes (a PING for each
    /// burst of DATA it receives) pass NIO's default limit of 200 control frames in 30 s within seconds of a large
    /// file sync, which NIO would answer with GOAWAY. The limit is raised over a one-second window rather than made
    /// huge: NIO keeps one timestamp per frame in a ring sized to the limit, and a ring of 2^30 never wraps, so every
    /// PING of a long sync touched fresh memory (tens of MB in a 2.5 GB sync). Streams buffer up to 1 MiB, so a
    /// file's DATA packets go out without a wait for each 8 KiB.
    static var http2Configuration: NIOHTTP2Handler.Configuration {
        var configuration = NIOHTTP2Handler.Configuration()
        configuration.connection.controlFrameRateLimit.maximumCount = maximumControlFramesPerSecond
        configuration.connection.controlFrameRateLimit.windowLength = .seconds(1)
        configuration.connection.maximumSequentialEmptyDataFrames = 1 << 20
        configuration.stream.outboundBufferSizeHighWatermark = 1 << 20
        configuration.stream.outboundBufferSizeLowWatermark = 1 << 19
        return configuration
    }

    /// Far above the rate at which grpc-go probes (one PING in flight per round trip), and 1 MiB of timestamps at most.
    static let maximumControlFramesPerSecond = 1 << 17

    /// The length of the head including its blank line, once "\r\n\r\n" has arrived.
    static func headEnd(_ view: ByteBufferView) -> Int? {
        let bytes = Array(view)
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
