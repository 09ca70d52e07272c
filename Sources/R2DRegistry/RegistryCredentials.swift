import R2DBasics
import Foundation
import R2DSubprocess

/// A user name and secret for one registry, and where it came from (for messages; never the secret).
public struct RegistryCredential: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String
    /// An OAuth identity token (a credential helper's "<token>" user), used instead of the password.
    public var identityToken: String?
    /// Where it was found, e.g. "CONTAINER_ENGINE_REGISTRY_CREDENTIALS" or "/root/.docker/config.json".
    public var source: String

    public init(username: String, password: String, identityToken: String? = nil, source: String) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
        self.source = source
    }

    /// Redacted: printing a credential never shows its secret.
    public var description: String { "credential for \(username) from \(source)" }
}

/// Finds registry credentials as the docker CLI and repo2docker do: the registry_credentials setting or
/// CONTAINER_ENGINE_REGISTRY_CREDENTIALS, then `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`) with
/// its `credHelpers`, `auths` and `credsStore`. It only reads; the user's files are never written.
public struct RegistryCredentialStore: Sendable {
    public var environment: [String: String]
    /// `{"registry", "username", "password"}` from the configuration file; wins over the variable.
    public var configured: [String: String]?

    /// How long a credential helper may take before it is stopped (with the programs it started).
    public var helperTimeout: Duration

    public static let variable = "CONTAINER_ENGINE_REGISTRY_CREDENTIALS"

    public init(environment: [String: String], configured: [String: String]? = nil, helperTimeout: Duration = .seconds(30)) {
        self.environment = environment
        self.configured = configured
        self.helperTimeout = helperTimeout
    }

