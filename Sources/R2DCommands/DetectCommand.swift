import ArgumentParser

/// `swift-r2d detect <repo> [--json]`: print the build plan; needs no daemon and no network for local input.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Show which buildpack would build a repository, and the versions and files it would use.")

    @Argument(help: "A local directory or a git URL.")
    var repo: String

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Branch, tag or commit (git).")
    var ref: String?

    @Option(help: "Analyse this subdirectory.")
    var subdir: String?

    @Flag(help: "Fail when no environment file is found instead of using the default Python buildpack.")
    var noDefaultBuildpack = false
}

/// The root command, used for help text and the generated CLI reference; `CommandLineEntry` dispatches.
struct SwiftR2DCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-r2d",
        abstract: "Turn a code repository into a container image that runs Jupyter (a drop-in for repo2docker).",
        usage: "swift-r2d [build] [options] <repo> [--] [cmd ...]\n  swift-r2d detect <repo> [--json]",
        subcommands: [BuildCommand.self, DetectCommand.self])
}
