import R2DBasics
import ArgumentParser
import Dispatch
import Foundation
import R2DBuildpacks
import R2DCore
import R2DRedaction

/// The program: dispatches on the name it was invoked by and the first argument, runs the command, renders
/// every error once as one line (or one JSON `failed` line), and returns the exit status. Everything it prints
/// goes through `StandardStream`, so output that cannot be written ends the run with status 1, not a trap.
public enum CommandLineEntry {
    /// `rawArguments` are the bytes of the process arguments, when known: a program name, path or value that
    /// is not UTF-8 cannot be passed on faithfully (Swift strings repair it), so it is refused up front.
    /// Returns the status to exit with, after the JSON guard (if any) has flushed.
    public static func main(arguments: [String], environment: [String: String], rawArguments: [[UInt8]] = []) async -> Int32 {
        let route = Route(arguments)
        // The command line alone says how to report until the configuration file is read (build reads it).
        let early = OutputOptions.resolve(ArgumentSplitter.split(route.arguments))
        var status = await dispatch(route, early: early, environment: environment, rawArguments: rawArguments)
        // Background start-up work (libgit2's) must be over before the process exits.
        Pipeline.finishBackgroundWork()
        // Help and version have no reporter of their own; build and detect have checked with theirs already.
        status = checkingOutput(status, reporter: (OutputOptions.current ?? early).reporter)
        JSONOutputGuard.finish()
        return exitStatus(status)
    }

    /// Call first in `main`: SIGPIPE ignored, closed standard descriptors held (see `StandardStream`).
    public static func prepareStandardStreams() {
        StandardStream.prepareProcess()
    }

    /// Call in `main`, before the run starts its threads: the process's malloc tuning (`MallocPolicy`). Not part
    /// of `main(arguments:…)`, which tests call in their own process many times over.
    public static func tuneMemory(environment: [String: String]) {
        MallocPolicy.apply(environment: environment)
    }

    /// The status to exit with once stderr is no longer written to (after `JSONOutputGuard.finish()`): a run
    /// whose log could not be written did not tell its caller what it did, so it does not end with 0.
    public static func exitStatus(_ status: Int32) -> Int32 {
        status == 0 && StandardStream.error.failure != nil ? 1 : status
    }

    /// A successful run whose stdout payload (Dockerfile, plan, help) could not be written fails, and says so.
    static func checkingOutput(_ status: Int32, reporter: Reporter) -> Int32 {
        guard status == 0, let reason = StandardStream.output.failureDescription else { return status }
        reporter.failure("Could not write to standard output: \(reason).")
        return 1
    }

    /// How an error ends a run: its description, redacted (it may quote a URL given on the command line).
    static func rendered(_ error: any Error) -> String {
        Redaction.redactingCredentials(in: String(describing: error))
    }

    static func dispatch(_ route: Route, early: OutputOptions, environment: [String: String], rawArguments: [[UInt8]]) async -> Int32 {
        if let bad = rawArguments.dropFirst().first(where: { String(validating: $0, as: UTF8.self) == nil }) {
            let shown = String(decoding: bad, as: UTF8.self)
            early.reporter.failure(
                "The argument \(shown.quotedSingleLine) is not valid UTF-8; swift-r2d needs UTF-8 paths and values: rename it, or reach it through a symbolic link with a UTF-8 name."
            )
            return 2
        }
        switch route {
        case .build(let arguments): return await build(arguments, early: early, environment: environment)
        case .detect(let arguments): return detect(arguments, environment: environment)
        case .crashForTests:
            // Lets the tests check that a crash under --json-logs still ends in JSON and a failed line.
            early.activate()
            fatalError("deliberate crash requested by __crash-for-tests")
        case .cliReference:
            StandardStream.output.write(CLIReference.markdown())
            return 0
        case .manual:
            StandardStream.output.write(ManualPage.roff())
            return 0
        case .completionScript(let shell):
            return completionScript(shell, reporter: early.reporter)
        case .help:
            StandardStream.output.write(SwiftR2DCommand.helpMessage() + "\n")
            return 0
        case .usage:
            StandardStream.error.write(SwiftR2DCommand.helpMessage() + "\n")
            return 2
        }
    }

    /// `--generate-completion-script <shell>` for the root command, so `swift-r2d build …` and
    /// `swift-r2d detect …` both complete.
    static func completionScript(_ shell: String?, reporter: Reporter) -> Int32 {
        let known = CompletionShell.allCases.map(\.rawValue)
        guard let name = shell ?? CompletionShell.autodetected()?.rawValue, let chosen = CompletionShell(rawValue: name) else {
            let given = shell.map { "\($0.shortQuoted) is not a shell it knows" } ?? "needs a shell"
            reporter.failure("--generate-completion-script: \(given); pass one of \(known.joined(separator: ", ")).")
            return 2
        }
        StandardStream.output.write(SwiftR2DCommand.completionScript(for: chosen))
        return 0
    }

