import Foundation
import Synchronization

/// "Sending build context: 1.3 GB of 2.6 GB (85 MB/s)" while the context travels to the engine. Nothing is said
/// for an upload that ends within `quietPeriod` (nearly all of them); after it, a line every `interval`: redrawn
/// in place on a terminal, plain lines otherwise (and under `building` with --json-logs), and one closing line.
struct ContextUploadProgress: Sendable {
    let reporter: Reporter
    /// Whether stderr is a terminal the line can be redrawn on.
    let redraw: Bool
    /// The tar's expected size, asked for once the first line is due (it lists the context again).
    let estimate: @Sendable () -> Int64?
    var quietPeriod: Duration = .seconds(2)
    var interval: Duration = .seconds(5)

    init(reporter: Reporter, estimate: @escaping @Sendable () -> Int64?) {
        self.reporter = reporter
        self.estimate = estimate
        redraw = !reporter.json && isatty(STDERR_FILENO) == 1
        if redraw { interval = .milliseconds(500) }
    }

    /// Runs `body` with `context` wrapped so that its bytes are counted, reporting while they flow.
    func around<Context: AsyncSequence & Sendable, Result>(
        _ context: Context, _ body: (CountedContext<Context>) async throws -> Result
    ) async throws -> Result where Context.Element == [UInt8] {
        try await metering { meter in try await body(CountedContext(base: context, meter: meter)) }
    }

    /// Runs `body` with a meter it feeds (the session's file sync counts what it sends), reporting meanwhile.
    func metering<Result>(_ body: (UploadMeter) async throws -> Result) async throws -> Result {
        let meter = UploadMeter()
        let reporting = Task { await report(meter) }
        do {
            let result = try await body(meter)
            // The context ended long before, as a rule; its closing line is due within a nap.
            meter.finish()
            await reporting.value
            return result
        } catch {
            reporting.cancel()
            throw error
        }
    }

    private func report(_ meter: UploadMeter) async {
        let clock = ContinuousClock()
        // The clock starts with the first byte: file sync sends when BuildKit asks, maybe well into the build, and
        // a build whose steps never read the context sends nothing and says nothing.
        guard await Self.nap(nil, until: { meter.sent > 0 || meter.isFinished }), meter.sent > 0 else { return }
        let start = clock.now
        // An upload (or a whole build) that ends in the quiet period says nothing and waits for nothing.
        guard await Self.nap(quietPeriod, until: { meter.isFinished }), !meter.isFinished else { return }
        let total = estimate()
        while !Task.isCancelled {
            let elapsed = clock.now - start
            let sent = meter.sent
            if meter.isFinished {
                reporter.log(Self.closingLine(sent: sent, elapsed: elapsed, redraw: redraw), phase: .building)
                return
            }
            reporter.log(Self.line(sent: sent, total: total, elapsed: elapsed) + (redraw ? "\r" : "\n"), phase: .building)
            guard await Self.nap(interval, until: { meter.isFinished }) else { return }
        }
    }

    /// Sleeps in short naps until `done` holds or `duration` has passed (nil: no limit); false when cancelled.
    static func nap(_ duration: Duration?, until done: () -> Bool) async -> Bool {
        var waited = Duration.zero
        while duration.map({ waited < $0 }) ?? true, !done() {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return false }
            waited += .milliseconds(50)
        }
        return true
    }

    static func line(sent: Int64, total: Int64?, elapsed: Duration) -> String {
        let of = total.map { " of \(byteCount(max($0, sent)))" } ?? ""
        return "Sending build context: \(byteCount(sent))\(of) (\(rate(sent, elapsed)))"
    }

    static func closingLine(sent: Int64, elapsed: Duration, redraw: Bool) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // On a terminal the line overwrites the last redrawn one, which may be longer.
        let clear = redraw ? "\u{1B}[2K" : ""
        return clear + "Sent build context: \(byteCount(sent)) in \(String(format: "%.1f", seconds)) s (\(rate(sent, elapsed)))\n"
    }

    static func rate(_ bytes: Int64, _ elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return byteCount(seconds > 0 ? Int64(Double(bytes) / seconds) : bytes) + "/s"
    }

    /// Decimal units, as Docker's own "Sending build context to Docker daemon  2.048kB" uses.
    static func byteCount(_ bytes: Int64) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (size, unit) in units where Double(bytes) >= size {
            return String(format: "%.1f %@", Double(bytes) / size, unit)
        }
        return "\(bytes) B"
    }
}

/// The bytes taken from the context so far, and whether it ended.
final class UploadMeter: Sendable {
    private let count = Atomic<Int64>(0)
    private let finished = Atomic<Bool>(false)

    var sent: Int64 { count.load(ordering: .relaxed) }
    var isFinished: Bool { finished.load(ordering: .acquiring) }
    func add(_ bytes: Int) { count.add(Int64(bytes), ordering: .relaxed) }
    func finish() { finished.store(true, ordering: .releasing) }
}

/// A context whose chunks are counted as the engine client takes them.
struct CountedContext<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    typealias Element = [UInt8]
    let base: Base
    let meter: UploadMeter

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let meter: UploadMeter

        mutating func next() async throws -> [UInt8]? {
            guard let chunk = try await base.next() else {
                meter.finish()
                return nil
            }
            meter.add(chunk.count)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), meter: meter) }
}
