import R2DBuildKitSession

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
    /// Which of the daemon's builders runs the build (`version=1` or `version=2` of `POST /build`).
    public var backend: BuildBackend = .classic
    /// Build secrets the daemon may read during this build through the BuildKit session's secrets service;
    /// never sent as build arguments, labels or any other part of the request.
    public var secrets: [BuildSecret] = []
    /// With BuildKit, the services of the client session the build joins (`session=<id>`): the context by file
    /// sync instead of the request body (`remote=client-session`, which the containerd image store needs) and
    /// registry credentials for the base image. `secrets` join it. Nil with no secrets: no session.
    public var session: SessionServices?

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

/// One build secret (`--secret id=ID,env=VAR|src=FILE`), resolved to its value before the build starts.
/// Its description never shows the value.
public struct BuildSecret: Sendable, Equatable, CustomStringConvertible {
    public let id: String
    public let value: [UInt8]

    public init(id: String, value: [UInt8]) {
        self.id = id
        self.value = value
    }

    public var description: String { "BuildSecret(id: \(id), \(value.count) bytes)" }
}

/// The daemon's two builders: the classic one (`POST /build?version=1`, also Podman's compatible builder) and
/// BuildKit (`version=2`), driven with the context tar as the body or through a client session's file sync.
public enum BuildBackend: String, Sendable, Equatable, CaseIterable {
    case classic
    case buildKit = "buildkit"
}

/// What the engine can build with, asked once per build (`builderSupport()`).
public struct BuilderSupport: Sendable, Equatable {
    public var isPodman: Bool
    /// Why BuildKit cannot build here without a client session; nil when it can.
    public var buildKitUnavailable: String?
    /// Whether the daemon has its default `bridge` network (not with `dockerd --bridge=none`): BuildKit's RUN
    /// steps need it unless the build names a network mode, where the classic builder does without.
    public var hasBridgeNetwork: Bool
    /// Whether a BuildKit build must send its context through the session's file sync: on the containerd image
    /// store the daemon cannot read a context sent as the request body (moby/moby #47717).
    public var buildKitNeedsSessionContext: Bool

    public init(
        isPodman: Bool, buildKitUnavailable: String?, hasBridgeNetwork: Bool = true, buildKitNeedsSessionContext: Bool = false
    ) {
        self.isPodman = isPodman
        self.buildKitUnavailable = buildKitUnavailable
        self.hasBridgeNetwork = hasBridgeNetwork
        self.buildKitNeedsSessionContext = buildKitNeedsSessionContext
    }

    public var hasBuildKit: Bool { buildKitUnavailable == nil }
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

/// A container port published on a host address: one `HostConfig.PortBindings` entry (and its `ExposedPorts`
/// key) of `POST /containers/create`.
public struct PublishedPort: Sendable, Hashable {
    /// The port inside the container.
    public var containerPort: Int
    /// "tcp" or "udp"; with ``containerPort`` it names the port as the Engine API does ("8888/tcp").
    public var transportProtocol: String
    /// Host IP; nil means all interfaces (sent as "", as the daemon expects).
    public var hostIP: String?
    /// Host port; nil lets the daemon choose (sent as "").
    public var hostPort: Int?

    public init(containerPort: Int, transportProtocol: String = "tcp", hostIP: String? = nil, hostPort: Int?) {
        self.containerPort = containerPort
        self.transportProtocol = transportProtocol
        self.hostIP = hostIP
        self.hostPort = hostPort
    }

    /// The Engine API's name of the container port, the key of `PortBindings` and `ExposedPorts`.
    var engineKey: String { "\(containerPort)/\(transportProtocol)" }
}

/// A host path mounted into the container: one `HostConfig.Binds` entry of `POST /containers/create`.
///
/// Sent as a Binds string rather than a `HostConfig.Mounts` object because the two differ: Binds creates a
/// missing source directory on the host, Mounts refuses it.
public struct BindMount: Sendable, Hashable {
    /// Absolute path on the daemon's host.
    public var source: String
    /// Absolute path inside the container.
    public var destination: String
    /// Whether the container may only read the mount.
    public var readOnly: Bool

    public init(source: String, destination: String, readOnly: Bool = false) {
        self.source = source
        self.destination = destination
        self.readOnly = readOnly
    }

    /// Docker's "source:destination:mode" Binds syntax (mode "ro" or "rw").
    var bindsEntry: String { "\(source):\(destination):\(readOnly ? "ro" : "rw")" }
}

/// What to run in `EngineClient.runContainer`.
public struct RunOptions: Sendable {
    public var image: String
    /// Overrides the image's CMD when set.
    public var command: [String]?
    /// "NAME=value" entries.
    public var environment: [String]
    public var user: String?
    /// Ports to publish, in order; several may share a container port (each becomes one of its bindings).
    public var publishedPorts: [PublishedPort]
    public var publishAll: Bool
    /// Host paths to mount, in order.
    public var bindMounts: [BindMount]
    public var networkMode: String?
    public var workingDir: String?
    public var labels: [String: String]

    public init(
        image: String,
        command: [String]? = nil,
        environment: [String] = [],
        user: String? = nil,
        publishedPorts: [PublishedPort] = [],
        publishAll: Bool = false,
        bindMounts: [BindMount] = [],
        networkMode: String? = nil,
        workingDir: String? = nil,
        labels: [String: String] = [:]
    ) {
        self.image = image
        self.command = command
        self.environment = environment
        self.user = user
        self.publishedPorts = publishedPorts
        self.publishAll = publishAll
        self.bindMounts = bindMounts
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
