import Foundation

/// One of repo2docker's buildpacks: whether it handles a repository, what it decides for it (files, versions,
/// notes) and the Dockerfile fragments it contributes. `BuildpackChain.buildpacks` lists them in detection
/// order, so a new buildpack is one file with a conforming type plus one line in that list.
protocol Buildpack: Sendable {
    /// The value plans and `detect --json` carry.
    var kind: BuildpackKind { get }
    /// repo2docker's class name, shown as "Using <name> builder" as repo2docker shows it.
    var className: String { get }
    /// Whether this buildpack handles the repository; the first in the list that does wins.
    func matches(_ detection: DetectionContext) throws -> Bool
    /// Fills in what this buildpack decides: the files the image uses, the versions it picks and notes on the
    /// files it did not follow. `plan` arrives with the kind, binder directory and runtime.txt already set.
    func fill(_ plan: inout BuildPlan, from detection: DetectionContext) throws
    /// The buildpack's parts of a generated Dockerfile.
    func fragments(_ context: RenderContext) throws -> Fragments
    /// The Dockerfile and its context files. By default the options are checked and the fragments composed in
    /// repo2docker's layer order; a user Dockerfile is returned as it is instead.
    func render(_ context: RenderContext) throws -> RenderedBuild
}

extension Buildpack {
    func render(_ context: RenderContext) throws -> RenderedBuild {
        try context.options.validate()
        return try DockerfileRenderer.compose(try fragments(context), context)
    }
}

/// What every buildpack's detection reads: the checkout, its parsed runtime.txt and the default Python.
struct DetectionContext {
    var snapshot: RepoSnapshot
    var runtime: RuntimeSpec?
    var defaultPython: String
}

/// What every buildpack's rendering reads, with the platform parsed once.
struct RenderContext {
    var snapshot: RepoSnapshot
    var plan: BuildPlan
    var options: RenderOptions
    /// nil for a platform no pathway supports (each pathway refuses it with its own error).
    var architecture: Architecture?

    init(snapshot: RepoSnapshot, plan: BuildPlan, options: RenderOptions) {
        self.snapshot = snapshot
        self.plan = plan
        self.options = options
        architecture = Architecture(platform: options.platform)
    }
}

extension BuildpackKind {
    /// The buildpack of this kind: the one entry of `BuildpackChain.buildpacks` with it (a test checks that
    /// every kind has exactly one).
    var buildpack: any Buildpack { BuildpackChain.buildpacksByKind[self]! }

    /// repo2docker's class name for this kind ("PythonBuildPack", …), for the build log.
    public var className: String { buildpack.className }
}

extension BuildPlan {
    /// What every generated image takes from the repository (repo2docker's `BuildPack` base class): the ignore
    /// files of the build context, apt.txt, postBuild and the start script (`start`, or the buildpack's own).
    mutating func addRepositoryFiles(_ snapshot: RepoSnapshot, start: String? = nil) throws {
        ignoreFiles = [snapshot.binderPath(".dockerignore"), snapshot.binderPath(".containerignore")]
            .filter(snapshot.fileExists)
        if let apt = try snapshot.readText(snapshot.binderPath("apt.txt")) {
            aptPackages = try AptPackages.parse(apt, file: snapshot.binderPath("apt.txt"))
        }
        if snapshot.binderFileExists("postBuild") { postBuild = [snapshot.binderPath("postBuild")] }
        if let start {
            self.start = start
        } else if snapshot.binderFileExists("start") {
            self.start = snapshot.binderPath("start")
        }
    }
}
