import Foundation
import R2DCore
import R2DRedaction

/// Under `--json-logs`, BinderHub must see nothing but JSON objects, even when something other than the reporter
/// writes to stderr (a C library, the Swift runtime) or the process crashes. The guard routes fd 2 through a pipe:
/// a reader thread passes JSON lines through and wraps any other line as `{"message": …}`; on a fatal signal the
/// handler drains the pipe the same way and adds a final `failed` line before the process dies.
/// Wrapped lines are redacted (the reporter's own JSON lines already are); a failed write to the real stderr
/// is recorded on `StandardStream.error`, so it counts for the exit status as a direct write would.
public enum JSONOutputGuard {
    nonisolated(unsafe) private static var realStderr: Int32 = -1
    nonisolated(unsafe) private static var pipeRead: Int32 = -1
    nonisolated(unsafe) private static var reader: Thread?
    private static let finished = DispatchSemaphore(value: 0)
    /// Preformatted, so the signal handler needs no allocation for it.
    nonisolated(unsafe) private static var crashLine: [UInt8] = Array(
        "{\"message\":\"swift-r2d crashed (a bug): the lines above say where; please report it.\\n\",\"phase\":\"failed\"}\n".utf8)
    nonisolated(unsafe) private static var drainBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 65536)

    /// Installs the guard (once; `OutputOptions.activate` calls it under JSON); call `finish()` before exiting.
    static func install() {
        guard reader == nil else { return }
        var fds: [Int32] = [-1, -1]
        let saved = dup(2)
        guard saved >= 0, pipe(&fds) == 0, dup2(fds[1], 2) >= 0 else { return }
        close(fds[1])
        realStderr = saved
        pipeRead = fds[0]
        let thread = Thread { forward() }
        thread.start()
        reader = thread
        for signalNumber in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(signalNumber, onFatalSignal)
        }
    }

    /// Flushes everything written so far and puts stderr back.
    static func finish() {
        guard realStderr >= 0, reader != nil else { return }
        fflush(nil)  // every C stream, stderr included
        dup2(realStderr, 2)  // closes the pipe's last write end: the reader sees end of file
        finished.wait()
        reader = nil
    }

    private static func forward() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pipeRead, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                emit(Array(pending[...newline]))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { emit(pending + [0x0A]) }
        finished.signal()
    }

    /// Writes a line (with its newline) as it is when it is a JSON object, wrapped otherwise.
    private static func emit(_ line: [UInt8]) {
        let body = line.dropLast()
        let output: [UInt8]
        if body.first == UInt8(ascii: "{"), (try? JSONSerialization.jsonObject(with: Data(body))) is [String: Any] {
            // The reporter's own lines are redacted already; a build secret is hidden in any other one too.
            output = Redaction.hidingRegisteredSecrets(in: line)
        } else {
            output = wrap(Redaction.redactingCredentials(in: line))
        }
        if let failure = output.withUnsafeBytes({ StandardStream.write($0, to: realStderr) }) {
            StandardStream.error.recordFailure(failure)
        }
    }

    /// `{"message": "<line>"}` with JSON string escaping; plain byte work, usable from the signal handler.
    static func wrap(_ line: [UInt8]) -> [UInt8] {
        var out: [UInt8] = Array("{\"message\":\"".utf8)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for byte in line {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out += Array("\"}\n".utf8)
        return out
    }

    private static let onFatalSignal: @convention(c) (Int32) -> Void = { signalNumber in
        // Other threads keep running: give the reader a moment to pass on what it already took from the pipe
        // (the runtime's message about the crash), then wrap whatever is left and say the run failed.
        var pause = timespec(tv_sec: 0, tv_nsec: 200_000_000)
        nanosleep(&pause, nil)
        _ = fcntl(JSONOutputGuard.pipeRead, F_SETFL, O_NONBLOCK)
        while true {
            let count = read(JSONOutputGuard.pipeRead, JSONOutputGuard.drainBuffer, 65536)
            if count <= 0 { break }
            var start = 0
            for index in 0..<count where JSONOutputGuard.drainBuffer[index] == 0x0A || index == count - 1 {
                let line = Array(UnsafeBufferPointer(start: JSONOutputGuard.drainBuffer + start, count: index - start + 1))
                let wrapped = JSONOutputGuard.wrap(line.last == 0x0A ? line : line + [0x0A])
                wrapped.withUnsafeBytes { _ = write(JSONOutputGuard.realStderr, $0.baseAddress, $0.count) }
                start = index + 1
            }
        }
        JSONOutputGuard.crashLine.withUnsafeBytes { _ = write(JSONOutputGuard.realStderr, $0.baseAddress, $0.count) }
        signal(signalNumber, SIG_DFL)
        raise(signalNumber)
    }
}
