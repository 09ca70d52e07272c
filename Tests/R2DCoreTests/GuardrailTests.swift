import Foundation
import R2DEngine
import R2DRegistry
import Synchronization
import Testing
@testable import R2DCore

/// The stall watchdog (`--push-stall-timeout`) and the time limit (`--build-timeout`) as logic, and the
/// pusher giving up on a push whose progress stream goes quiet.
@Suite("Guardrails: stall watchdog and time limit")
struct GuardrailLogicTests {
    static let start = ContinuousClock.now

    static let decisions: [([Int], Int, Bool)] = [
        ([], 2_999, false),
        ([], 3_001, true),
        ([1_000], 3_500, false),
        ([1_000], 4_001, true),
        ([1_000, 2_000, 3_900], 6_800, false),
        ([1_000, 2_000, 3_900], 6_901, true),
        // Progress reported out of order never moves the last progress back.
        ([3_000, 1_000], 5_500, false),
    ]

    @Test("stalled only once the timeout has passed since the last progress", arguments: decisions)
    func stalledDecision(progress: [Int], at milliseconds: Int, stalled: Bool) {
        let watchdog = StallWatchdog(timeout: .seconds(3), now: Self.start)
        for offset in progress { watchdog.progressed(at: Self.start + .milliseconds(offset)) }
        #expect(watchdog.isStalled(at: Self.start + .milliseconds(milliseconds)) == stalled)
    }

    @Test("the next look is due when the timeout would pass, never sooner than a few milliseconds")
    func nextCheck() {
        let watchdog = StallWatchdog(timeout: .seconds(3), now: Self.start)
        #expect(watchdog.nextCheck(at: Self.start + .seconds(1)) == .milliseconds(2_001))
        #expect(watchdog.nextCheck(at: Self.start + .seconds(5)) == .milliseconds(11))
    }

    struct Stalled: Error, Equatable {}

