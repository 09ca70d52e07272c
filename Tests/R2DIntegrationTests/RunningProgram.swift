import Foundation
import R2DTestSupport

/// A program started in the background whose output can be waited for, signalled and reaped, for fault tests.
final class RunningProgram: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                self.lock.lock(); self.collected += String(decoding: data, as: UTF8.self); self.lock.unlock()
            }
            self.done.signal()
        }.start()
    }

    var output: String { lock.lock(); defer { lock.unlock() }; return collected }

    /// Waits until the output contains `text`; false after `timeout`.
    func waitForOutput(_ text: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            usleep(50_000)
        }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// The exit status (128+signal for a signal death), or nil if it is still running after `timeout`
    /// (it is then killed).
    func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        _ = done.wait(timeout: .now() + 5)
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// A second dockerd with its own data and exec roots (mounts left by a killed daemon are undone), listening on a unix socket and,
/// optionally, on loopback tcp with TLS that requires client certificates. Call `stop()` when done.
final class ScratchDaemon: @unchecked Sendable {
    let directory: String
    let socket: String
    let tlsPort: Int?
    private var daemon: RunningProgram?

    var pid: Int32 { daemon?.process.processIdentifier ?? 0 }

    init(tls: Bool) throws {
        directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-dockerd-")
        socket = directory + "/docker.sock"
        tlsPort = tls ? try GeneratedEnvironmentTests.freePort() : nil
        do {
            var arguments = [
                "--data-root", directory + "/data", "--exec-root", directory + "/exec", "--pidfile", directory + "/docker.pid",
                "--iptables=false", "--ip6tables=false", "--bridge=none",
                "-H", "unix://" + socket,
            ]
            if let tlsPort {
                try TestCertificates.make(in: directory)
                try TestCertificates.makeClient(in: directory)
                arguments += [
                    "-H", "tcp://127.0.0.1:\(tlsPort)", "--tlsverify", "--tlscacert", directory + "/ca.pem",
                    "--tlscert", directory + "/server.pem", "--tlskey", directory + "/server.key",
                ]
            }
            daemon = try RunningProgram("/usr/sbin/dockerd", arguments)
            var answered = false
            for _ in 0..<300 {
                let ping = try runProgram("/usr/bin/curl", ["-sf", "--unix-socket", socket, "http://d/_ping"])
                if ping.status == 0 { answered = true; break }
                usleep(100_000)
            }
            guard answered else {
                throw TestCertificates.Failure(description: "the scratch dockerd did not answer: \(daemon?.output.suffix(2000) ?? "")")
            }
            try loadBaseImage()
        } catch {
            stop()
            throw error
        }
    }

    /// Copies the test base image from the main daemon.
    private func loadBaseImage() throws {
        let tar = directory + "/base.tar"
        let save = try runProgram("/usr/bin/docker", ["save", "-o", tar, "swift-r2d/test-base:bookworm"])
        guard save.status == 0 else { throw TestCertificates.Failure(description: "docker save failed: \(save.stderr)") }
        let load = try runProgram("/usr/bin/docker", ["-H", "unix://" + socket, "load", "-i", tar])
        guard load.status == 0 else { throw TestCertificates.Failure(description: "docker load failed: \(load.stderr)") }
        try? FileManager.default.removeItem(atPath: tar)
    }

    /// Kills the daemon at once, as a crash would.
    func kill9() { daemon?.signal(SIGKILL) }

    /// Stops the daemon and everything it started, and removes its files.
    func stop() {
        if let daemon {
            daemon.signal(SIGTERM)
            if daemon.wait(timeout: .seconds(20)) == nil { daemon.signal(SIGKILL) }
        }
        daemon = nil
        // containerd and shims started for this daemon live under its exec root.
        _ = try? runProgram("/usr/bin/pkill", ["-9", "-f", directory])
        if let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) {
            for line in mounts.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count > 1, fields[1].hasPrefix(directory) { _ = try? runProgram("/usr/bin/umount", ["-l", String(fields[1])]) }
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
