import R2DBuildContext

/// A registry credential as BuildKit's auth service hands it to the daemon.
public struct SessionCredential: Sendable, Equatable, CustomStringConvertible {
    /// Empty with an identity token, which then goes as the secret.
    public var username: String
    public var secret: String

    public init(username: String, secret: String) {
        self.username = username
        self.secret = secret
    }

    public var description: String { "SessionCredential(username: \(username), secret: \(secret.count) characters)" }
}

/// What file sync has sent, for a progress meter: the bytes of the build's context transfer as they go, and its
/// end (the daemon's FIN); the frontend's reads of the Dockerfile and ignore file are not counted. The daemon asks
/// only for files it lacks, so a warm rebuild sends little.
public struct FileSyncProgress: Sendable {
    public var sent: @Sendable (Int) -> Void
    public var contextDone: @Sendable () -> Void

    public init(sent: @escaping @Sendable (Int) -> Void, contextDone: @escaping @Sendable () -> Void) {
        (self.sent, self.contextDone) = (sent, contextDone)
    }
}

/// What the session serves the daemon during one build.
public struct SessionServices: Sendable {
    /// The build context, served by file sync as the `context` and `dockerfile` directories; nil when the
    /// context goes as the build request's body.
    public var context: ContextSnapshot?
    /// Build secrets by id (`RUN --mount=type=secret,id=…`).
    public var secrets: [String: [UInt8]]
    /// The credential for a registry host (`127.0.0.1:5000`, `registry-1.docker.io`), nil when none is known;
    /// nil serves no auth service, and the daemon pulls anonymously.
    public var credentials: (@Sendable (String) async throws -> SessionCredential?)?
    /// Told what file sync sends; nil when nobody watches.
    public var progress: FileSyncProgress?

    public init(
        context: ContextSnapshot? = nil, secrets: [String: [UInt8]] = [:],
        credentials: (@Sendable (String) async throws -> SessionCredential?)? = nil
    ) {
        self.context = context
        self.secrets = secrets
        self.credentials = credentials
    }
}
