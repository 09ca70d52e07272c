/// What went wrong while finding registry credentials or asking a registry about an image.
/// Descriptions are one line and never contain a secret.
public enum RegistryError: Error, CustomStringConvertible, Sendable, Equatable {
    /// CONTAINER_ENGINE_REGISTRY_CREDENTIALS (or the config's registry_credentials) is unusable.
    case invalidCredentialsVariable(String)
    /// A docker config.json that cannot be read.
    case invalidConfigFile(path: String, reason: String)
    /// A `docker-credential-*` helper failed or is missing.
    case credentialHelper(name: String, reason: String)
    /// The registry refused the credentials we sent.
    case unauthorized(registry: String, credentialSource: String?)
    /// The registry answered something other than found / not found.
    case unexpectedStatus(registry: String, status: Int, message: String)
    /// The registry could not be reached.
    case unreachable(registry: String, reason: String)

    public var description: String {
        switch self {
        case .invalidCredentialsVariable(let reason):
            return "CONTAINER_ENGINE_REGISTRY_CREDENTIALS is invalid: \(reason). "
                + "Set it to JSON with \"registry\", \"username\" and \"password\"."
        case .invalidConfigFile(let path, let reason):
            return "Cannot read the registry credentials in \(path): \(reason). Fix the file or point DOCKER_CONFIG elsewhere."
        case .credentialHelper(let name, let reason):
            return "The credential helper docker-credential-\(name) failed: \(reason). Install it or remove it from config.json."
        case .unauthorized(let registry, let source):
            if let source {
                return "The registry \(registry) rejected the credentials from \(source); check the user name and password."
            }
            return "The registry \(registry) needs credentials and none were found; add them to $DOCKER_CONFIG/config.json "
                + "(docker login) or set CONTAINER_ENGINE_REGISTRY_CREDENTIALS."
        case .unexpectedStatus(let registry, let status, let message):
            return "The registry \(registry) answered HTTP \(status): \(message)"
        case .unreachable(let registry, let reason):
            return "Cannot reach the registry \(registry) (\(reason))."
        }
    }
}
