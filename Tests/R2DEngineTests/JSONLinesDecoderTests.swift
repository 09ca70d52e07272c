import Foundation
@testable import R2DEngine
import R2DTestSupport
import Testing

/// What the tests' `undecodableLine` makes of a line that is not JSON, so the table can name its text.
private struct UndecodableLine: Error {
    var text: String
}

/// One stream for ``JSONLinesDecoder``: its bytes, cut into chunks at the given byte offsets, and what comes out.
struct JSONLinesCase: Sendable, CustomTestStringConvertible {
    var name: String
    var stream: String
    /// Byte offsets where one chunk ends and the next starts (the daemon's chunks need not follow lines).
    var cuts: [Int] = []
    /// One entry per message ("stream: …", "error: … / detail: …", "aux: …"), then "undecodable: …" if a line
    /// failed (the decoder stops there).
    var expected: [String]

    var testDescription: String { name }

    var chunks: [[UInt8]] {
        let bytes = Array(stream.utf8)
        let bounds = [0] + cuts + [bytes.count]
        return zip(bounds, bounds.dropFirst()).map { Array(bytes[$0..<$1]) }
    }
}

@Suite("JSONLinesDecoder: the build and push streams' JSON-lines decoding")
struct JSONLinesDecoderTests {
    static let cases: [JSONLinesCase] = [
        JSONLinesCase(
            name: "one message per chunk", stream: #"{"stream":"a"}"# + "\n" + #"{"stream":"b"}"# + "\n",
            cuts: [15], expected: ["stream: a", "stream: b"]),
        JSONLinesCase(
            name: "lines split across chunks", stream: #"{"stream":"a"}"# + "\n" + #"{"stream":"b"}"# + "\n",
            cuts: [4, 18, 19], expected: ["stream: a", "stream: b"]),
        JSONLinesCase(
            name: "every byte its own chunk", stream: #"{"stream":"a"}"# + "\n" + #"{"stream":"b"}"#,
            cuts: Array(1..<29), expected: ["stream: a", "stream: b"]),
        JSONLinesCase(
            name: "CRLF line ends, split between CR and LF",
            stream: #"{"stream":"a"}"# + "\r\n" + #"{"stream":"b"}"# + "\r\n", cuts: [15],
            expected: ["stream: a", "stream: b"]),
        JSONLinesCase(
            name: "blank and whitespace-only lines are skipped",
            stream: "\n\r\n  \t\n" + #"{"stream":"a"}"# + "\n\n \r\n", expected: ["stream: a"]),
        JSONLinesCase(
            name: "the last line needs no newline", stream: #"{"stream":"a"}"# + "\n" + #"  {"stream":"b"}"#,
            expected: ["stream: a", "stream: b"]),
        JSONLinesCase(
            name: "a UTF-8 character split across chunks", stream: #"{"stream":"é"}"# + "\n", cuts: [12],
            expected: ["stream: é"]),
        JSONLinesCase(
            name: "a non-JSON line stops the stream after the messages before it",
            stream: #"{"stream":"a"}"# + "\n" + "  Successfully built 0123 \r\n" + #"{"stream":"c"}"# + "\n",
            expected: ["stream: a", "undecodable: Successfully built 0123"]),
        JSONLinesCase(
            name: "a non-JSON last line without newline", stream: "<html>", expected: ["undecodable: <html>"]),
        JSONLinesCase(
            name: "error and errorDetail are decoded for the stream to report",
            stream: #"{"stream":"Step 1/1\n"}"# + "\n"
                + #"{"errorDetail":{"message":"boom detail"},"error":"boom\n"}"# + "\r\n",
            cuts: [30], expected: ["stream: Step 1/1\n", "error: boom\n / detail: boom detail"]),
        JSONLinesCase(
            name: "errorDetail alone", stream: #"{"errorDetail":{"message":"denied"}}"#,
            expected: ["error: nil / detail: denied"]),
    ]

    @Test(arguments: cases)
    func decodesTheStream(_ testCase: JSONLinesCase) {
        #expect(Self.decode(testCase.chunks) == testCase.expected)
    }

    /// Feeds `chunks` to a decoder of build messages as the engine client does and describes what came out.
    static func decode(_ chunks: [[UInt8]]) -> [String] {
        var decoder = JSONLinesDecoder(BuildMessage.self) { UndecodableLine(text: $0) }
        var outcome: [String] = []
        do {
            for chunk in chunks {
                decoder.append(chunk)
                while let message = try decoder.nextMessage() { outcome.append(describe(message)) }
            }
            if let message = try decoder.finish() { outcome.append(describe(message)) }
        } catch {
            outcome.append("undecodable: \((error as? UndecodableLine)?.text ?? "\(error)")")
        }
        return outcome
    }

    static func describe(_ message: BuildMessage) -> String {
        if message.error != nil || message.errorDetail != nil {
            return "error: \(message.error ?? "nil") / detail: \(message.errorDetail?.message ?? "nil")"
        }
        if let stream = message.stream { return "stream: \(stream)" }
        return "aux: \(message.aux?.ID ?? "nil")"
    }

    @Test func finishWithNothingLeftGivesNothing() throws {
        var decoder = JSONLinesDecoder(BuildMessage.self) { UndecodableLine(text: $0) }
        decoder.append(Array(#"{"stream":"a"}"#.utf8) + [0x0A, 0x20, 0x0D])
        #expect(try decoder.nextMessage()?.stream == "a")
        #expect(try decoder.nextMessage() == nil)
        #expect(try decoder.finish() == nil)
    }
}

/// Each stream keeps its own wording for a non-JSON line and its own choice between `error` and `errorDetail`.
@Suite("Build and push streams over the shared JSON-lines decoder")
struct JSONLinesStreamTests {
    @Test func aNonJSONBuildLineIsAProtocolErrorQuotingIt() async throws {
        let body = #"{"stream":"Step 1/1\n"}"# + "\n" + "  not json at all \r\n"
        let events = Collector<BuildEvent>()
        await #expect(throws: EngineError.protocolError("the build stream carried a line that is not JSON: not json at all")) {
            try await withStub({ _ in StubResponse(chunks: split(Array(body.utf8), size: 7)) }) { client, _ in
                try await client.build(context: chunkStream([[0]]), options: BuildOptions()) { events.append($0) }
            }
        }
        #expect(events.values == [.output("Step 1/1\n")])
    }

    @Test func theBuildReportsErrorBeforeErrorDetail() throws {
        var reader = BuildStreamReader()
        var decoder = JSONLinesDecoder(BuildMessage.self, undecodableLine: BuildStreamReader.notJSON)
        decoder.append(Array(#"{"errorDetail":{"message":"detail"},"error":" short \n"}"#.utf8))
        let message = try #require(try decoder.finish())
        #expect(throws: EngineError.buildFailed(message: "short")) { try reader.handle(message) { _ in } }
    }

    @Test func aNonJSONPushLineIsAProtocolError() async throws {
        let body = #"{"status":"Preparing","id":"l1"}"# + "\r\n" + "oops\r\n"
        let events = Collector<PushProgress>()
        await #expect(throws: EngineError.protocolError("the push stream carried a line that is not JSON")) {
            try await withStub({ _ in StubResponse(chunks: split(Array(body.utf8), size: 5)) }) { client, _ in
                try await client.pushImage(repository: "r/x", tag: "1", auth: nil) { events.append($0) }
            }
        }
        #expect(events.values == [PushProgress(layer: "l1", status: "Preparing")])
    }

    @Test func thePushReportsErrorDetailBeforeError() async throws {
        let body = #"{"errorDetail":{"message":"denied: detail\n"},"error":"denied"}"# + "\n"
        await #expect(throws: EngineError.pushFailed(message: "denied: detail")) {
            try await withStub({ _ in StubResponse(chunks: [Array(body.utf8)]) }) { client, _ in
                try await client.pushImage(repository: "r/x", tag: "1", auth: nil) { _ in }
            }
        }
    }
}
