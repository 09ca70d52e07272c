import Foundation
import R2DTestSupport
import Testing

/// The real binary with stdout or stderr unwritable: a full device, a closed descriptor, a pipe nobody reads.
/// Each run must end with its documented status (1 whenever output was lost, never 128+signal for a trap)
/// and, where stderr can be read, say what happened without a crash report.
@Suite("Unwritable stdout and stderr end the run with status 1, never a trap")
struct UnwritableOutputTests {
    /// One command line and the shell redirection applied to the program.
    struct Redirected: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let redirection: String
        let status: Int32
        /// Text the (captured) stderr must contain; nil when stderr is not captured or nothing is expected.
        let stderrMentions: String?
        var testDescription: String { (["swift-r2d"] + arguments + [redirection]).joined(separator: " ") }
    }

    static let noSpace = "Could not write to standard output: No space left on device."
    static let closed = "Could not write to standard output: Bad file descriptor."
    static let cases: [Redirected] = [
        .init(arguments: ["build", "--no-build", "{repo}"], redirection: ">/dev/full", status: 1, stderrMentions: noSpace),
        .init(arguments: ["detect", "--json", "{repo}"], redirection: ">/dev/full", status: 1, stderrMentions: noSpace),
        .init(arguments: ["detect", "{repo}"], redirection: ">/dev/full", status: 1, stderrMentions: noSpace),
        .init(arguments: ["build", "--no-build", "{repo}"], redirection: ">&-", status: 1, stderrMentions: closed),
        .init(arguments: ["detect", "--json", "{repo}"], redirection: ">&-", status: 1, stderrMentions: closed),
        .init(arguments: ["--help"], redirection: ">/dev/full", status: 1, stderrMentions: noSpace),
        .init(arguments: ["--version"], redirection: ">&-", status: 1, stderrMentions: closed),
        .init(arguments: ["build", "--no-build", "{repo}"], redirection: ">&- 2>&-", status: 1, stderrMentions: nil),
        // Under --json-logs the Dockerfile is a log line on stderr: losing stderr loses the payload.
        .init(arguments: ["build", "--json-logs", "--no-build", "{repo}"], redirection: "2>&-", status: 1, stderrMentions: nil),
        .init(arguments: ["build", "--json-logs", "--no-build", "{repo}"], redirection: "2>/dev/full", status: 1, stderrMentions: nil),
        // Under --json-logs nothing goes to stdout, so an unwritable stdout loses nothing.
        .init(arguments: ["build", "--json-logs", "--no-build", "{repo}"], redirection: ">/dev/full", status: 0, stderrMentions: "FROM "),
        // A failure whose final line cannot be written keeps its own status (2 for a usage error).
        .init(arguments: ["build", "--no-build"], redirection: "2>/dev/full", status: 2, stderrMentions: nil),
        .init(arguments: ["build", "--no-build", "--json-logs"], redirection: "2>&-", status: 2, stderrMentions: nil),
        .init(arguments: ["build", "--no-build", "{repo}/no-such-directory"], redirection: "2>/dev/full", status: 1, stderrMentions: nil),
        .init(
            arguments: ["build", "--no-build", "--json-logs", "{repo}/no-such-directory"], redirection: "2>&-", status: 1,
            stderrMentions: nil),
    ]

    @Test("shell redirections", arguments: cases)
    func redirected(_ testCase: Redirected) throws {
        let (repo, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let arguments = testCase.arguments.map { $0.replacingOccurrences(of: "{repo}", with: repo.path) }
        let result = try Self.run(arguments, redirection: testCase.redirection)
        #expect(result.status == testCase.status, "status \(result.status), stderr: \(result.stderr)")
        Self.expectNoCrashReport(result.stderr)
        if let mention = testCase.stderrMentions {
            #expect(result.stderr.contains(mention), "stderr: \(result.stderr)")
        }
    }

    @Test("stderr unwritable while stdout works: the payload still arrives; a lost log line makes the status 1")
    func stderrUnwritableStdoutFine() throws {
        let (repo, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        let dockerfile = try String(contentsOfFile: repo.path + "/Dockerfile", encoding: .utf8)
        for redirection in ["2>/dev/full", "2>&-"] {
            // build logs "Picked Local content provider." first: that line is lost.
            let build = try Self.run(["build", "--no-build", repo.path], redirection: redirection)
            #expect(build.status == 1, "\(redirection): status \(build.status)")
            #expect(build.stdout == dockerfile, "\(redirection): stdout \(build.stdout)")
            // detect --json logs nothing for a local directory, so nothing is lost: its own status stands.
            let detect = try Self.run(["detect", "--json", repo.path], redirection: redirection)
            #expect(detect.status == 0, "\(redirection): status \(detect.status)")
            let plan = try JSONSerialization.jsonObject(with: Data(detect.stdout.utf8)) as? [String: Any]
            #expect(plan?["buildpack"] as? String == "docker", "\(redirection): stdout \(detect.stdout)")
        }
    }

    @Test("a pipe whose reader has gone: EPIPE, status 1, no death by SIGPIPE")
    func brokenPipe() throws {
        let (repo, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { repo.remove() }
        for arguments in [["build", "--no-build", repo.path], ["detect", "--json", repo.path]] {
            let output = Pipe(), errors = Pipe()
            // Nobody will ever read stdout: the program's first write meets a pipe without a reader.
            try output.fileHandleForReading.close()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ProjectPaths.binary)
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let stderr = String(decoding: readToEnd(errors.fileHandleForReading.fileDescriptor), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit, "\(arguments[0]): killed by signal \(process.terminationStatus)")
            #expect(process.terminationStatus == 1, "\(arguments[0]): stderr: \(stderr)")
            #expect(stderr.contains("Could not write to standard output: Broken pipe."), "\(arguments[0]): stderr: \(stderr)")
            Self.expectNoCrashReport(stderr)
        }
    }

    /// Runs the binary through `sh -c 'exec … <redirection>'`, so the redirection applies to it alone and a
    /// death by signal is the program's own (reported as the signal's number, which no case expects).
    static func run(_ arguments: [String], redirection: String) throws -> ProgramResult {
        let script = "exec \"$0\" \"$@\" " + redirection
        let result = try runProgram("/bin/sh", ["-c", script, ProjectPaths.binary] + arguments)
        return result
    }

    /// What Swift's runtime prints when it traps or crashes.
    static func expectNoCrashReport(_ stderr: String) {
        for marker in ["Fatal error", "Program crashed", "Stack dump", "Backtrace", "Current stack trace", "💣"] {
            #expect(!stderr.contains(marker), "crash report (\(marker)) in stderr: \(stderr)")
        }
    }
}
