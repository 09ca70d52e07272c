import NIOCore

/// A gRPC status: the `grpc-status` and `grpc-message` trailers that end every call.
struct GRPCStatus: Error, Equatable, CustomStringConvertible {
    /// The codes this server answers with (grpc's `codes` package numbers them).
    enum Code: Int, Sendable {
        case ok = 0
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case notFound = 5
        case unimplemented = 12
        case `internal` = 13
        case unavailable = 14
    }

    var code: Code
    var message: String

    static let ok = GRPCStatus(code: .ok, message: "")

    var description: String { "gRPC status \(code.rawValue): \(message)" }

    /// `grpc-message` is percent-encoded outside printable ASCII (and `%` itself), as the gRPC HTTP/2 spec says.
    var encodedMessage: String {
        var out = ""
        for byte in message.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Splits the bytes of a stream's DATA frames into gRPC messages: a 1-byte compressed flag, a 4-byte big-endian
/// length, then the message. This server announces no `grpc-accept-encoding`, so a compressed message is refused.
struct GRPCMessageDeframer {
    /// Messages larger than this end the call (BuildKit's session messages are at most a few hundred KiB).
    static let maximumMessageSize = 16 * 1024 * 1024

    private var buffer = ByteBuffer()

    mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next whole message, or nil until more bytes arrive.
    mutating func next() throws(GRPCStatus) -> [UInt8]? {
        guard buffer.readableBytes >= 5,
            let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
        else { return nil }
        guard flag == 0 else { throw GRPCStatus(code: .unimplemented, message: "compressed messages are not accepted") }
        guard length <= Self.maximumMessageSize else {
            throw GRPCStatus(code: .invalidArgument, message: "a message of \(length) bytes is too large")
        }
        guard buffer.readableBytes >= 5 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        let message = buffer.readBytes(length: Int(length)) ?? []
        // Read bytes are dropped once they are most of the buffer, not after every message: a backlog of
        // 200,000 small messages would otherwise be moved forward 200,000 times.
        if buffer.readerIndex >= 64 * 1024 && buffer.readerIndex >= buffer.readableBytes { buffer.discardReadBytes() }
        return message
    }

    /// Whether bytes of an unfinished message are left.
    var hasPartialMessage: Bool { buffer.readableBytes > 0 }
}

/// One gRPC message with its 5-byte prefix, uncompressed.
func grpcFramed(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
    grpcFramed(all: [message], allocator: allocator)
}

/// gRPC messages one after another, each with its 5-byte prefix, uncompressed.
func grpcFramed(all messages: [[UInt8]], allocator: ByteBufferAllocator) -> ByteBuffer {
    var buffer = allocator.buffer(capacity: messages.reduce(0) { $0 + $1.count + 5 })
    for message in messages {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
    }
    return buffer
}
