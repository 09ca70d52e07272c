/// The daemon operations the pipeline needs, so that R2DCore can be driven by something other than a live
/// Docker or Podman (a test's scripted engine). `EngineClient` is the one production conformance.
public protocol ContainerEngine: Sendable {
    /// Settles on the API version both sides speak; the first request of a run.
    @discardableResult
    func negotiateVersion() async throws -> String
    /// Which builders the engine offers (Podman's own, Docker's classic one, BuildKit).
    func builderSupport() async throws -> BuilderSupport
    /// The image, or nil when the daemon does not know it.
    func inspectImage(_ reference: String) async throws -> ImageInspect?
    /// Builds an untagged image from a streamed tar context; returns its id.
    func build<Context: AsyncSequence & Sendable>(
        context: Context,
        options: BuildOptions,
        onEvent: @escaping @Sendable (BuildEvent) -> Void
    ) async throws -> String where Context.Element == [UInt8]
    func tagImage(_ source: String, repository: String, tag: String) async throws
    func removeImage(_ reference: String, force: Bool, prune: Bool) async throws
    @discardableResult
    func pushImage(
        repository: String, tag: String, auth: RegistryAuth?,
        onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws -> String?
    /// Pulls repository:tag into the daemon; a failed pull tags nothing.
    func pullImage(
        repository: String, tag: String, auth: RegistryAuth?, platform: String?,
        onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws
    /// Creates, starts and follows a container until it exits, removes it, and returns its exit code.
    func runContainer(
        _ options: RunOptions,
        onOutput: @escaping @Sendable (EngineClient.OutputStream, String) -> Void
    ) async throws -> Int32
    /// Closes connections; called once when the run is done with the engine.
    func shutdown() async
}

extension EngineClient: ContainerEngine {}
