import NIOCore
import NIOHPACK
import NIOHTTP2
import Synchronization

/// One gRPC call the daemon made on the session: its method, metadata, request messages and response writer.
struct SessionCall: Sendable {
    /// `/package.Service/Method`.
    let method: String
    /// The request headers that are gRPC metadata (lower-case names; a repeated name keeps every value in order).
    let metadata: [String: [String]]
    /// The request messages, ending when the daemon half-closes the stream.
    let requests: RequestQueue
    let responses: ResponseWriter

    /// The first request message of a unary call.
    func singleRequest() async throws -> [UInt8] {
        for try await message in requests { return message }
        throw GRPCStatus(code: .invalidArgument, message: "the call carried no request message")
    }
}

/// Writes a call's response: the headers before the first message, the messages, then the status as trailers.
final class ResponseWriter: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<HTTP2Frame.FramePayload>
    private let allocator: ByteBufferAllocator
    private let headersSent = Mutex(false)

    init(outbound: NIOAsyncChannelOutboundWriter<HTTP2Frame.FramePayload>, allocator: ByteBufferAllocator) {
        self.outbound = outbound
        self.allocator = allocator
    }

    static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]

    /// Sends one response message; suspends while HTTP/2 flow control holds the stream.
    func send(_ message: [UInt8]) async throws {
        try await send(all: [message])
    }

    /// Sends several response messages in one DATA frame (gRPC's framing lets messages follow each other in a
    /// stream): 200,000 small messages as one frame each cost more in frame bookkeeping than in bytes.
    func send(all messages: [[UInt8]]) async throws {
        guard !messages.isEmpty else { return }
        if headersSent.withLock({ sent in
            defer { sent = true }; return !sent
        }) {
            try await outbound.write(.headers(.init(headers: Self.responseHeaders)))
        }
        try await outbound.write(.data(.init(data: .byteBuffer(grpcFramed(all: messages, allocator: allocator)))))
    }

    /// Ends the call with `status`: trailers after messages, or one trailers-only HEADERS frame.
    func finish(_ status: GRPCStatus) async throws {
        var trailers: HPACKHeaders = ["grpc-status": String(status.code.rawValue)]
        if !status.message.isEmpty { trailers.add(name: "grpc-message", value: status.encodedMessage) }
        if headersSent.withLock({ sent in
            defer { sent = true }; return !sent
        }) {
            var headers = Self.responseHeaders
            headers.add(contentsOf: trailers)
            trailers = headers
        }
        try await outbound.write(.headers(.init(headers: trailers, endStream: true)))
    }
}

/// The metadata of a request's headers: everything but pseudo-headers and the transport's own fields.
func grpcMetadata(_ headers: HPACKHeaders) -> [String: [String]] {
    let transport: Set<String> = ["content-type", "te", "user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding"]
    var metadata: [String: [String]] = [:]
    for (name, value, _) in headers {
        let lowered = name.lowercased()
        if lowered.hasPrefix(":") || transport.contains(lowered) { continue }
        metadata[lowered, default: []].append(value)
    }
    return metadata
}
