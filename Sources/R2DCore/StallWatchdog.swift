import Synchronization

/// Gives up on work that stops making progress: a push whose stream brings no new line for the stall timeout
/// (`--push-stall-timeout`; a registry that stopped reading leaves the daemon's push waiting forever,
/// mybinder.org-deploy #3387). Progress is whatever the caller reports through `progressed()`.
final class StallWatchdog: Sendable {
    /// How long the work may go without progress.
    let timeout: Duration
    private let lastProgress: Mutex<ContinuousClock.Instant>

    /// Why the watched work was stopped, inside `run` only.
    struct Stalled: Error {}

    init(timeout: Duration, now: ContinuousClock.Instant = .now) {
        self.timeout = timeout
        lastProgress = Mutex(now)
    }

    /// The work moved on (a new line of its progress stream).
    func progressed(at now: ContinuousClock.Instant = .now) {
        lastProgress.withLock { $0 = max($0, now) }
    }

    /// Whether, at `now`, the work has gone longer than the timeout without progress.
    func isStalled(at now: ContinuousClock.Instant) -> Bool {
        now - lastProgress.withLock { $0 } > timeout
    }

    /// How long to sleep before looking again: until the timeout would pass, at least a few milliseconds.
    func nextCheck(at now: ContinuousClock.Instant) -> Duration {
        let due = lastProgress.withLock { $0 } + timeout - now
        return max(due, .milliseconds(10)) + .milliseconds(1)
    }

    /// Runs `work`; when it goes `timeout` without `progressed()`, it is cancelled (a request in flight is
    /// closed), its unwinding awaited, and `stalled()` thrown instead of whatever the cancelled work threw.
    func run<Value: Sendable>(
        _ work: @escaping @Sendable () async throws -> Value, stalled: @escaping @Sendable () -> any Error
    ) async throws -> Value {
        progressed()
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                while !self.isStalled(at: .now) { try await Task.sleep(for: self.nextCheck(at: .now)) }
                throw Stalled()
            }
            defer { group.cancelAll() }
            do {
                while let next = try await group.next() {
                    if let value = next { return value }
                }
            } catch is Stalled {
                throw stalled()
            }
            throw CancellationError()
        }
    }
}
