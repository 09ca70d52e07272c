import Foundation

/// The tar of a build context as an async sequence of chunks, produced on its own thread with back-pressure.
///
/// Iterate it once. The producer starts with the first iterator and blocks whenever ``bufferLimit`` chunks
/// wait unconsumed. Cancelling the consuming task, or dropping the iterator early, stops the producer at its
/// next chunk or entry. ``summary()`` gives the sha256 and length of the whole stream once it is produced.
public final class BuildContextStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    /// Bytes per chunk (the last chunk may be shorter).
    public static let chunkSize = 256 * 1024
    /// Most chunks produced but not yet consumed.
    public static let bufferLimit = 4

    /// Counters for diagnostics and tests.
    public struct Progress: Sendable {
        /// Chunks handed to the buffer (or straight to a waiting consumer).
        public var producedChunks: Int
        /// Chunks taken by the consumer.
        public var consumedChunks: Int
        /// The largest number of chunks that ever waited in the buffer.
        public var peakBufferedChunks: Int
        /// Whether the producer thread has returned.
        public var producerFinished: Bool
    }

    private let spec: BuildContextSpec
    private let computingDigest: Bool
    private let state = StreamState()

    init(spec: BuildContextSpec, computingDigest: Bool = true) {
        self.spec = spec
        self.computingDigest = computingDigest
    }

    /// Iterates the chunks; the first call starts the producer, later calls give iterators that throw.
    public func makeAsyncIterator() -> AsyncIterator {
        let first = state.start()
        if first {
            let spec = self.spec
            let state = self.state
            let computingDigest = self.computingDigest
            let thread = Thread {
                state.run(spec, computingDigest: computingDigest)
            }
            thread.name = "r2d-build-context"
            thread.start()
        }
        return AsyncIterator(state: state, token: CancelOnRelease(state: state), usable: first)
    }

    /// The hex sha256 (empty if the stream was made without computing it) and byte count of the whole stream;
    /// waits for the producer to end and rethrows its failure.
    public func summary() async throws -> (sha256: String, bytes: Int64) {
        try await state.summary()
    }

    /// A snapshot of the producer and consumer counters.
    public var progress: Progress { state.progress() }

    /// Yields the chunks in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let state: StreamState
        fileprivate let token: CancelOnRelease
        fileprivate let usable: Bool

        public mutating func next() async throws -> [UInt8]? {
            guard usable else { throw BuildContextError.alreadyIterated }
            return try await state.next()
        }
    }
}

/// Cancels the producer when the last copy of an iterator goes away (e.g. `break` out of a `for await`).
private final class CancelOnRelease: Sendable {
    let state: StreamState

    init(state: StreamState) {
        self.state = state
    }

    deinit {
        state.cancel()
    }
}

/// Shared by the producer thread and the consumer; every field is guarded by `condition`.
private final class StreamState: @unchecked Sendable {
    private let condition = NSCondition()
    private var started = false
    private var cancelled = false
    /// At most `bufferLimit` chunks, oldest first. Taken chunks leave the array at once (an index into a
    /// growing array kept every consumed chunk alive while the producer stayed ahead: hundreds of MB).
    private var queue: [[UInt8]] = []
    private var waitingConsumer: CheckedContinuation<[UInt8]?, any Error>?
    private var outcome: Result<(sha256: String, bytes: Int64), any Error>?
    private var summaryWaiters: [CheckedContinuation<(sha256: String, bytes: Int64), any Error>] = []
    private var produced = 0
    private var consumed = 0
    private var peak = 0

    /// Marks the stream started; false if it already was.
    func start() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if started { return false }
        started = true
        return true
    }

    /// The producer thread's body.
    func run(_ spec: BuildContextSpec, computingDigest: Bool) {
        var hasher = StreamHasher()
        var bytes: Int64 = 0
        var chunk: [UInt8] = []
        chunk.reserveCapacity(BuildContextStream.chunkSize)
        let result = Result<(sha256: String, bytes: Int64), any Error> {
            try BuildContext.produce(spec, checkCancelled: { try self.throwIfCancelled() }) { block in
                // SHA-256 is about a third of the producer's CPU: skipped when nobody reads it.
                if computingDigest { hasher.update(block) }
                bytes += Int64(block.count)
                chunk.append(contentsOf: block)
                if chunk.count >= BuildContextStream.chunkSize {
                    try self.push(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try push(chunk) }
            return computingDigest ? hasher.finish() : (sha256: "", bytes: bytes)
        }
        finish(result)
    }

    private func throwIfCancelled() throws {
        condition.lock()
        let stop = cancelled
        condition.unlock()
        if stop { throw CancellationError() }
    }

    /// Hands a chunk to a waiting consumer or the buffer, blocking while the buffer is full.
    private func push(_ chunk: [UInt8]) throws {
        condition.lock()
        while true {
            if cancelled {
                condition.unlock()
                throw CancellationError()
            }
            if let consumer = waitingConsumer {
                waitingConsumer = nil
                produced += 1
                consumed += 1
                condition.unlock()
                consumer.resume(returning: chunk)
                return
            }
            if queue.count < BuildContextStream.bufferLimit {
                queue.append(chunk)
                produced += 1
                peak = max(peak, queue.count)
                condition.unlock()
                return
            }
            condition.wait()
        }
    }

    private func finish(_ result: Result<(sha256: String, bytes: Int64), any Error>) {
        condition.lock()
        outcome = result
        let consumer = queue.isEmpty ? waitingConsumer : nil
        if consumer != nil { waitingConsumer = nil }
        let waiters = summaryWaiters
        summaryWaiters.removeAll()
        condition.unlock()
        switch result {
        case .success(let summary):
            consumer?.resume(returning: nil)
            for waiter in waiters { waiter.resume(returning: summary) }
        case .failure(let error):
            consumer?.resume(throwing: error)
            for waiter in waiters { waiter.resume(throwing: error) }
        }
    }

    /// The next chunk, nil at the end; throws the producer's failure or `CancellationError`.
    func next() async throws -> [UInt8]? {
        if Task.isCancelled {
            cancel()
            throw CancellationError()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                condition.lock()
                if !queue.isEmpty {
                    let chunk = queue.removeFirst()
                    consumed += 1
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: chunk)
                    return
                }
                if let outcome {
                    condition.unlock()
                    switch outcome {
                    case .success: continuation.resume(returning: nil)
                    case .failure(let error): continuation.resume(throwing: error)
                    }
                    return
                }
                if cancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waitingConsumer = continuation
                condition.unlock()
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// Stops the producer at its next chunk or entry and fails a waiting consumer; no effect once finished.
    func cancel() {
        condition.lock()
        if outcome != nil {
            condition.unlock()
            return
        }
        cancelled = true
        let consumer = waitingConsumer
        waitingConsumer = nil
        condition.broadcast()
        condition.unlock()
        consumer?.resume(throwing: CancellationError())
    }

    func summary() async throws -> (sha256: String, bytes: Int64) {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if !started {
                condition.unlock()
                continuation.resume(throwing: BuildContextError.notStarted)
                return
            }
            if let outcome {
                condition.unlock()
                continuation.resume(with: outcome)
                return
            }
            summaryWaiters.append(continuation)
            condition.unlock()
        }
    }

    func progress() -> BuildContextStream.Progress {
        condition.lock()
        defer { condition.unlock() }
        return BuildContextStream.Progress(
            producedChunks: produced, consumedChunks: consumed, peakBufferedChunks: peak,
            producerFinished: outcome != nil)
    }
}
