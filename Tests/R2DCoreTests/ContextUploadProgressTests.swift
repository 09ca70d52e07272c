import Foundation
import Synchronization
import Testing

@testable import R2DCore

/// The upload meter against contexts that flow at a known pace: a slow one is reported while it travels and
/// closed with one line; a fast one says nothing.
@Suite("Build context upload progress")
struct ContextUploadProgressTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        func append(_ text: String) { all.withLock { $0.append(text) } }
    }

    /// `chunks` chunks of 1 MB, one every `pause`.
    static func context(chunks: Int, pause: Duration) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                for _ in 0..<chunks {
                    try? await Task.sleep(for: pause)
                    continuation.yield([UInt8](repeating: 7, count: 1_000_000))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func upload(chunks: Int, pause: Duration, json: Bool) async throws -> (lines: [String], received: Int) {
        let lines = Lines()
        let reporter = Reporter(json: json, debug: false) { lines.append($0) }
        var progress = ContextUploadProgress(reporter: reporter) { 12_000_000 }
        progress.quietPeriod = .milliseconds(300)
        progress.interval = .milliseconds(300)
        let received = try await progress.around(Self.context(chunks: chunks, pause: pause)) { context in
            var count = 0
            for try await chunk in context { count += chunk.count }
            return count
        }
        try await Task.sleep(for: .milliseconds(300))
        return (lines.all.withLock { $0 }, received)
    }

    @Test func aSlowUploadIsReportedAndClosed() async throws {
        let (lines, received) = try await upload(chunks: 12, pause: .milliseconds(100), json: false)
        #expect(received == 12_000_000)
        let sending = lines.filter { $0.hasPrefix("Sending build context: ") }
        #expect(!sending.isEmpty, "\(lines)")
        #expect(sending.allSatisfy { $0.contains(" of 12.0 MB (") && $0.hasSuffix("/s)\n") }, "\(sending)")
        #expect(lines.last?.hasPrefix("Sent build context: 12.0 MB in ") == true, "\(lines)")
        #expect(lines.filter { $0.hasPrefix("Sent build context") }.count == 1)
    }

    @Test func jsonLinesAreUnderBuilding() async throws {
        let (lines, _) = try await upload(chunks: 8, pause: .milliseconds(100), json: true)
        let decoded = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(decoded.count == lines.count && !decoded.isEmpty, "\(lines)")
        #expect(decoded.allSatisfy { $0["phase"] as? String == "building" })
        #expect((decoded.last?["message"] as? String)?.hasPrefix("Sent build context: 8.0 MB") == true)
    }

    @Test func aFastUploadSaysNothing() async throws {
        let (lines, received) = try await upload(chunks: 3, pause: .milliseconds(1), json: false)
        #expect(received == 3_000_000)
        #expect(lines.isEmpty, "\(lines)")
    }

    @Test func aQuickBuildIsNotHeldUpByTheQuietPeriod() async throws {
        let reporter = Reporter(json: false, debug: false) { _ in }
        var progress = ContextUploadProgress(reporter: reporter) { nil }
        // Far above any scheduling delay of a busy test pool: only waiting out the quiet period fails.
        progress.quietPeriod = .seconds(120)
        let started = ContinuousClock.now
        _ = try await progress.around(Self.context(chunks: 1, pause: .milliseconds(1))) { context in
            for try await _ in context {}
        }
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    /// File sync: the body feeds the meter itself, after `idle` with nothing sent, then `chunks` MB at 100 ms each.
    /// Also returns how long the metering took from its start and from the body's first byte to the closing line,
    /// as this run's clock saw them.
    func fileSync(idle: Duration, chunks: Int) async throws -> (lines: [String], total: Duration, sending: Duration) {
        let lines = Lines()
        let reporter = Reporter(json: false, debug: false) { lines.append($0) }
        var progress = ContextUploadProgress(reporter: reporter) { 12_000_000 }
        progress.quietPeriod = .milliseconds(300)
        progress.interval = .milliseconds(300)
        let started = ContinuousClock.now
        var firstByte = started
        var ended = started
        try await progress.metering { meter in
            try await Task.sleep(for: idle)
            for chunk in 0..<chunks {
                try await Task.sleep(for: .milliseconds(100))
                if chunk == 0 { firstByte = .now }
                meter.add(1_000_000)
            }
        }
        ended = .now
        try await Task.sleep(for: .milliseconds(300))
        return (lines.all.withLock { $0 }, ended - started, ended - firstByte)
    }

    @Test func aBuildThatNeverReadsItsContextSaysNothing() async throws {
        let lines = try await fileSync(idle: .milliseconds(1_200), chunks: 0).lines
        #expect(lines.isEmpty, "\(lines)")
    }

    @Test func aLateFileSyncIsReportedFromItsFirstByte() async throws {
        let (lines, total, sending) = try await fileSync(idle: .milliseconds(1_500), chunks: 8)
        #expect(!lines.isEmpty && lines.allSatisfy { !$0.hasPrefix("Sending build context: 0 B") }, "\(lines)")
        // Timed from the first byte (about 0.8 s for 8 MB), not from the build's start (2.3 s): measured against
        // this run's own clock, so a slow, busy machine stretches both sides alike.
        let closing = try #require(lines.last)
        let seconds = try #require(Double(closing.split(separator: " ")[6]))
        let fromFirstByte = Double(sending.components.seconds) + Double(sending.components.attoseconds) / 1e18
        let fromStart = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        #expect(closing.hasPrefix("Sent build context: 8.0 MB in "), "\(closing)")
        #expect(seconds <= fromFirstByte + 0.15 && seconds < fromStart - 1.0, "\(closing); \(sending) from the first byte, \(total) in all")
    }

    @Test(arguments: [
        (Int64(900), "900 B"), (2_048, "2.0 kB"), (1_300_000_000, "1.3 GB"), (85_000_000, "85.0 MB"),
    ])
    func byteCounts(bytes: Int64, text: String) {
        #expect(ContextUploadProgress.byteCount(bytes) == text)
    }
}
