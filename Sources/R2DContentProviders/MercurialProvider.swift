import Foundation
import R2DSubprocess

/// Mercurial repositories through the `hg` program; the content id is `hg identify -i`.
public struct MercurialProvider: ContentProvider {
    /// Options that keep hg-git from claiming git repositories and enable topics (hg-evolve).
    static let identifyOptions = ["--config", "extensions.hggit=!", "--config", "extensions.topic="]

    public init() {}

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        guard !input.contains("github.com/"), !input.hasSuffix(".git") else { return nil }
        guard let hg = Self.locate(session.settings.hgProgram) else {
            // Without hg, ask an http(s) server whether it speaks Mercurial's wire protocol: only then is the
            // missing program the user's problem. Anything else goes on to git.
            if try await Self.speaksMercurial(input, session: session) { throw ProviderError.mercurialNotInstalled(input: input) }
            return nil
        }
        // A server that never answers must not stall detection: identify gets the API timeout, and a run that
        // cannot be made or takes longer is not Mercurial (a cancelled run is still cancelled).
        let identified: ChildResult?
        do {
            identified = try await Self.run(hg, ["identify", input] + Self.identifyOptions, session: session)
        } catch is ChildProcessError {
            identified = nil
        }
        return identified?.status == 0 ? Source(input: input, ref: ref, hg: hg) : nil
    }

    /// The program's path: as given when it contains a slash, else the first match on PATH.
    static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return "\(directory)/\(program)"
        }
        return nil
    }

    static func speaksMercurial(_ input: String, session: ProviderSession) async throws -> Bool {
        guard input.hasPrefix("http://") || input.hasPrefix("https://") else { return false }
        let url = input + (input.contains("?") ? "&" : "?") + "cmd=capabilities"
        guard let response = try? await session.send(url, headers: [("Accept", "application/mercurial-0.1")], input: input, limit: 1 << 20),
            response.status == 200
        else { return false }
        return response.headers.first(name: "Content-Type")?.hasPrefix("application/mercurial") == true
    }

    /// Runs `hg` with `HGPLAIN=1`, both pipes read at once, for at most the fetch timeout; a cancelled task
    /// (SIGINT, SIGTERM) stops it. Throws `ChildProcessError` or `CancellationError`.
    static func run(_ hg: String, _ arguments: [String], in directory: String? = nil, session: ProviderSession) async throws -> ChildResult
    {
        var environment = ProcessInfo.processInfo.environment
        environment["HGPLAIN"] = "1"
        let command = "hg " + (arguments.first ?? "")
        let child = ChildProcess(
            name: command, executable: hg, arguments: arguments, environment: environment, workingDirectory: directory,
            timeout: .seconds(session.settings.timeoutSeconds))
        return try await child.run()
    }

    struct Source: DetectedSource {
        let input: String
        let ref: String?
        let hg: String
        var providerName: String { "Mercurial" }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            // The output directory exists and is empty; hg clone wants to create it.
            try? FileManager.default.removeItem(atPath: directory)
            var clone = ["clone", input, directory, "--config", "phases.publish=False", "--config", "extensions.topic="]
            if ref != nil { clone.append("--noupdate") }
            session.log("Cloning \(input) with Mercurial" + (ref.map { " at ref \($0)" } ?? "") + "\n")
            let cloned = try await run(clone, session: session)
            guard cloned.status == 0 else {
                throw ProviderError.mercurialFailed(input: input, command: "hg clone", output: Self.summary(cloned))
            }
            if let ref {
                let updated = try await run(["update", "--clean", ref, "--config", "extensions.topic="], in: directory, session: session)
                guard updated.status == 0 else {
                    session.log("Failed to check out ref \(ref)\n")
                    throw ProviderError.mercurialRefNotFound(input: input, ref: ref)
                }
            }
            let identified = try await run(["identify", "-i"], in: directory, session: session)
            let id = identified.outputText.trimmingCharacters(in: .whitespacesAndNewlines)
            guard identified.status == 0, !id.isEmpty else {
                throw ProviderError.mercurialFailed(input: input, command: "hg identify -i", output: Self.summary(identified))
            }
            session.log("Mercurial checkout is at \(id)\n")
            return id
        }

        /// One hg command; one that cannot be run or outlasts the fetch timeout fails the fetch in one line.
        func run(_ arguments: [String], in directory: String? = nil, session: ProviderSession) async throws -> ChildResult {
            do {
                return try await MercurialProvider.run(hg, arguments, in: directory, session: session)
            } catch let error as ChildProcessError {
                let command = "hg " + (arguments.first ?? "")
                throw ProviderError.mercurialFailed(input: input, command: command, output: Self.reason(error))
            }
        }

        /// The first line of hg's stderr (its "abort: …"), else the last line of its output.
        static func summary(_ result: ChildResult) -> String {
            result.firstErrorLine ?? result.outputText.split(separator: "\n").last.map(String.init) ?? "exited with status \(result.status)"
        }

        static func reason(_ error: ChildProcessError) -> String {
            switch error {
            case .couldNotRun(_, let reason): return "it could not be run (\(reason))"
            case .timedOut(_, let seconds, let line):
                return "it did not finish within \(seconds) s and was stopped" + (line.map { " (\($0))" } ?? "") + "; raise --fetch-timeout"
            }
        }
    }
}
