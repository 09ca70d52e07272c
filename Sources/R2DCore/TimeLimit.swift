import Synchronization

/// `--build-timeout`: the fetch, build and push of a run end by a deadline. Past it the work is cancelled the
/// way SIGINT cancels it (the clone stops at libgit2's next callback, the engine's `POST /build` or push
/// request is closed, so the daemon cancels the build and removes its container, and no tag is made), its
/// cleanup is awaited, and the run fails with one line naming the limit.
enum TimeLimit {
    /// How long cancelled work may take to clean up before the run ends without it: a transfer that receives
    /// nothing at all (a server that stopped sending) only notices cancellation when its socket gives up.
    static let cleanupGrace: Duration = .seconds(20)

    /// Runs `work`; nil `deadline` means no limit. `seconds` is the limit as given, for the message.
    static func run<Value: Sendable>(
        deadline: ContinuousClock.Instant?, seconds: Int64?, grace: Duration = cleanupGrace,
        _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let deadline, let seconds else { return try await work() }
        let task = Task { try await work() }
        let expired = Flag()
        let timer = Mutex<Task<Void, Never>?>(nil)
        let finished: Result<Value, any Error>? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, any Error>?, Never>) in
                let once = ResumeOnce(continuation)
                Task { once.resume(await task.result) }
                timer.withLock {
                    $0 = Task {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        guard once.isPending, !Task.isCancelled else { return }
                        expired.set()
                        task.cancel()
                        try? await Task.sleep(for: grace)
                        once.resume(nil)
                    }
                }
            }
        } onCancel: {
            task.cancel()
        }
        // A run that ended in time leaves no timer asleep until the deadline (while its container runs).
        timer.withLock { $0?.cancel() }
        // Work that finished despite a late cancellation did all it was asked to: its result stands.
        if case .success(let value)? = finished { return value }
        // nil: the work did not unwind within the grace period, so its cleanup cannot be vouched for.
        guard let finished else { throw CoreError.timeLimitReached(seconds: seconds, cleanedUp: false) }
        if expired.isSet { throw CoreError.timeLimitReached(seconds: seconds, cleanedUp: true) }
        return try finished.get()
    }

    /// Set once, read from any task.
    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// Resumes a continuation with the first value offered and ignores the rest.
    final class ResumeOnce<Value: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Value, Never>?>
        init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = Mutex(continuation) }
        var isPending: Bool { continuation.withLock { $0 != nil } }
        func resume(_ value: Value) {
            let taken = continuation.withLock { current in
                let taken = current
                current = nil
                return taken
            }
            taken?.resume(returning: value)
        }
    }
}
