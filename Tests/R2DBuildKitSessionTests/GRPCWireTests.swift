import NIOCore
import Testing

@testable import R2DBuildKitSession

@Suite struct GRPCWireTests {
    @Test func messagesSplitAcrossFramesAreReassembled() throws {
        let allocator = ByteBufferAllocator()
        var joined = grpcFramed([1, 2, 3], allocator: allocator)
        var second = grpcFramed([], allocator: allocator)
        var third = grpcFramed(Array(repeating: 7, count: 1000), allocator: allocator)
        joined.writeBuffer(&second)
        joined.writeBuffer(&third)
        var deframer = GRPCMessageDeframer()
        var messages: [[UInt8]] = []
        while let piece = joined.readSlice(length: min(3, joined.readableBytes)) {
            deframer.append(piece)
            while let message = try deframer.next() { messages.append(message) }
            if joined.readableBytes == 0 { break }
        }
        #expect(messages == [[1, 2, 3], [], Array(repeating: 7, count: 1000)])
        #expect(!deframer.hasPartialMessage)
    }

    @Test func aCompressedMessageIsRefused() {
        var deframer = GRPCMessageDeframer()
        deframer.append(ByteBuffer(bytes: [1, 0, 0, 0, 1, 9]))
        #expect(throws: GRPCStatus(code: .unimplemented, message: "compressed messages are not accepted")) { try deframer.next() }
    }

    @Test func statusMessagesArePercentEncoded() {
        #expect(GRPCStatus(code: .notFound, message: "secret é 100%").encodedMessage == "secret %C3%A9 100%25")
    }
}
