import Foundation
@testable import R2DBuildKitProgress
import SwiftProtobuf
import Testing

/// A sequence of trace auxes and the lines the printer makes of them (including `finish()`).
struct PrinterCase: Sendable, CustomTestStringConvertible {
    var name: String
    var traces: [String]
    var expected: [String]
    var testDescription: String { name }
}

private let a = "sha256:aaaa"
private let b = "sha256:bbbb"

private let cases: [PrinterCase] = [
    PrinterCase(
        name: "cached vertex: header and CACHED once, no DONE",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "[1/2] FROM base", started: 0, completed: 10)]),
            Trace.aux(vertexes: [Trace.vertex(b, "[2/2] RUN make", started: 20, completed: 20, cached: true)]),
            Trace.aux(vertexes: [Trace.vertex(b, "[2/2] RUN make", started: 20, completed: 20, cached: true)]),
        ],
        expected: ["#1 [1/2] FROM base", "#1 DONE 0.0s", "#2 [2/2] RUN make", "#2 CACHED"]),
    PrinterCase(
        name: "log line split across two messages",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "RUN x", started: 0)]),
            Trace.aux(logs: [Trace.log(a, at: 100, "par")]),
            Trace.aux(logs: [Trace.log(a, at: 600, "tial\nnext\n")]),
            Trace.aux(vertexes: [Trace.vertex(a, "RUN x", started: 0, completed: 1250)]),
        ],
        expected: ["#1 RUN x", "#1 0.600 partial", "#1 0.600 next", "#1 DONE 1.3s"]),
    PrinterCase(
        name: "stdout and stderr keep their own partial lines; the rest prints on completion",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "RUN x", started: 0)]),
            Trace.aux(logs: [Trace.log(a, at: 5, "out "), Trace.log(a, at: 6, "err\n", stream: 2), Trace.log(a, at: 7, "more")]),
            Trace.aux(vertexes: [Trace.vertex(a, "RUN x", started: 0, completed: 40)]),
        ],
        expected: ["#1 RUN x", "#1 0.006 err", "#1 0.007 out more", "#1 DONE 0.0s"]),
    PrinterCase(
        name: "error vertex, and the vertex BuildKit cancelled because of it",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "[2/3] RUN exit 3", started: 0), Trace.vertex(b, "[3/3] COPY . /", started: 1)]),
            Trace.aux(logs: [Trace.log(a, at: 50, "going down\n", stream: 2)]),
            Trace.aux(vertexes: [
                Trace.vertex(a, "[2/3] RUN exit 3", started: 0, completed: 200, error: "process \"/bin/sh -c exit 3\"\ndid not complete"),
                Trace.vertex(b, "[3/3] COPY . /", started: 1, completed: 201, error: "context canceled"),
            ]),
        ],
        expected: [
            "#1 [2/3] RUN exit 3", "#2 [3/3] COPY . /", "#1 0.050 going down",
            "#1 ERROR: process \"/bin/sh -c exit 3\"\\ndid not complete", "#2 CANCELED",
        ]),
    PrinterCase(
        name: "one response ending two vertexes: each ends after its own lines",
        traces: [
            Trace.aux(
                vertexes: [
                    Trace.vertex(a, "[1/2] FROM base", started: 0, completed: 5),
                    Trace.vertex(b, "[2/2] RUN echo", started: 6, completed: 90),
                ],
                logs: [Trace.log(b, at: 80, "echoed\n")])
        ],
        expected: ["#1 [1/2] FROM base", "#1 DONE 0.0s", "#2 [2/2] RUN echo", "#2 0.074 echoed", "#2 DONE 0.1s"]),
    PrinterCase(
        name: "numbers follow the first printed line, not the first mention",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(b, "[2/2] RUN later"), Trace.vertex(a, "[1/2] FROM base", started: 0, completed: 1)]),
            Trace.aux(vertexes: [Trace.vertex(b, "[2/2] RUN later", started: 2)]),
        ],
        expected: ["#1 [1/2] FROM base", "#1 DONE 0.0s", "#2 [2/2] RUN later"]),
    PrinterCase(
        name: "status: silent ticks, a coarse progress line, then done",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "[internal] load build context", started: 0)]),
            Trace.aux(statuses: [Trace.status(a, "transferring context", at: 0, current: 10, total: 100)]),
            Trace.aux(statuses: [Trace.status(a, "transferring context", at: 1000, current: 20, total: 100)]),
            Trace.aux(statuses: [Trace.status(a, "transferring context", at: 6000, current: 60, total: 100)]),
            Trace.aux(statuses: [Trace.status(a, "transferring context", at: 7000, current: 100, total: 100, completed: true)]),
            Trace.aux(statuses: [Trace.status(a, "exporting layers", at: 7100, current: 0, completed: true)]),
        ],
        expected: [
            "#1 [internal] load build context", "#1 transferring context 60/100",
            "#1 transferring context 100/100 done", "#1 exporting layers done",
        ]),
    PrinterCase(
        name: "warning",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "[1/1] FROM base", started: 0)]),
            Trace.aux(warnings: [Trace.warning(a, "base image uses a deprecated format")]),
        ],
        expected: ["#1 [1/1] FROM base", "#1 WARN: base image uses a deprecated format"]),
    PrinterCase(
        name: "carriage returns show the last state; finish() prints a line left open",
        traces: [
            Trace.aux(vertexes: [Trace.vertex(a, "RUN pip install x", started: 0)]),
            Trace.aux(logs: [Trace.log(a, at: 1500, "10%\r50%\r100%\r\n"), Trace.log(a, at: 1600, "\nno newline")]),
        ],
        expected: ["#1 RUN pip install x", "#1 1.500 100%", "#1 1.600", "#1 1.600 no newline"]),
]

