import Foundation
import R2DRedaction
import R2DGit

/// What was fetched and how to name it.
struct FetchedContent {
    /// The checkout: the local directory itself, or the temporary clone.
    var path: String
    var isLocal: Bool
    /// The temporary directory holding a clone (removed by the caller when cleaning), nil for local input.
    var temporaryDirectory: String?
    /// The commit the content comes from, when it is a clean git checkout.
    var commit: String?
    /// Seconds since the epoch for every entry of the build context.
    var commitTime: Int64?
    /// A content provider's id (Zenodo record, SWHID, …): the image tag and revision label (ProviderFetch.swift).
    var contentID: String? = nil
}

/// repo2docker's content providers that apply here: a local directory as it is, anything else through git.
enum ContentFetcher {
    /// `workTreeState`, when given, is the local directory's git state computed ahead (see `Pipeline.run`).
    static func fetch(_ request: BuildRequest, reporter: Reporter, workTreeState: Task<WorkTreeState?, any Error>?) async throws -> FetchedContent {
        guard directoryExists(request.repo) else { return try clone(request, reporter: reporter) }
        let path = absolute(request.repo)
        // Naming needs the commit and whether the tree is clean; a dry run names nothing.
        let state: WorkTreeState?
        if let workTreeState {
            state = try await workTreeState.value
        } else {
            state = request.build ? try Git.workTreeState(at: path) : nil
        }
        return local(request, path: path, state: state, reporter: reporter)
    }

    static func fetch(_ request: BuildRequest, reporter: Reporter) throws -> FetchedContent {
        guard directoryExists(request.repo) else { return try clone(request, reporter: reporter) }
        let path = absolute(request.repo)
        return local(request, path: path, state: request.build ? try Git.workTreeState(at: path) : nil, reporter: reporter)
    }

    private static func local(_ request: BuildRequest, path: String, state: WorkTreeState?, reporter: Reporter) -> FetchedContent {
        reporter.log("Picked Local content provider.\n")
        reporter.log("Using local repo \(request.repo).\n", phase: .fetching)
        let clean = state?.isClean == true && state?.commit != nil
        if state != nil, !clean {
            reporter.log("The git work tree at \(request.repo) has uncommitted or untracked files: naming the image by its content.\n", phase: .fetching)
        }
        return FetchedContent(path: path, isLocal: true, temporaryDirectory: nil,
                              commit: clean ? state?.commit : nil, commitTime: clean ? state?.commitTime : nil)
    }

    private static func clone(_ request: BuildRequest, reporter: Reporter) throws -> FetchedContent {
        reporter.log("Picked Git content provider.\n")
        let temporary = try makeTemporaryDirectory()
        let checkout = temporary + "/checkout"
        let credentials = request.processEnvironment["GIT_CREDENTIAL_ENV"].flatMap(GitCredentials.init(credentialEnv:))
        reporter.log("Cloning \(Redaction.redactingCredentials(in: request.repo))" + (request.ref.map { " at ref \($0)" } ?? "") + "\n", phase: .fetching)
        let throttle = ProgressThrottle()
        do {
            let result = try Git.cloneAndCheckout(url: request.repo, into: checkout, ref: request.ref, credentials: credentials,
                                                  allowLocalSubmodules: request.allowLocalSubmodules) { progress in
                if let line = throttle.line(for: progress) { reporter.log(line, phase: .fetching) }
            }
            reporter.log("HEAD is now at \(result.commit)\n", phase: .fetching)
            return FetchedContent(path: checkout, isLocal: false, temporaryDirectory: temporary,
                                  commit: result.commit, commitTime: result.commitTime)
        } catch {
            // A failed clone is useless even with --no-clean: leave nothing behind.
            // The error itself is the one `failed` line ("Failed to check out ref …", as repo2docker words it).
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }

    static func makeTemporaryDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/swift-r2d-XXXXXX").utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw CoreError.fileSystem("Cannot create a temporary directory in \(base): \(String(cString: strerror(errno))); set TMPDIR to a writable directory.")
        }
        return String(cString: result)
    }
}

/// Turns libgit2's frequent progress callbacks into a few readable lines.
final class ProgressThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var lastPhase = ""
    private var lastPercent = -1
    private var lastTime = Date.distantPast

    func line(for progress: GitProgress) -> String? {
        lock.lock()
        defer { lock.unlock() }
        let percent = progress.total > 0 ? progress.current * 100 / progress.total : 0
        let done = progress.total > 0 && progress.current == progress.total
        let now = Date()
        let phaseChanged = progress.phase != lastPhase
        guard phaseChanged || (done && percent != lastPercent) || (now.timeIntervalSince(lastTime) >= 1 && percent != lastPercent) else {
            return nil
        }
        lastPhase = progress.phase
        lastPercent = percent
        lastTime = now
        return "\(progress.phase): \(percent)% (\(progress.current)/\(progress.total))\(done ? ", done." : "")\n"
    }
}
