import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ChildProcess {
    /// Runs the child to its end, reading stdout and stderr at once. A non-zero exit is a result, not an error.
    /// Throws `ChildProcessError` (could not run, timed out) or `CancellationError` when the task was cancelled;
    /// in both of the last cases the child and its process group were ended first.
    public func run() async throws -> ChildResult {
        let progress = Progress()
        // Whatever way the run ends early, what is left of the child's process group goes too.
        let outcome: Outcome
        do {
            outcome = try await race(progress)
        } catch {
            progress.killGroup()
            throw error
        }
        switch outcome {
        case .finished(let result):
            if Task.isCancelled {
                progress.killGroup()
                throw CancellationError()
            }
            return result
        case .timedOut:
            progress.killGroup()
            let seconds = Int(timeout.components.seconds)
            throw ChildProcessError.timedOut(name: name, seconds: seconds, errorLine: ChildResult.firstLine(of: progress.errorStart))
        }
    }

    /// The child's run against the timeout.
    func race(_ progress: Progress) async throws -> Outcome {
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask { .finished(try await self.runToEnd(progress)) }
            group.addTask {
                // The time counts from the start of the child, and a child that has exited by then is not
                // stopped: its run ends by itself (a busy machine may resume this task before reading its output).
                while !progress.hasStarted { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: self.timeout)
                for _ in 0..<250 where progress.childHasExited { try await Task.sleep(for: .milliseconds(20)) }
                return .timedOut
            }
            // The first to end wins; cancelling the other ends the child (swift-subprocess's teardown) or the timer,
            // and the group waits for it before returning.
            let first = try await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }

    enum Outcome: Sendable {
        case finished(ChildResult)
        case timedOut
    }

    /// What a run has seen so far: the child's process id (its process group's too) and the start of stderr.
    final class Progress: Sendable {
        private let state = Mutex<(pid: pid_t?, errorStart: [UInt8])>((nil, []))
        func started(_ pid: pid_t) { state.withLock { $0.pid = pid } }
        var hasStarted: Bool { state.withLock { $0.pid != nil } }

        /// Whether the child has exited and waits to be reaped (its run is about to end by itself).
        var childHasExited: Bool {
            guard let pid = state.withLock({ $0.pid }) else { return false }
            let descriptor = open("/proc/\(pid)/stat", O_RDONLY)
            guard descriptor >= 0 else { return true }
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return true }
            // "pid (comm) S …": the state follows the last parenthesis.
            guard let paren = buffer[..<count].lastIndex(of: UInt8(ascii: ")")), paren + 2 < count else { return false }
            return buffer[paren + 2] == UInt8(ascii: "Z")
        }
        func sawError(_ bytes: [UInt8]) { state.withLock { $0.errorStart = bytes } }
        var errorStart: [UInt8] { state.withLock { $0.errorStart } }
        /// SIGKILL to whatever is left of the child's process group (a grandchild that ignored SIGTERM).
        func killGroup() {
            guard let pid = state.withLock({ $0.pid }), pid > 1 else { return }
            _ = kill(-pid, SIGKILL)
        }
    }

    var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        // Its own process group: the teardown reaches the programs it started, and a terminal's Ctrl-C reaches
        // swift-r2d alone, which then cancels the run.
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        return options
    }

    func runToEnd(_ progress: Progress) async throws -> ChildResult {
        let environment = Environment.custom(self.environment.map { Array("\($0.key)=\($0.value)\0".utf8) })
        let (outputLimit, name) = (self.outputLimit, self.name)
        let inputDescriptor = try Self.inputPipe(input, name: name)
        do {
            let result = try await Subprocess.run(
                .path(.init(executable)), arguments: .init(arguments), environment: environment,
                workingDirectory: workingDirectory.map { .init($0) }, platformOptions: platformOptions,
                input: .fileDescriptor(.init(rawValue: inputDescriptor), closeAfterSpawningProcess: true),
                output: .sequence, error: .sequence
            ) { execution in
                progress.started(execution.processIdentifier.value)
                async let output = Self.drain(execution.standardOutput, keeping: outputLimit, name: name, progress: nil)
                async let errors = Self.drain(execution.standardError, keeping: Self.errorLimit, name: name, progress: progress)
                return try await (output, errors)
            }
            let (output, errors) = result.closureResult
            return ChildResult(status: Self.status(result.terminationStatus), output: output, errorOutput: errors)
        } catch let error as ChildProcessError {
            throw error
        } catch let error as SubprocessError {
            if Task.isCancelled { throw CancellationError() }
            throw ChildProcessError.couldNotRun(name: name, reason: Self.reason(error))
        }
    }

    /// The read end of a pipe that already holds all of `input`, its write end closed: the child reads the input
    /// and then its end, and nothing here writes to (or blocks on, or gets SIGPIPE from) a child that never reads.
    /// Input is small (a server URL), at most the pipe's 64 KiB.
    static func inputPipe(_ input: [UInt8], name: String) throws -> Int32 {
        var descriptors: [Int32] = [-1, -1]
        guard input.count <= 60_000, pipe(&descriptors) == 0 else {
            throw ChildProcessError.couldNotRun(name: name, reason: "its input does not fit a pipe")
        }
        let (reader, writer) = (descriptors[0], descriptors[1])
        _ = fcntl(reader, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writer, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writer, F_SETFL, O_NONBLOCK)
        defer { close(writer) }
        var written = 0
        while written < input.count {
            let count = input.withUnsafeBytes { write(writer, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                close(reader)
                throw ChildProcessError.couldNotRun(name: name, reason: "its input could not be written")
            }
            written += count
        }
        return reader
    }

    /// Reads `sequence` to its end, keeping its first `limit` bytes.
    static func drain(
        _ sequence: SubprocessOutputSequence, keeping limit: Int, name: String, progress: Progress?
    ) async throws -> [UInt8] {
        var kept: [UInt8] = []
        for try await buffer in sequence where kept.count < limit {
            let room = limit - kept.count
            kept += buffer.withUnsafeBytes { Array($0.prefix(room)) }
            if let progress, kept.count <= 4096 { progress.sawError(kept) }
        }
        return kept
    }

    static func status(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// swift-subprocess's description, on one line and without its trailing period.
    static func reason(_ error: SubprocessError) -> String {
        var text = String(describing: error).split(whereSeparator: { $0 == "\n" }).joined(separator: " ")
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
