import R2DBasics
import R2DBuildpacks
import R2DContentProviders

/// Everything one `swift-r2d build` invocation asks for, after the command line and configuration are merged.
public struct BuildRequest: Sendable {
    public var repo: String
    public var ref: String?
    public var subdir: String = ""
    /// `--image-name` / `--image`; nil means the generated `r2d…` name tagged by content.
    public var imageName: String?
    /// false for `--no-build` (print the Dockerfile only).
    public var build: Bool = true
    public var run: Bool = true
    public var push: Bool = false
    /// nil: repo2docker's default (clean remote checkouts, never a local directory).
    public var clean: Bool?
    public var userID: Int
    public var userName: String
    public var targetRepoDir: String = ""
    public var appendix: String = ""
    public var labels: [(String, String)] = []
    public var buildArgs: [(String, String)] = []
    /// `--allow-local-submodules`: a remote repository's submodules may come from the local file system.
    public var allowLocalSubmodules = false
    public var cacheFrom: [String] = []
    public var platform: String?
    public var network: String?
    public var engine: String = "docker"
    /// `--build-backend`: BuildKit where the engine can run it for this request, the classic builder otherwise.
    public var buildBackend: BuildBackendChoice = .auto
    /// `--builtin-frontend`: a user Dockerfile's `# syntax=` directive is left out of the build, so BuildKit
    /// builds it with the engine's own frontend instead of fetching a frontend image from a registry.
    public var builtinFrontend = false
    public var baseImage: String = "docker.io/library/buildpack-deps:24.04"
    /// The Python of repositories that do not name one (repo2docker's is 3.10).
    public var defaultPythonVersion: String = "3.10"
    /// A PEP 503 index for uv, pip and uv itself; nil means PyPI.
    public var pythonIndexURL: String?
    /// Where uv downloads Python builds the base image lacks; nil means uv's default.
    public var pythonDownloadMirror: String?
    /// Where the conda, R, Julia and Nix pathways download from (`--micromamba-url`, `--conda-channel`, …).
    public var downloadLocations = DownloadLocations()
    /// Where Zenodo, Figshare, Dataverse, HydroShare, Software Heritage and DOIs are fetched from.
    public var contentProviders = ProviderSettings()
    /// `--max-repo-size`, `--build-timeout`, `--push-stall-timeout` (RunLimits.swift).
    public var limits = RunLimits()
    /// false for `--Repo2Docker.default_buildpack=None`.
    public var allowDefaultBuildpack: Bool = true
    public var ports: [PortMapping] = []
    public var publishAll: Bool = false
    public var volumes: [VolumeMapping] = []
    public var environment: [String] = []
    public var editable: Bool = false
    public var runCommand: [String] = []
    /// `{"registry", "username", "password"}` from the configuration (`DockerEngine.registry_credentials`);
    /// nil means CONTAINER_ENGINE_REGISTRY_CREDENTIALS, then config.json.
    public var registryCredentials: [String: String]?
    /// Docker's per-registry CA directory (`<dir>/<host:port>/ca.crt`), trusted when asking a registry
    /// whether an image is already pushed.
    public var registryCertificatesDirectory: String = "/etc/docker/certs.d"
    /// `--secret`: build secrets the build may read (BuildKit only), by id and where the value comes from.
    public var secrets: [SecretRequest] = []
    /// `--env-cache` / `--no-env-cache`: where environments are looked up and stored (EnvironmentReuse.swift).
    public var environmentCache: EnvironmentCacheChoice = .imageRepository
    /// With --push and --no-run, an image whose environment the registry has is composed there (no pull);
    /// `--no-registry-compose` builds it on the engine instead.
    public var composeInRegistry = true
    /// The process environment (DOCKER_HOST, GIT_CREDENTIAL_ENV, SOURCE_DATE_EPOCH, …).
    public var processEnvironment: [String: String] = [:]

    public init(repo: String, userID: Int, userName: String) {
        self.repo = repo
        self.userID = userID
        self.userName = userName
    }
}

/// `-p [hostip:]hostport:containerport[/proto]` or `-p port`.
public struct PortMapping: Sendable, Equatable {
    public var hostIP: String?
    public var hostPort: Int
    public var containerPort: Int
    public var proto: String

    public init(hostIP: String? = nil, hostPort: Int, containerPort: Int, proto: String = "tcp") {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

}

/// `-v src:dest`: a bind mount for the run container.
public struct VolumeMapping: Sendable, Equatable {
    public var source: String
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// `--build-backend`: which of the engine's builders to use.
public enum BuildBackendChoice: String, Sendable, Equatable, CaseIterable {
    /// BuildKit where the engine can run it for this request, the classic builder otherwise.
    case auto
    case buildKit = "buildkit"
    case classic
}