@Suite("BuildKitProgressPrinter")
struct BuildKitProgressPrinterTests {
    @Test(arguments: cases)
    func printsPlainProgress(_ testCase: PrinterCase) throws {
        var printer = BuildKitProgressPrinter()
        var lines: [String] = []
        for trace in testCase.traces { lines += try printer.lines(forTrace: trace) }
        lines += printer.finish()
        #expect(lines == testCase.expected)
    }

    @Test(arguments: ["not base64!", "Zm9v\nYmFy", "Zm9", "🙂"])
    func invalidBase64IsATypedError(_ aux: String) {
        var printer = BuildKitProgressPrinter()
        #expect(throws: BuildKitProgressError.notBase64(length: aux.utf8.count)) { try printer.lines(forTrace: aux) }
    }

    @Test func base64ThatIsNotAStatusResponseIsATypedError() throws {
        // Field 1 (vertexes) announces 5 bytes and carries one.
        let aux = Data([0x0A, 0x05, 0x01]).base64EncodedString()
        var printer = BuildKitProgressPrinter()
        let error = try #require(throws: BuildKitProgressError.self) { try printer.lines(forTrace: aux) }
        guard case .notStatusResponse(let byteCount, _) = error else {
            Issue.record("expected notStatusResponse, got \(error)")
            return
        }
        #expect(byteCount == 3)
        #expect(!error.description.contains(aux))
    }

    @Test func emptyTraceIsAnEmptyResponse() throws {
        var printer = BuildKitProgressPrinter()
        #expect(try printer.lines(forTrace: "") == [])
    }

    /// Newer BuildKit sends fields this subset of control.proto leaves out (Vertex.progressGroup, a top-level
    /// field of a later version); they must change nothing.
    @Test func unknownExtraFieldsAreIgnored() throws {
        let vertex = Trace.vertex(a, "[1/1] RUN true", started: 0, completed: 300)
        var vertexBytes: [UInt8] = try vertex.serializedBytes()
        vertexBytes += [0x42, 0x04, 0x0A, 0x02, 0x69, 0x64]  // field 8 (progressGroup) = { id: "id" }
        var response: [UInt8] = [0x0A, UInt8(vertexBytes.count)] + vertexBytes
        response += [0x2A, 0x03, 0x61, 0x62, 0x63]  // field 5, length-delimited: "abc"
        response += [0x30, 0x07]  // field 6, varint 7

        var plain = BuildKitProgressPrinter()
        var extended = BuildKitProgressPrinter()
        let expected = try plain.lines(forTrace: Trace.aux(vertexes: [vertex]))
        #expect(try extended.lines(forTrace: Data(response).base64EncodedString()) == expected)
        #expect(expected == ["#1 [1/1] RUN true", "#1 DONE 0.3s"])
    }

    @Test(
        arguments: [
            (0, 1, "0.0"), (49_999_999, 1, "0.0"), (50_000_000, 1, "0.1"), (1_250_000_000, 1, "1.3"),
            (123_456_789, 3, "0.123"), (61_000_500_000, 3, "61.001"), (-5, 3, "0.000"), (2_000_000_000, 0, "2"),
        ] as [(Int64, Int, String)])
    func secondsAreRoundedIntegers(nanoseconds: Int64, decimals: Int, expected: String) {
        let start = TraceTime(Trace.at(0))
        let end = TraceTime(nanoseconds: start.nanoseconds + nanoseconds)
        #expect(TraceTime.seconds(from: start, to: end, decimals: decimals) == expected)
    }
}
