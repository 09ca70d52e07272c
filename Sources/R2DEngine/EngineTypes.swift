/// Options for `POST /build`.
public struct BuildOptions: Sendable {
    /// Dockerfile path inside the context, e.g. "binder/Dockerfile".
    public var dockerfile: String?
    /// Tags applied by the daemon; usually empty because the caller tags after success.
    public var tags: [String]
    public var buildArgs: [String: String]
    public var labels: [String: String]
    public var cacheFrom: [String]
    public var platform: String?
    /// Network mode for RUN steps, e.g. "host".
    public var networkMode: String?
    public var pull: Bool
    public var noCache: Bool

    public init(
        dockerfile: String? = nil,
        tags: [String] = [],
        buildArgs: [String: String] = [:],
        labels: [String: String] = [:],
        cacheFrom: [String] = [],
        platform: String? = nil,
        networkMode: String? = nil,
        pull: Bool = false,
        noCache: Bool = false
    ) {
        self.dockerfile = dockerfile
        self.tags = tags
        self.buildArgs = buildArgs
        self.labels = labels
        self.cacheFrom = cacheFrom
        self.platform = platform
        self.networkMode = networkMode
        self.pull = pull
        self.noCache = noCache
    }
}

/// One event of a running build.
public enum BuildEvent: Sendable, Equatable {
    /// Build output text, newlines kept.
    case output(String)
    /// A status or progress line (pulls, layer downloads).
    case status(String)
    /// The ID of the built image.
    case imageID(String)
}

/// The parts of `GET /images/{name}/json` the caller needs.
public struct ImageInspect: Sendable, Equatable {
    public var id: String
    public var repoTags: [String]
    public var workingDir: String
    public var labels: [String: String]
    public var created: String

    public init(id: String, repoTags: [String], workingDir: String, labels: [String: String], created: String) {
        self.id = id
        self.repoTags = repoTags
        self.workingDir = workingDir
        self.labels = labels
        self.created = created
    }
}

/// A host address a container port is published on.
public struct PortBinding: Sendable, Hashable {
    /// Host IP; empty means all interfaces.
    public var hostIP: String
    /// Host port; empty lets the daemon choose.
    public var hostPort: String

    public init(hostIP: String = "", hostPort: String) {
        self.hostIP = hostIP
        self.hostPort = hostPort
    }
}

/// What to run in `EngineClient.runContainer`.
public struct RunOptions: Sendable {
    public var image: String
    /// Overrides the image's CMD when set.
    public var command: [String]?
    /// "NAME=value" entries.
    public var environment: [String]
    public var user: String?
    /// Keyed by container port, e.g. "8888/tcp".
    public var portBindings: [String: [PortBinding]]
    public var publishAll: Bool
    /// "src:dest:rw" entries.
    public var binds: [String]
    public var networkMode: String?
    public var workingDir: String?
    public var labels: [String: String]

    public init(
        image: String,
        command: [String]? = nil,
        environment: [String] = [],
        user: String? = nil,
        portBindings: [String: [PortBinding]] = [:],
        publishAll: Bool = false,
        binds: [String] = [],
        networkMode: String? = nil,
        workingDir: String? = nil,
        labels: [String: String] = [:]
    ) {
        self.image = image
        self.command = command
        self.environment = environment
        self.user = user
        self.portBindings = portBindings
        self.publishAll = publishAll
        self.binds = binds
        self.networkMode = networkMode
        self.workingDir = workingDir
        self.labels = labels
    }
}

/// The engine's `GET /version` answer.
public struct EngineVersion: Sendable, Equatable {
    public var version: String
    public var apiVersion: String
    public var os: String
    public var arch: String
    /// True when the engine is Podman's Docker-compatible service.
    public var isPodman: Bool

    public init(version: String, apiVersion: String, os: String, arch: String, isPodman: Bool) {
        self.version = version
        self.apiVersion = apiVersion
        self.os = os
        self.arch = arch
        self.isPodman = isPodman
    }
}
