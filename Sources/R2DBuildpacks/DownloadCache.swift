/// A download cache a BuildKit build mounts on the `RUN` steps that download: its content is shared by every
/// build on the daemon and never reaches a layer. The classic builder has no mounts, so its Dockerfile turns the
/// caches off instead (`UV_NO_CACHE`, `PIP_NO_CACHE_DIR`, `--no-cache-dir`, `apt-get clean`, `micromamba clean`).
///
/// Every fact about a cache is here: fragments name the caches a step uses (`BuildStep.caches`) and the
/// renderer writes the mounts. The Dockerfile frontend of Docker 20.10 expands no variable in `--mount`, so
/// targets and owners are literal: the targets are fixed paths outside the home and `/tmp`, and a step of the
/// image user mounts its cache with that user's literal uid (`RenderOptions.userID`, the `NB_UID` build arg).
public enum DownloadCache: String, Sendable, CaseIterable, Comparable {
    case aptLists = "apt-lists"
    case aptArchives = "apt-archives"
    case uv
    case pip
    case npm
    case condaPackages = "conda-pkgs"

    public static func < (a: DownloadCache, b: DownloadCache) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The package installers' caches: what a step installing Python (or npm) packages mounts.
    static let python: [DownloadCache] = [.uv, .pip]
    /// apt's package lists and archives, for every step running `apt-get`.
    static let apt: [DownloadCache] = [.aptLists, .aptArchives]
    /// postBuild may install anything with uv, pip or npm.
    static let postBuild: [DownloadCache] = [.uv, .pip, .npm]

    /// Where the cache is mounted. apt's are its own directories (so nothing of apt's is left in the image
    /// either); the others are pointed at by `environment`.
    public var target: String {
        switch self {
        case .aptLists: "/var/lib/apt/lists"
        case .aptArchives: "/var/cache/apt"
        case .uv, .pip, .npm, .condaPackages: "/var/cache/r2d/\(rawValue)"
        }
    }

    /// apt and conda lock their caches themselves only within one container: concurrent builds take turns.
    var isLocked: Bool { self == .aptLists || self == .aptArchives || self == .condaPackages }

    /// The variables pointing the tool at `target`, exported at the start of the step (not an `ENV`: the
    /// running image keeps the tools' own defaults). micromamba and mamba 2 (libmamba) read both names of the
    /// package directories; the mount is another filesystem, so they copy rather than try hard links.
    var environment: [(String, String)] {
        switch self {
        case .aptLists, .aptArchives: []
        case .uv: [("UV_CACHE_DIR", target)]
        case .pip: [("PIP_CACHE_DIR", target)]
        case .npm: [("npm_config_cache", target)]
        case .condaPackages: [("CONDA_PKGS_DIRS", target), ("MAMBA_PKGS_DIRS", target), ("MAMBA_ALWAYS_COPY", "true")]
        }
    }

    /// The downloaded .deb files go to a directory of the mount that Debian's and Ubuntu's
    /// `/etc/apt/apt.conf.d/docker-clean` hook (which deletes `/var/cache/apt/archives/*.deb` after every
    /// dpkg run, whatever `Keep-Downloaded-Packages` says, and cannot be cleared from the command line)
    /// does not name.
    static let aptInstallOptions =
        "-o Dir::Cache::Archives=\(DownloadCache.aptArchives.target)/r2d-archives/ -o APT::Keep-Downloaded-Packages=true"

    /// The `--mount` flag for a step run by `user`; `userID` is the image user's literal uid. Each owner gets a
    /// cache of its own (`r2d-uv` for root, `r2d-uv-1000` for uid 1000), so no step meets files it cannot write.
    func mountFlag(for user: StepUser, userID: Int) -> String {
        var options = ["type=cache"]
        switch user {
        case .root: options.append("id=r2d-\(rawValue)")
        case .notebookUser: options.append("id=r2d-\(rawValue)-\(userID)")
        }
        options.append("target=\(target)")
        if isLocked { options.append("sharing=locked") }
        if user == .notebookUser { options += ["uid=\(userID)", "gid=\(userID)"] }
        return "--mount=" + options.joined(separator: ",")
    }
}

/// How the `RUN` steps of one Dockerfile mount their caches: nil (classic) renders none.
struct CacheMounts {
    var userID: Int

    init?(_ options: RenderOptions) {
        guard options.buildKitCaches else { return nil }
        userID = options.userID
    }

    /// `RUN` with the step's mounts and its caches' variables exported before the script, then the installer
    /// secrets it reads (`SecretMounts`); a step without either is the classic `RUN`.
    func run(_ step: BuildStep, secrets: SecretMounts? = nil) -> String {
        let caches = Set(step.caches).sorted()
        let secretFlags = secrets?.flags(for: step) ?? []
        guard !caches.isEmpty || !secretFlags.isEmpty else { return "RUN " + DockerfileRenderer.shellBlock(step.script) }
        let flags = caches.map { $0.mountFlag(for: step.user, userID: userID) } + secretFlags
        let variables = caches.flatMap(\.environment).map { "\($0.0)=\($0.1)" }
        var prelude = variables.isEmpty ? [] : ["export \(variables.joined(separator: " "))"]
        prelude += secrets?.scriptLines(for: step) ?? []
        let script = (prelude + [step.script]).joined(separator: "\n")
        return "RUN " + flags.map { $0 + " \\\n    " }.joined() + DockerfileRenderer.shellBlock(script)
    }
}
