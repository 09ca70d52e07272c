/// The operator's guardrails for one run (Docs/limits.md): a cap on the repository's size, a deadline for the
/// whole run before the container starts, and how long a push may make no progress.
public struct RunLimits: Sendable, Equatable {
    /// `--max-repo-size`: the most bytes the checked-out files (not `.git`) or a data repository's download may
    /// hold; nil for no cap.
    public var maximumRepositoryBytes: Int64?
    /// `--build-timeout`: seconds the fetch, build and push together may take; nil for no deadline.
    public var buildTimeoutSeconds: Int64?
    /// `--push-stall-timeout`: seconds a push may go without a new line of progress before it is given up.
    public var pushStallTimeoutSeconds: Int64 = 300

    public init() {}
}
