/// Which buildpack handles a repository, with the names `swift-r2d detect --json` reports.
public enum BuildpackKind: String, Sendable, CaseIterable {
    case docker
    case julia
    case juliaRequire = "julia-require"
    case nix
    case r
    case conda
    case pipfile
    case pixi
    case uvLock = "uv-lock"
    case pylock
    case python
}

/// What detection found: the buildpack and the facts the rest of the pipeline needs.
public struct BuildPlan: Sendable, Equatable {
    public var kind: BuildpackKind
    /// True when no buildpack matched and the default (Python) was used.
    public var isDefault: Bool
    /// "", "binder" or ".binder".
    public var binderDirectory: String
    public var pythonVersion: String?
    public var rVersion: String?
    public var juliaVersion: String?
    public var aptPackages: [String]
    /// postBuild scripts, relative to the repo dir.
    public var postBuild: [String]
    /// The start script relative to the repo dir, or nil.
    public var start: String?
    /// For `.docker`: the Dockerfile relative to the repo dir (the context stays the repo dir).
    public var dockerfile: String?
    /// Ignore files (relative to the repo dir) whose patterns apply to the build context, in order.
    public var ignoreFiles: [String]
    public var runtime: RuntimeSpec?
    /// Why a file that asks for something was not followed (a runtime.txt the pathway ignores, a default
    /// replaced by requires-python), for the log: one line each, naming the files.
    public var notes: [String] = []
    /// Where `pythonVersion` came from (`runtime.txt`, `.python-version`, `pyproject.toml requires-python`,
    /// `environment.yml`, `Pipfile`, `default`, …), for `detect --json`; nil when no Python is chosen.
    public var pythonVersionSource: String? = nil
}
