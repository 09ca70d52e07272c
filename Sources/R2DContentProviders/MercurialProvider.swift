import Foundation

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
        // A server that never answers must not stall detection: identify gets the API timeout.
        let result = await Self.run(hg, ["identify", input] + Self.identifyOptions, timeout: Double(session.settings.timeoutSeconds))
        return result.status == 0 ? Source(input: input, ref: ref, hg: hg) : nil
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

    /// Runs a program on a thread of its own (waiting for it must not block Swift's few concurrency threads);
    /// returns its exit status and combined output.
    static func run(
        _ program: String, _ arguments: [String], in directory: String? = nil,
        timeout: Double? = nil
    ) async -> (status: Int32, output: String) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: runBlocking(program, arguments, in: directory, timeout: timeout))
            }
        }
    }

    static func runBlocking(
        _ program: String, _ arguments: [String], in directory: String?,
        timeout: Double?
    ) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["HGPLAIN"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "\(error)") }
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { process.terminate() } }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
            let cloned = await MercurialProvider.run(hg, clone)
            guard cloned.status == 0 else {
                throw ProviderError.mercurialFailed(input: input, command: "hg clone", output: Self.lastLine(cloned.output))
            }
            if let ref {
                let updated = await MercurialProvider.run(hg, ["update", "--clean", ref, "--config", "extensions.topic="], in: directory)
                guard updated.status == 0 else {
                    session.log("Failed to check out ref \(ref)\n")
                    throw ProviderError.mercurialRefNotFound(input: input, ref: ref)
                }
            }
            let identified = await MercurialProvider.run(hg, ["identify", "-i"], in: directory)
            let id = identified.output.trimmingCharacters(in: .whitespacesAndNewlines)
            guard identified.status == 0, !id.isEmpty else {
                throw ProviderError.mercurialFailed(input: input, command: "hg identify -i", output: Self.lastLine(identified.output))
            }
            session.log("Mercurial checkout is at \(id)\n")
            return id
        }

        static func lastLine(_ output: String) -> String {
            output.split(separator: "\n").last.map(String.init) ?? "no output"
        }
    }
}