    static func build(_ arguments: [String], early: OutputOptions, environment: [String: String]) async -> Int32 {
        let split = ArgumentSplitter.split(arguments)
        // repo2docker answers these before parsing, so they work without a repository.
        if split.has("--version") {
            StandardStream.output.write(SwiftR2DVersion.string + "\n")
            return 0
        }
        if split.has("--help-all") || split.has("--help") || split.has("-h") {
            StandardStream.output.write(BuildCommand.helpMessage() + "\n")
            return 0
        }
        // Until the configuration file is read, the command line alone says how to report (its errors included).
        var reporter = early.reporter
        var warnings: [String] = []
        let configured: [TraitSetting]
        do {
            configured = try ConfigurationFile.load(
                option: split.lastValue(of: Settings.config), currentDirectory: FileManager.default.currentDirectoryPath,
                repository: split.repo, warn: { warnings.append($0) })
        } catch let failure as CommandLineFailure {
            reporter.failure(failure.description)
            return failure.exitCode
        } catch {
            reporter.failure(rendered(error))
            return 2
        }
        // The one decision on output: it builds the reporter and, for JSON, the guard of stderr.
        let output = OutputOptions.resolve(split, configured: configured)
        output.activate()
        reporter = output.reporter
        // libgit2's start-up (it parses the system's CA bundle) overlaps parsing the command line; a dry run
        // (`--no-build`) needs no git for a local directory, and gets it on demand for a clone.
        if !split.has("--no-build") { Pipeline.prepareInBackground() }
        warnings.forEach { reporter.log($0) }
        return await build(split, configured: configured, reporter: reporter, environment: environment)
    }

    static func build(
        _ split: SplitArguments, configured: [TraitSetting], reporter: Reporter,
        environment: [String: String]
    ) async -> Int32 {
        let flags: BuildCommand
        do {
            flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        } catch {
            return usageFailure(error, reporter: reporter)
        }
        let request: BuildRequest
        do {
            request = try RequestBuilder(environment: environment, warn: { reporter.log($0) })
                .makeRequest(flags, traits: configured + split.traits, command: split.command)
        } catch let failure as CommandLineFailure {
            reporter.failure(failure.description)
            return failure.exitCode
        } catch {
            reporter.failure(rendered(error))
            return 1
        }
        let json = reporter.json
        let pipeline = Pipeline(request: request, reporter: reporter) { dockerfile in
            if json { reporter.log(dockerfile, phase: .building) } else { StandardStream.output.write(dockerfile) }
        }
        let status = await runInterruptibly(reporter: reporter) { try await pipeline.run().exitCode }
        return checkingOutput(status, reporter: reporter)
    }

    static func detect(_ arguments: [String], environment: [String: String]) -> Int32 {
        let reporter = Reporter(json: false, debug: false)
        let command: DetectCommand
        do {
            command = try DetectCommand.parse(arguments)
        } catch {
            return usageFailure(error, reporter: reporter, command: DetectCommand.self)
        }
        // Progress of a clone goes to stderr; only the plan goes to stdout.
        let quiet = Reporter(json: false, debug: false) { text in
            if command.json { return }
            StandardStream.error.write(text)
        }
        do {
            let (plan, summary) = try Detection.planAndEnvironment(
                repo: command.repo, ref: command.ref, subdir: command.subdir ?? "",
                allowDefault: !command.noDefaultBuildpack, environment: environment, reporter: quiet)
            StandardStream.output.write(command.json ? Detection.json(plan, environment: summary) + "\n" : Detection.text(plan))
            return checkingOutput(0, reporter: reporter)
        } catch {
            reporter.failure(rendered(error))
            return 1
        }
    }

    /// ArgumentParser's errors: help is success; anything else is a usage error with exit 2, as argparse.
    static func usageFailure<C: ParsableCommand>(_ error: Error, reporter: Reporter, command: C.Type = BuildCommand.self) -> Int32 {
        let code = C.exitCode(for: error)
        if code == .success {
            StandardStream.output.write(C.fullMessage(for: error) + "\n")
            return 0
        }
        // One line in both modes: the problem, then where the usage is.
        let name = C.configuration.commandName ?? "build"
        var message = C.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        if message.hasSuffix(".") { message.removeLast() }
        reporter.failure("\(message); see 'swift-r2d \(name) --help'.")
        return 2
    }

    /// Runs `work` so that SIGINT and SIGTERM cancel it (its cleanup runs), then exit 130 / 143.
    static func runInterruptibly(reporter: Reporter, _ work: @escaping @Sendable () async throws -> Int32) async -> Int32 {
        let task = Task { try await work() }
        let received = SignalBox()
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                received.set(signalNumber)
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        let result = await task.result
        if let signalNumber = received.value {
            reporter.failure("Interrupted by \(signalNumber == SIGINT ? "SIGINT" : "SIGTERM"); cleaned up.")
            return 128 + signalNumber
        }
        switch result {
        case .success(let code): return code
        case .failure(let error):
            reporter.failure(rendered(error))
            return 1
        }
    }
}

/// The signal that interrupted the run, set from the signal handler's queue.
final class SignalBox: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    func set(_ value: Int32) { lock.lock(); if received == nil { received = value }; lock.unlock() }
    var value: Int32? { lock.lock(); defer { lock.unlock() }; return received }
}