    @Test("quiet work is cancelled and the stall error thrown; its cancellation is awaited")
    func quietWorkIsCancelled() async throws {
        let watchdog = StallWatchdog(timeout: .milliseconds(200))
        let unwound = Mutex(false)
        await #expect(throws: Stalled()) {
            try await watchdog.run(
                {
                    do { try await Task.sleep(for: .seconds(60)) } catch {
                        unwound.withLock { $0 = true }
                        throw error
                    }
                }, stalled: { Stalled() })
        }
        #expect(unwound.withLock { $0 }, "the stalled work was not cancelled before run returned")
    }

    // Whether progress keeps work alive past the timeout is the decision table's; here, timing-free, that work
    // which ends in time returns its value and the watcher is stopped.
    @Test("work that ends in time returns its value")
    func progressingWorkFinishes() async throws {
        let watchdog = StallWatchdog(timeout: .seconds(60))
        let value = try await watchdog.run(
            {
                for _ in 0..<3 {
                    await Task.yield()
                    watchdog.progressed()
                }
                return 42
            }, stalled: { Stalled() })
        #expect(value == 42)
    }

    @Test("the work's own error passes through")
    func workErrorPasses() async {
        struct Own: Error, Equatable {}
        let watchdog = StallWatchdog(timeout: .seconds(5))
        await #expect(throws: Own()) { try await watchdog.run({ throw Own() }, stalled: { Stalled() }) }
    }

    @Test("past the deadline the work is cancelled and the time limit is the error")
    func timeLimitCancels() async throws {
        let unwound = Mutex(false)
        await #expect(throws: CoreError.timeLimitReached(seconds: 1, cleanedUp: true)) {
            try await TimeLimit.run(deadline: .now + .milliseconds(200), seconds: 1) {
                do { try await Task.sleep(for: .seconds(60)) } catch {
                    unwound.withLock { $0 = true }
                    throw error
                }
            }
        }
        #expect(unwound.withLock { $0 })
    }

    @Test("work that ignores cancellation is left after the grace period")
    func timeLimitGrace() async throws {
        let held = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let finished = Mutex(false)
        await #expect(throws: CoreError.timeLimitReached(seconds: 1, cleanedUp: false)) {
            try await TimeLimit.run(deadline: .now + .milliseconds(100), seconds: 1, grace: .milliseconds(200)) {
                // Stands for a transfer that receives nothing and so never looks at its cancellation (without
                // holding one of the few threads the other tests need); it ends only when the test lets it.
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in held.withLock { $0 = done } }
                finished.withLock { $0 = true }
            }
        }
        #expect(!finished.withLock { $0 }, "the time limit waited for work that ignores cancellation")
        while held.withLock({ $0 }) == nil { await Task.yield() }
        held.withLock { $0?.resume() }
    }

    @Test("within the deadline the value and errors are the work's; no deadline means none")
    func timeLimitPasses() async throws {
        struct Own: Error, Equatable {}
        #expect(try await TimeLimit.run(deadline: .now + .seconds(30), seconds: 30) { 7 } == 7)
        #expect(try await TimeLimit.run(deadline: nil, seconds: nil) { 8 } == 8)
        await #expect(throws: Own()) { try await TimeLimit.run(deadline: .now + .seconds(30), seconds: 30) { throw Own() } }
    }

    @Test("a push whose stream goes quiet fails with one line naming the registry, and is not retried")
    func stalledPush() async throws {
        let engine = QuietPushEngine()
        var pusher = ImagePusher(
            engine: engine, reporter: Reporter(json: false, debug: false) { _ in },
            credentials: RegistryCredentialStore(environment: ["HOME": "/nonexistent"]), retryDelay: .milliseconds(10))
        pusher.stallTimeoutSeconds = 1
        await #expect(throws: CoreError.pushStalled(image: "127.0.0.1:5999/a/b:1", registry: "127.0.0.1:5999", seconds: 1)) {
            try await pusher.push("127.0.0.1:5999/a/b:1")
        }
        #expect(engine.pushes.withLock { $0 } == 1)
        #expect(engine.cancelled.withLock { $0 } == 1)
        let message = "\(CoreError.pushStalled(image: "127.0.0.1:5999/a/b:1", registry: "127.0.0.1:5999", seconds: 1))"
        #expect(message.contains("registry 127.0.0.1:5999 made no progress for 1 s (--push-stall-timeout)") && !message.contains("\n"))
    }
}

/// An engine whose push reports a little progress and then nothing, until it is cancelled.
final class QuietPushEngine: ContainerEngine {
    let pushes = Mutex(0)
    let cancelled = Mutex(0)
    struct NotScripted: Error {}

    func negotiateVersion() async throws -> String { "1.43" }
    func builderSupport() async throws -> BuilderSupport { BuilderSupport(isPodman: false, buildKitUnavailable: nil) }
    func inspectImage(_ reference: String) async throws -> ImageInspect? { nil }
    func build<Context: AsyncSequence & Sendable>(
        context: Context, options: BuildOptions, onEvent: @escaping @Sendable (BuildEvent) -> Void
    ) async throws -> String where Context.Element == [UInt8] { throw NotScripted() }
    func tagImage(_ source: String, repository: String, tag: String) async throws { throw NotScripted() }
    func removeImage(_ reference: String, force: Bool, prune: Bool) async throws {}
    func pushImage(
        repository: String, tag: String, auth: RegistryAuth?, onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws -> String? {
        pushes.withLock { $0 += 1 }
        do {
            for step in 1...3 {
                onProgress(PushProgress(layer: "l1", status: "Pushing", current: Int64(step), total: 10))
                try await Task.sleep(for: .milliseconds(300))
            }
            try await Task.sleep(for: .seconds(120))
        } catch {
            cancelled.withLock { $0 += 1 }
            throw EngineError.pushFailed(message: "context canceled")
        }
        return nil
    }
    func pullImage(
        repository: String, tag: String, auth: RegistryAuth?, platform: String?, onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws { throw NotScripted() }
    func runContainer(_ options: RunOptions, onOutput: @escaping @Sendable (EngineClient.OutputStream, String) -> Void) async throws
        -> Int32
    {
        throw NotScripted()
    }
    func shutdown() async {}
}
