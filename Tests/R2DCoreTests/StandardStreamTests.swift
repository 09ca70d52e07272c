import Foundation
@testable import R2DCore
import Synchronization
import Testing

/// How often the SIGUSR1 handler of the interruption test ran (a C handler cannot capture a context).
private let interruptions = Atomic<Int>(0)

@Suite("StandardStream: every byte written, or the failure recorded; never a trap")
struct StandardStreamTests {
    @Test("a full device: the write fails with ENOSPC and the failure is kept")
    func fullDevice() throws {
        let descriptor = open("/dev/full", O_WRONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let stream = StandardStream(descriptor: descriptor)
        #expect(stream.failure == nil)
        #expect(!stream.write("FROM scratch\n"))
        #expect(stream.failure == ENOSPC)
        #expect(stream.failureDescription == "No space left on device")
    }

    @Test("a descriptor not open for writing (what stands in for a closed one): EBADF")
    func readOnlyDescriptor() throws {
        let descriptor = open("/dev/null", O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let stream = StandardStream(descriptor: descriptor)
        #expect(!stream.write("text"))
        #expect(stream.failure == EBADF)
    }

    @Test("a pipe whose reader is gone: EPIPE comes back, the process is not killed by SIGPIPE")
    func brokenPipe() throws {
        StandardStream.prepareProcess()
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        let stream = StandardStream(descriptor: ends[1])
        #expect(!stream.write("nobody reads this\n"))
        #expect(stream.failure == EPIPE)
    }

    @Test("the first failure is the one kept")
    func firstFailureKept() throws {
        let descriptor = open("/dev/full", O_WRONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let stream = StandardStream(descriptor: descriptor)
        stream.recordFailure(EPIPE)
        #expect(!stream.write("x"))
        #expect(stream.failure == EPIPE)
    }

    @Test("a non-blocking pipe that fills up: partial writes and EAGAIN, yet every byte arrives in order")
    func partialWrites() throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        let payload = Self.pattern(count: 1 << 20)
        let reader = SlowReader(descriptor: ends[0])
        let written = payload.withUnsafeBytes { StandardStream.write($0, to: ends[1]) }
        close(ends[1])
        #expect(written == nil)
        #expect(reader.wait() == payload)
    }

    @Test("a write interrupted by signals goes on where it stopped")
    func interruptedWrites() throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        // No SA_RESTART: a signal during a blocked write makes it return early (EINTR or a short count).
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interruptions.add(1, ordering: .relaxed) }
        action.sa_flags = 0
        var previous = sigaction()
        sigaction(SIGUSR1, &action, &previous)
        defer { sigaction(SIGUSR1, &previous, nil) }

        let payload = Self.pattern(count: 1 << 20)
        let writer = InterruptibleWriter(payload: payload, descriptor: ends[1])
        let reader = SlowReader(descriptor: ends[0])
        let before = interruptions.load(ordering: .relaxed)
        while !writer.isDone {
            writer.interrupt()
            usleep(500)
        }
        close(ends[1])
        #expect(writer.result == nil)
        #expect(reader.wait() == payload)
        #expect(interruptions.load(ordering: .relaxed) > before, "no signal arrived during the write: the test proved nothing")
    }

    /// Bytes whose order a test can check: 0, 1, …, 250, 0, 1, …
    static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8($0 % 251) }
    }
}

/// Reads a pipe in small pieces with pauses, so the writer keeps finding it full.
final class SlowReader: @unchecked Sendable {
    private var received: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(descriptor: Int32) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                self.received += buffer[..<count]
                usleep(100)
            }
            self.done.signal()
        }.start()
    }

    /// Everything read until end of file.
    func wait() -> [UInt8] {
        done.wait()
        return received
    }
}

/// Writes `payload` on a thread of its own, which `interrupt()` sends SIGUSR1 to.
final class InterruptibleWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var thread: pthread_t?
    private var finished = false
    private(set) var result: Int32?

    init(payload: [UInt8], descriptor: Int32) {
        let started = DispatchSemaphore(value: 0)
        Thread {
            // Threads inherit the signal mask of their creator, and the test runner's threads may block SIGUSR1.
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            sigaddset(&unblocked, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            self.lock.withLock { self.thread = pthread_self() }
            started.signal()
            let result = payload.withUnsafeBytes { StandardStream.write($0, to: descriptor) }
            self.lock.withLock {
                self.result = result
                self.finished = true
            }
        }.start()
        started.wait()
    }

    var isDone: Bool { lock.withLock { finished } }

    func interrupt() {
        lock.withLock {
            if !finished, let thread { pthread_kill(thread, SIGUSR1) }
        }
    }
}
