import Foundation
import R2DBuildKitProgress
import Testing

/// Real build streams of dockerd 20.10's BuildKit (Recorded/README.md says how they were made), printed and
/// compared with the golden text beside them. `RECORD_GOLDEN=1` rewrites the golden files instead.
@Suite("Recorded BuildKit streams print as their golden text")
struct RecordedStreamTests {
    static let recorded = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Recorded")
    static let recording = ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1"

    /// The printed lines of one stream: each trace through the printer, then `finish()`; other lines are the
    /// engine module's business (the image ID, "Successfully tagged", the build error) and are left out.
    static func printed(_ name: String) throws -> (lines: [String], traces: [String]) {
        let text = try String(contentsOf: recorded.appendingPathComponent("\(name).jsonl"), encoding: .utf8)
        var printer = BuildKitProgressPrinter()
        var lines: [String] = []
        var traces: [String] = []
        // dockerd ends each line with CRLF, which Swift counts as one Character.
        for line in text.split(whereSeparator: \.isNewline) {
            let message = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard message["id"] as? String == BuildKitProgressPrinter.traceID, let aux = message["aux"] as? String else { continue }
            traces.append(aux)
            lines += try printer.lines(forTrace: aux)
        }
        lines += printer.finish()
        return (lines, traces)
    }

    @Test("printed stream matches Recorded/<name>.golden.txt", arguments: ["first-build", "second-build", "failing-build"])
    func matchesGolden(name: String) throws {
        let (lines, traces) = try Self.printed(name)
        #expect(!traces.isEmpty)
        let output = lines.joined(separator: "\n") + "\n"
        let goldenURL = Self.recorded.appendingPathComponent("\(name).golden.txt")
        if Self.recording {
            try output.write(to: goldenURL, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: goldenURL, encoding: .utf8)
        #expect(output == golden)
        for line in lines {
            #expect(!line.contains("\n"))
            #expect(!traces.contains { line.contains($0) }, "a raw trace reached the output: \(line.prefix(60))")
        }
    }
}
