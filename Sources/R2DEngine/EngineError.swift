/// What went wrong while talking to a Docker or Podman engine.
public enum EngineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Nothing answers at the endpoint (missing socket, connection refused, lost connection).
    case daemonUnreachable(endpoint: String, reason: String)
    /// The daemon refused a request; `message` is the daemon's own text.
    case daemon(status: Int, message: String)
    /// The build stream reported an error; `message` is the daemon's own text.
    case buildFailed(message: String)
    /// The push stream reported an error; `message` is the daemon's (the registry's) own text.
    case pushFailed(message: String)
    /// The pull stream reported an error; `message` is the daemon's (the registry's) own text.
    case pullFailed(message: String)
    /// DOCKER_HOST or the TLS files are unusable; the text names the variable.
    case invalidEndpoint(String)
    /// The daemon answered something this client cannot understand.
    case protocolError(String)

    public var description: String {
        switch self {
        case .daemonUnreachable(let endpoint, let reason):
            return "Cannot connect to the container engine at \(endpoint) (\(reason)). "
                + "Start one (as root: dockerd &, or podman system service) or set DOCKER_HOST."
        case .daemon(let status, let message):
            return "The container engine refused the request (HTTP \(status)): \(message)"
        case .buildFailed(let message):
            return "The image build failed: \(message)"
        case .pushFailed(let message):
            return "Pushing the image failed: \(message)"
        case .pullFailed(let message):
            return "Pulling the image failed: \(message)"
        case .invalidEndpoint(let text):
            return text
        case .protocolError(let text):
            return "Unexpected answer from the container engine: \(text)"
        }
    }
}
