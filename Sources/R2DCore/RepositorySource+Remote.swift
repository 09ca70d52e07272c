import Foundation
import R2DBasics
import R2DContentProviders
import R2DGit
import R2DRedaction

/// The providers that fetch into a temporary directory: the data repositories and git. A failed fetch leaves
/// nothing behind, even with `--no-clean`: the partial content is useless.
extension RepositorySource {
    /// The first data repository that recognises `input` fetches it; nil when none does (git then).
    func fetchDataRepository(_ input: String, from providers: [any ContentProvider]) async throws -> FetchedRepository? {
        var settings = request.contentProviders
        // repo2docker's environment variable for the installations list, unless a setting chose one.
        if settings.dataverseInstallationsURL == ProviderSettings().dataverseInstallationsURL,
            let url = request.processEnvironment["R2D_DATAVERSE_INSTALLATIONS_URL"], !url.isEmpty
        {
            settings.dataverseInstallationsURL = url
        }
        settings.maximumContentBytes = request.limits.maximumRepositoryBytes
        let session = ProviderSession(settings: settings, trace: Pipeline.networkTrace(reporter)) { [reporter] in
            reporter.log($0, phase: .fetching)
        }
        do {
            let fetched = try await fetchDataRepository(input, from: providers, session: session)
            await session.shutdown()
            return fetched
        } catch {
            await session.shutdown()
            throw error
        }
    }

    private func fetchDataRepository(
        _ input: String, from providers: [any ContentProvider],
        session: ProviderSession
    ) async throws -> FetchedRepository? {
        var detected: (any DetectedSource)?
        for provider in providers where detected == nil {
            detected = try await provider.detect(input, ref: request.ref, session: session)
        }
        guard let detected else { return nil }
        reporter.log("Picked \(detected.providerName) content provider.\n")
        let temporary = try makeTemporaryDirectory()
        let checkout = temporary + "/checkout"
        do {
            try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
            let contentID = try await detected.fetch(into: checkout, session: session)
            reporter.log("Fetched \(request.repo): content id \(contentID)\n", phase: .fetching)
            return FetchedRepository(
                path: checkout, isLocal: false, temporaryDirectory: temporary,
                commit: nil, commitTime: nil, contentID: contentID)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            // A progress line, not a `failed` one: the error itself ends the run as its one `failed` line.
            reporter.log("Failed to fetch \(request.repo)\n", phase: .fetching)
            throw error
        }
    }

    /// Clones `request.repo` at `request.ref` (repo2docker's ref candidates) with its submodules.
    func clone() throws -> FetchedRepository {
        reporter.log("Picked Git content provider.\n")
        let temporary = try makeTemporaryDirectory()
        let checkout = temporary + "/checkout"
        let credentials = request.processEnvironment["GIT_CREDENTIAL_ENV"].flatMap(GitCredentials.init(credentialEnv:))
        reporter.log(
            "Cloning \(Redaction.redactingCredentials(in: request.repo))" + (request.ref.map { " at ref \($0)" } ?? "") + "\n",
            phase: .fetching)
        let throttle = ProgressThrottle()
        do {
            let result = try Git.cloneAndCheckout(
                url: request.repo, into: checkout, ref: request.ref, credentials: credentials,
                allowLocalSubmodules: request.allowLocalSubmodules
            ) { [reporter] progress in
                if let line = throttle.line(for: progress) { reporter.log(line, phase: .fetching) }
            }
            reporter.log("HEAD is now at \(result.commit)\n", phase: .fetching)
            return FetchedRepository(
                path: checkout, isLocal: false, temporaryDirectory: temporary,
                commit: result.commit, commitTime: result.commitTime)
        } catch {
            // The error itself is the one `failed` line ("Failed to check out ref …", as repo2docker words it).
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// A new `swift-r2d-XXXXXX` directory under `temporaryParent`, $TMPDIR or /tmp.
    func makeTemporaryDirectory() throws -> String {
        try ScratchDirectory.create(in: ScratchDirectory.parent(temporaryParent), prefix: "swift-r2d-")
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
