import Foundation
import R2DEngine
import R2DRedaction

/// One build secret as the request names it (`--secret id=ID,env=VAR` or `src=FILE`): its id and where its value
/// is read from. The value itself is read only when the build starts (`Pipeline.resolveSecrets`).
public struct SecretRequest: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// An environment variable of swift-r2d's own process.
        case environment(String)
        /// A file on the machine swift-r2d runs on (relative to its working directory).
        case file(String)
    }

    public var id: String
    public var source: Source
    /// Where it was given, for messages: `--secret` or `DockerEngine.secrets in /etc/r2d.json`.
    public var origin: String

    public init(id: String, source: Source, origin: String) {
        self.id = id
        self.source = source
        self.origin = origin
    }

    /// BuildKit's own limit on one secret (the secrets provider of its session refuses larger ones).
    public static let maximumBytes = 500 * 1024

    /// How messages name the secret: `--secret id=UV_INDEX_URL` (or the trait it came from).
    var shownName: String { "\(origin) id=\(id)" }
}

extension Pipeline {
    /// Each secret's value, read once before anything is fetched, and registered with `Redaction` so that no
    /// later line can show it (the build's output, an error, a JSON log line). A value that cannot be had is
    /// refused in one line naming the secret and what to do.
    func resolveSecrets() throws -> [BuildSecret] {
        try request.secrets.map { secret in
            let value = try Self.value(of: secret, environment: request.processEnvironment)
            Redaction.registerSecret(value)
            return BuildSecret(id: secret.id, value: value)
        }
    }

    static func value(of secret: SecretRequest, environment: [String: String]) throws -> [UInt8] {
        let value: [UInt8]
        switch secret.source {
        case .environment(let name):
            guard let text = environment[name] else {
                throw CoreError.secretUnavailable(
                    secret: secret.shownName, reason: "the environment variable \(name) is not set; export it, or pass src=FILE")
            }
            value = Array(text.utf8)
        case .file(let path):
            value = try readSecretFile(path, secret: secret)
        }
        guard !value.isEmpty else {
            throw CoreError.secretUnavailable(secret: secret.shownName, reason: "its value is empty; give the secret a value")
        }
        return value
    }

    /// The file's bytes: a regular file of at most `SecretRequest.maximumBytes` (what BuildKit takes).
    static func readSecretFile(_ path: String, secret: SecretRequest) throws -> [UInt8] {
        func unavailable(_ reason: String) -> CoreError { .secretUnavailable(secret: secret.shownName, reason: reason) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw unavailable("cannot read \(path) (\(String(cString: strerror(errno)))); pass a readable file as src=")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw unavailable("\(path) is not a regular file; pass a file as src=")
        }
        let limit = SecretRequest.maximumBytes
        guard Int(info.st_size) <= limit else {
            throw unavailable("\(path) is \(info.st_size) bytes, more than the \(limit) bytes BuildKit takes for a secret")
        }
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count <= limit {
            let read = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + count, limit + 1 - count) }
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else { throw unavailable("cannot read \(path) (\(String(cString: strerror(errno))))") }
            if read == 0 { break }
            count += read
        }
        guard count <= limit else { throw unavailable("\(path) grew past \(limit) bytes while it was read") }
        return Array(bytes[..<count])
    }

    /// `--secret` where the engine could not keep the secret out of the image: the classic builder (asked for, or
    /// what `auto` would fall back to) writes no secret mount, and Podman's compatible API takes no client secrets.
    /// Decided before the engine is asked whenever the request alone says so.
    func checkSecretsBuilder() throws {
        guard !request.secrets.isEmpty else { return }
        if request.buildBackend == .classic { throw CoreError.secretNeedsBuildKit(reason: BuilderChoice.askedForClassic) }
        if request.engine == "podman" { throw CoreError.secretNeedsBuildKit(reason: "--engine podman builds with Podman's own builder") }
    }

    /// With secrets, a builder other than BuildKit is refused rather than fallen back to (`chooseBuilder`).
    func checkSecretsBuilder(_ support: BuilderSupport) throws {
        guard !request.secrets.isEmpty else { return }
        try checkSecretsBuilder()
        if let reason = support.buildKitUnavailable { throw CoreError.secretNeedsBuildKit(reason: reason) }
    }

    /// The ids of the secrets, for the renderer (it sees ids, never values).
    var secretIDs: [String] { request.secrets.map(\.id) }
}
