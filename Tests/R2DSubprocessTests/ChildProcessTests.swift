import Foundation
import Testing

@testable import R2DSubprocess

/// Runs real /bin/sh scripts written at test time: both pipes, timeouts, cancellation and the process group.
@Suite("Child processes")
struct ChildProcessTests {
    /// A fresh directory for one test's scripts and pid files.
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-child-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func script(_ body: String, in directory: String, name: String = "child") throws -> String {
        let path = directory + "/" + name
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// A script that records its pid and its background sleep's, then waits for ever (never answers).
    static func hanging(in directory: String) throws -> String {
        try script("echo $$ > '\(directory)/sh.pid'\nsleep 3600 &\necho $! > '\(directory)/sleep.pid'\nwait\n", in: directory)
    }

    /// True once none of the pids in `files` is a live process (a zombie counts as ended), polled for up to 10 s.
    static func allGone(_ files: [String]) async throws -> Bool {
        let pids = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            .compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard pids.count == files.count else { return false }
        for _ in 0..<200 {
            if pids.allSatisfy({ !isAlive($0) }) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie waiting for its new parent to reap it has ended already.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false)
    }

    @Test("stdin reaches the child; stdout and the first line of stderr come back")
    func roundTrip() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.script("read line\necho \"got $line\"\necho '  first problem ' >&2\necho second >&2\nexit 3\n", in: dir)
        let result = try await ChildProcess(
            name: "child", executable: path, environment: [:], input: Array("hello\n".utf8), timeout: .seconds(600)
        ).run()
        #expect(result.status == 3)
        #expect(result.outputText == "got hello\n")
        #expect(result.firstErrorLine == "first problem")
        #expect(result.failureSummary == "exited with status 3: first problem")
    }

    @Test("8 MB on stderr before stdout does not block the child; only the start of stderr is kept")
    func bothPipesAtOnce() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.script("head -c 8388608 /dev/zero | tr '\\0' x >&2\necho answer\n", in: dir)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess(name: "noisy", executable: path, environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(600))
            .run()
        #expect(result.status == 0)
        #expect(result.outputText == "answer\n")
        #expect(result.errorOutput.count == ChildProcess.errorLimit)
        #expect(clock.now - start < .seconds(900))
    }

    @Test("a child that never ends is stopped at the timeout, with the programs it started")
    func timeout() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.hanging(in: dir)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: ChildProcessError.timedOut(name: "hangs", seconds: 1, errorLine: nil)) {
            try await ChildProcess(name: "hangs", executable: path, environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(1)).run()
        }
        // The child sleeps an hour; the bound only catches a hang: the parallel suite can block the two-thread
        // cooperative pool for minutes on 2 cores.
        #expect(clock.now - start < .seconds(900))
        #expect(try await Self.allGone([dir + "/sh.pid", dir + "/sleep.pid"]))
    }

    @Test("a cancelled task ends the child and its process group at once")
    func cancellation() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.hanging(in: dir)
        let task = Task {
            try await ChildProcess(name: "hangs", executable: path, environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(3600)).run()
        }
        for _ in 0..<2000 where !FileManager.default.fileExists(atPath: dir + "/sleep.pid") { try await Task.sleep(for: .milliseconds(50)) }
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.now - start < .seconds(900))
        #expect(try await Self.allGone([dir + "/sh.pid", dir + "/sleep.pid"]))
    }

    @Test("a program that cannot be started is one line naming it")
    func cannotStart() async throws {
        await #expect {
            try await ChildProcess(name: "missing-tool", executable: "/nonexistent/missing-tool", environment: [:], timeout: .seconds(5))
                .run()
        } throws: { error in
            let text = String(describing: error)
            return error is ChildProcessError && text.hasPrefix("missing-tool could not be run") && !text.contains("\n")
        }
    }
}
