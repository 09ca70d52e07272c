import R2DBasics
import Foundation
import R2DEngine
import R2DRegistry

/// Pushes a built image through the daemon with credentials from the registry credential store, reporting
/// progress under the `pushing` phase (at most every `progressInterval`) and retrying transient failures.
struct ImagePusher: Sendable {
    let engine: any ContainerEngine
    let reporter: Reporter
    let credentials: RegistryCredentialStore
    var attempts = 3
    var progressInterval: Duration = .milliseconds(1500)
    var retryDelay: Duration = .seconds(2)
    /// `--push-stall-timeout`: a push whose stream brings no new line for this long is cancelled and fails.
    var stallTimeoutSeconds: Int64 = 300

    func push(_ imageName: String) async throws {
        let reference = ImageReference(parsing: imageName)
        let (repository, tag) = (reference.name, reference.tag)
        let auth = try await credentials.credential(for: reference.registry).map {
            RegistryAuth(
                username: $0.username, password: $0.password, identityToken: $0.identityToken,
                serverAddress: reference.registry == ImageReference.dockerHub ? ImageReference.dockerHubConfigKey : reference.registry)
        }
        reporter.log("Pushing image \(imageName)\n", phase: .pushing)
        var attempt = 1
        while true {
            do {
                try await pushOnce(repository: repository, tag: tag, auth: auth, registry: reference.registry)
                break
            } catch let error as EngineError {
                guard attempt < attempts, Self.isTransient(error) else { throw error }
                reporter.log("Push attempt \(attempt) of \(attempts) failed (\(error)); retrying.\n", phase: .pushing)
                try await Task.sleep(for: retryDelay * attempt)
                attempt += 1
            }
        }
        reporter.log("Successfully pushed \(imageName)\n", phase: .pushing)
    }

    /// One push request under the stall watchdog: every line of the daemon's progress stream is progress, so a
    /// registry that stops taking the upload ends the push after `stallTimeoutSeconds`; a stall is not retried.
    private func pushOnce(repository: String, tag: String, auth: RegistryAuth?, registry: String) async throws {
        let state = PushState(interval: progressInterval)
        let (reporter, engine, seconds) = (self.reporter, self.engine, stallTimeoutSeconds)
        let watchdog = StallWatchdog(timeout: .seconds(seconds))
        try await watchdog.run(
            {
                try await engine.pushImage(repository: repository, tag: tag, auth: auth) { progress in
                    watchdog.progressed()
                    if let layers = state.update(progress) { reporter.pushProgress(layers) }
                }
            },
            stalled: { CoreError.pushStalled(image: repository + ":" + tag, registry: registry, seconds: seconds) })
        if let layers = state.final() { reporter.pushProgress(layers) }
    }

    /// Authentication and "not found" answers will not change on retry; a dropped connection may.
    static func isTransient(_ error: EngineError) -> Bool {
        guard case .pushFailed(let message) = error else { return false }
        let lowered = message.lowercased()
        let permanent = [
            "unauthorized", "denied", "authentication required", "no basic auth credentials",
            "does not exist", "no such image", "invalid reference", "manifest invalid",
        ]
        return !permanent.contains { lowered.contains($0) }
    }
}

/// The latest event per layer, and when progress was last reported.
private final class PushState: @unchecked Sendable {
    private let lock = NSLock()
    private var layers: [String: Reporter.LayerEvent] = [:]
    private var lastReport: ContinuousClock.Instant?
    private var dirty = false
    private let interval: Duration

    init(interval: Duration) { self.interval = interval }

    /// The layers to report now, or nil when the last report is too recent.
    func update(_ progress: PushProgress) -> [String: Reporter.LayerEvent]? {
        lock.lock()
        defer { lock.unlock() }
        guard let id = progress.layer, !id.isEmpty else { return nil }
        layers[id] = Reporter.LayerEvent(id: id, status: progress.status, current: progress.current, total: progress.total)
        dirty = true
        let now = ContinuousClock.now
        if let last = lastReport, now - last < interval { return nil }
        lastReport = now
        dirty = false
        return layers
    }

    func final() -> [String: Reporter.LayerEvent]? {
        lock.lock()
        defer { lock.unlock() }
        return dirty && !layers.isEmpty ? layers : nil
    }
}
