import Subprocess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program to run once: its path, arguments, environment (exactly what the child gets), standard input and
/// how long it may take. `name` is how messages call it (e.g. "docker-credential-pass" or "hg clone").
public struct ChildProcess: Sendable {
    public var name: String
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    /// The child's stdin, then its end (empty: at its end at once); at most 60,000 bytes.
    public var input: [UInt8]
    public var timeout: Duration
    /// At most this much of stdout is kept; the rest is read and dropped.
    public var outputLimit: Int
    /// How long the child has after SIGTERM (on a timeout or cancellation) before SIGKILL.
    public var gracePeriod: Duration = .seconds(1)

    public init(
        name: String, executable: String, arguments: [String] = [], environment: [String: String],
        workingDirectory: String? = nil, input: [UInt8] = [], timeout: Duration, outputLimit: Int = 16 << 20
    ) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.input = input
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// The most of stderr kept (its start: the first line is what messages quote).
    public static let errorLimit = 64 << 10
}

/// How a child ended.
public struct ChildResult: Sendable, Equatable {
    /// The exit status, or 128 + the signal that ended it (as a shell reports it).
    public var status: Int32
    public var output: [UInt8]
    /// The start of stderr (at most `ChildProcess.errorLimit` bytes).
    public var errorOutput: [UInt8]

    public init(status: Int32, output: [UInt8], errorOutput: [UInt8]) {
        self.status = status
        self.output = output
        self.errorOutput = errorOutput
    }

    public var outputText: String { String(decoding: output, as: UTF8.self) }

    /// The first non-blank line of stderr, trimmed and at most 200 characters; nil when stderr was empty.
    public var firstErrorLine: String? { ChildResult.firstLine(of: errorOutput) }

    /// "exited with status 1: <first line of stderr>", for a one-line message of the caller's.
    public var failureSummary: String {
        let how = status > 128 ? "was ended by signal \(status - 128)" : "exited with status \(status)"
        return firstErrorLine.map { "\(how): \($0)" } ?? how
    }

    static func firstLine(of bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingSpaces() }
            .first(where: { !$0.isEmpty })
        return line.map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 }
    }
}

/// Why a child could not be run to its end. Each description is one line naming the program.
public enum ChildProcessError: Error, Equatable, CustomStringConvertible {
    /// It could not be started, or its pipes could not be read.
    case couldNotRun(name: String, reason: String)
    /// Still running after the timeout: it was ended with its process group. `errorLine` is the first line
    /// of what it had written to stderr.
    case timedOut(name: String, seconds: Int, errorLine: String?)

    public var description: String {
        switch self {
        case .couldNotRun(let name, let reason):
            return "\(name) could not be run: \(reason)"
        case .timedOut(let name, let seconds, let errorLine):
            return "\(name) did not finish within \(seconds) s and was stopped" + (errorLine.map { " (it said: \($0))" } ?? "")
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
