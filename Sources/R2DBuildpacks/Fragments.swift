/// Who runs a build step.
public enum StepUser: Sendable, Equatable {
    case root
    case notebookUser

    var dockerfileValue: String { self == .root ? "root" : "${NB_USER}" }
}

/// One `RUN` of the generated Dockerfile, the user it runs as and the download caches a BuildKit build mounts
/// on it (`DownloadCache`).
public struct BuildStep: Sendable, Equatable {
    public var user: StepUser
    public var script: String
    public var caches: [DownloadCache]
    /// The step installs the repository's packages: it sees the installer secrets (`InstallerSecrets`).
    public var readsInstallerSecrets: Bool

    public init(_ user: StepUser, _ script: String, caches: [DownloadCache] = [], readsInstallerSecrets: Bool = false) {
        self.user = user
        self.script = script
        self.caches = caches
        self.readsInstallerSecrets = readsInstallerSecrets
    }
}

/// A file the renderer places in the build context next to the Dockerfile.
public struct GeneratedFile: Sendable, Equatable {
    /// Path inside the context, e.g. `build_script_files/install-uv.bash`.
    public var path: String
    public var contents: [UInt8]
    public var mode: UInt32

    public init(path: String, contents: [UInt8], mode: UInt32) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}

/// A support file copied into the image before any repository file.
public struct BuildScriptFile: Sendable, Equatable {
    /// Stable name under `build_script_files/` in the context.
    public var name: String
    public var destination: String
    public var contents: [UInt8]
    public var mode: UInt32 = 0o644
}

/// What each buildpack contributes to the generated Dockerfile; the renderer composes these in
/// repo2docker's layer order (repo2docker's `buildpacks/base.py` template). Buildpacks that build on others (R, Julia) add their own
/// fragments to the ones they reuse instead of copying them.
public struct Fragments: Sendable {
    /// A message the image build prints and fails on right after `FROM` (a REQUIRE repository: repo2docker
    /// renders it but refuses to build it).
    public var refusal: String?
    /// Extra apt packages installed (with recommends) before anything else.
    public var aptPackages: [String] = []
    /// `ENV` lines present during the build, in order.
    public var buildEnvironment: [(String, String)] = []
    /// Prepended to PATH, in order.
    public var pathEntries: [String] = []
    public var buildScriptFiles: [BuildScriptFile] = []
    /// Steps that do not depend on the repository: shared by every repository using the same versions.
    public var buildSteps: [BuildStep] = []
    /// Runtime `ENV` lines.
    public var environment: [(String, String)] = []
    /// Environment files (relative to the repo dir) copied before the full repository.
    public var preassembleFiles: [String] = []
    /// Steps that need only the environment files.
    public var preassembleSteps: [BuildStep] = []
    /// Steps that need the whole repository.
    public var assembleSteps: [BuildStep] = []

    public init() {}

    /// Appends `other` after `self`, keeping each list's order.
    public mutating func append(_ other: Fragments) {
        refusal = refusal ?? other.refusal
        aptPackages += other.aptPackages
        buildEnvironment += other.buildEnvironment
        pathEntries += other.pathEntries
        buildScriptFiles += other.buildScriptFiles
        buildSteps += other.buildSteps
        environment += other.environment
        preassembleFiles += other.preassembleFiles
        preassembleSteps += other.preassembleSteps
        assembleSteps += other.assembleSteps
    }
}