    /// The config.json this store reads.
    public var configPath: String {
        if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty { return directory + "/config.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.docker/config.json"
    }

    /// Checks the explicit credentials' shape early, so a bad variable fails before any work.
    public func validate() throws {
        _ = try explicitCredential()
    }

    /// The credential for `registry` (a host as in `ImageReference.registry`), or nil when none is known.
    /// Asking a credential helper may take up to `helperTimeout`; a cancelled task stops the helper.
    public func credential(for registry: String) async throws -> RegistryCredential? {
        let host = ImageReference.normalizedHost(registry)
        if let explicit = try explicitCredential(), explicit.registry == host { return explicit.credential }
        guard let config = try readConfig() else { return nil }
        let serverURL = host == ImageReference.dockerHub ? ImageReference.dockerHubConfigKey : host
        if let helper = config.credHelpers?.first(where: { ImageReference.normalizedHost($0.key) == host })?.value {
            return try await runHelper(helper, serverURL: serverURL)
        }
        if let entry = config.auths?.first(where: { ImageReference.normalizedHost($0.key) == host })?.value,
            let credential = try decode(entry)
        {
            return credential
        }
        if let store = config.credsStore, !store.isEmpty {
            return try await runHelper(store, serverURL: serverURL)
        }
        return nil
    }

    // MARK: Explicit credentials (repo2docker's registry_credentials)

    private func explicitCredential() throws -> (registry: String, credential: RegistryCredential)? {
        let fields: [String: String]
        let source: String
        if let configured {
            fields = configured
            source = "the configuration's registry_credentials"
        } else if let text = environment[Self.variable], !text.trimmingCharactersInSet(" \t\n").isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw RegistryError.invalidCredentialsVariable("it is not a JSON object")
            }
            var strings: [String: String] = [:]
            for (key, value) in object {
                guard let string = value as? String else {
                    throw RegistryError.invalidCredentialsVariable("\"\(key)\" is not a string")
                }
                strings[key] = string
            }
            fields = strings
            source = Self.variable
        } else {
            return nil
        }
        let missing = ["registry", "username", "password"].filter { (fields[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw RegistryError.invalidCredentialsVariable("missing \(missing.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return (
            ImageReference.normalizedHost(fields["registry"] ?? ""),
            RegistryCredential(username: fields["username"] ?? "", password: fields["password"] ?? "", source: source)
        )
    }

    // MARK: config.json

    /// The docker CLI's `proxies.default` section as build arguments (`HTTP_PROXY` and `http_proxy`, …), which the
    /// CLI hands to every build; the image's entrypoint writes it from the proxy variables. Empty without a file.
    public func proxyBuildArguments() -> [String: String] {
        guard let proxies = (try? readConfig())??.proxies?["default"] else { return [:] }
        var arguments: [String: String] = [:]
        let names = [
            ("httpProxy", "HTTP_PROXY"), ("httpsProxy", "HTTPS_PROXY"), ("noProxy", "NO_PROXY"),
            ("ftpProxy", "FTP_PROXY"), ("allProxy", "ALL_PROXY"),
        ]
        for (key, variable) in names {
            guard let value = proxies[key], !value.isEmpty else { continue }
            arguments[variable] = value
            arguments[variable.lowercased()] = value
        }
        return arguments
    }

    struct ConfigFile: Decodable {
        struct Auth: Decodable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
        }
        var auths: [String: Auth]?
        var credHelpers: [String: String]?
        var credsStore: String?
        var proxies: [String: [String: String]]?
    }

    func readConfig() throws -> ConfigFile? {
        let path = configPath
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.invalidConfigFile(path: path, reason: "it cannot be read")
        }
        do {
            return try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch {
            throw RegistryError.invalidConfigFile(path: path, reason: "it is not the JSON docker writes")
        }
    }

    func decode(_ entry: ConfigFile.Auth) throws -> RegistryCredential? {
        if let token = entry.identitytoken, !token.isEmpty {
            return RegistryCredential(username: entry.username ?? "", password: "", identityToken: token, source: configPath)
        }
        if let auth = entry.auth, !auth.isEmpty {
            guard let data = Data(base64Encoded: auth), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else {
                throw RegistryError.invalidConfigFile(path: configPath, reason: "an \"auth\" value is not base64 of user:password")
            }
            return RegistryCredential(
                username: String(text[..<colon]), password: String(text[text.index(after: colon)...]),
                source: configPath)
        }
        if let username = entry.username, let password = entry.password {
            return RegistryCredential(username: username, password: password, source: configPath)
        }
        return nil
    }

    // MARK: Credential helpers

    /// Runs `docker-credential-<name> get` with the server URL on stdin (both pipes read at once, at most
    /// `helperTimeout`); nil when it has nothing for it.
    func runHelper(_ name: String, serverURL: String) async throws -> RegistryCredential? {
        let program = "docker-credential-" + name
        guard let executable = Self.findExecutable(program, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            throw RegistryError.credentialHelper(name: name, reason: "\(program) is not on PATH")
        }
        let child = ChildProcess(
            name: program, executable: executable, arguments: ["get"], environment: environment,
            input: Array(serverURL.utf8), timeout: helperTimeout, outputLimit: 1 << 20)
        let result: ChildResult
        do {
            result = try await child.run()
        } catch let error as ChildProcessError {
            throw RegistryError.credentialHelper(name: name, reason: Self.reason(error))
        }
        guard result.status == 0 else {
            // Helpers say "credentials not found" (on stdout) when they simply have nothing for this server.
            if result.outputText.localizedCaseInsensitiveContains("not found") { return nil }
            throw RegistryError.credentialHelper(name: name, reason: "it " + result.failureSummary)
        }
        struct HelperAnswer: Decodable { var Username: String?; var Secret: String? }
        guard let decoded = try? JSONDecoder().decode(HelperAnswer.self, from: Data(result.output)), let secret = decoded.Secret else {
            throw RegistryError.credentialHelper(name: name, reason: "its answer is not {\"Username\", \"Secret\"} JSON")
        }
        if decoded.Username == "<token>" {
            return RegistryCredential(username: "", password: "", identityToken: secret, source: program)
        }
        return RegistryCredential(username: decoded.Username ?? "", password: secret, source: program)
    }

    /// The words after "The credential helper … failed: ".
    static func reason(_ error: ChildProcessError) -> String {
        switch error {
        case .couldNotRun(_, let reason):
            return "it could not be run (\(reason))"
        case .timedOut(_, let seconds, let errorLine):
            return "it did not answer within \(seconds) s and was stopped" + (errorLine.map { " (it said: \($0))" } ?? "")
        }
    }

    static func findExecutable(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
