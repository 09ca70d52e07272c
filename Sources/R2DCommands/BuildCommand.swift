import ArgumentParser
import Foundation
import R2DCore

/// `swift-r2d build`: repo2docker's command line, flag for flag (repo2docker's `__main__.py`), plus `--platform`,
/// `--network` and `--base-image`.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a repository into a container image that runs Jupyter, and optionally run it.",
        usage: "swift-r2d build [options] [--Repo2Docker.<trait>=<value> ...] <repo> [--] [cmd ...]",
        discussion: """
            The same binary invoked as jupyter-repo2docker, or as swift-r2d without a subcommand, behaves as this command. \
            Everything after <repo> is the command to run in the container.
            """)

    static let repoHelp = "A local directory, a git or Mercurial URL, a DOI, a Zenodo/Figshare/Dataverse/HydroShare/CKAN URL or a SWHID."

    @Argument(help: ArgumentHelp(repoHelp))
    var repo: String

    // Names and help come from the settings table (SettingsTable*.swift); `SettingsTableTests` checks each
    // property against its row.
    @Option(name: Settings.config.names, help: Settings.config.argumentHelp) var config: String?
    @Flag(name: Settings.jsonLogs.names, help: Settings.jsonLogs.argumentHelp) var jsonLogs = false
    @Option(name: Settings.imageName.names, help: Settings.imageName.argumentHelp) var imageName: String?
    @Option(name: Settings.ref.names, help: Settings.ref.argumentHelp) var ref: String?
    @Flag(name: Settings.debug.names, help: Settings.debug.argumentHelp) var debug = false
    @Flag(name: Settings.build.names, inversion: .prefixedNo, help: Settings.build.argumentHelp) var build: Bool?
    @Option(name: Settings.buildMemoryLimit.names, help: Settings.buildMemoryLimit.argumentHelp) var buildMemoryLimit: String?
    @Flag(name: Settings.run.names, inversion: .prefixedNo, help: Settings.run.argumentHelp) var run: Bool?
    @Option(name: Settings.publish.names, help: Settings.publish.argumentHelp) var publish: [String] = []
    @Flag(name: Settings.publishAll.names, help: Settings.publishAll.argumentHelp) var publishAll = false
    @Flag(name: Settings.clean.names, inversion: .prefixedNo, help: Settings.clean.argumentHelp) var clean: Bool?
    @Flag(name: Settings.push.names, inversion: .prefixedNo, help: Settings.push.argumentHelp) var push: Bool?
    @Option(name: Settings.volume.names, help: Settings.volume.argumentHelp) var volume: [String] = []
    @Option(name: Settings.userID.names, help: Settings.userID.argumentHelp) var userId: Int?
    @Option(name: Settings.userName.names, help: Settings.userName.argumentHelp) var userName: String?
    @Option(name: Settings.environment.names, help: Settings.environment.argumentHelp) var env: [String] = []
    @Flag(name: Settings.editable.names, help: Settings.editable.argumentHelp) var editable = false
    @Option(name: Settings.targetRepoDir.names, help: Settings.targetRepoDir.argumentHelp) var targetRepoDir: String?
    @Option(name: Settings.appendix.names, help: Settings.appendix.argumentHelp) var appendix: String?
    @Option(name: Settings.labels.names, help: Settings.labels.argumentHelp) var label: [String] = []
    @Option(name: Settings.buildArguments.names, help: Settings.buildArguments.argumentHelp) var buildArg: [String] = []
    @Flag(name: Settings.allowLocalSubmodules.names, help: Settings.allowLocalSubmodules.argumentHelp) var allowLocalSubmodules = false
    @Option(name: Settings.subdir.names, help: Settings.subdir.argumentHelp) var subdir: String?
    @Option(name: Settings.cacheFrom.names, help: Settings.cacheFrom.argumentHelp) var cacheFrom: [String] = []
    @Option(name: Settings.engine.names, help: Settings.engine.argumentHelp) var engine: String?
    @Option(name: Settings.buildBackend.names, help: Settings.buildBackend.argumentHelp) var buildBackend: String?
    @Flag(name: Settings.builtinFrontend.names, help: Settings.builtinFrontend.argumentHelp) var builtinFrontend = false
    @Option(name: Settings.environmentCache.names, help: Settings.environmentCache.argumentHelp) var envCache: String?
    @Flag(name: Settings.noEnvironmentCache.names, help: Settings.noEnvironmentCache.argumentHelp) var noEnvCache = false
    @Flag(name: Settings.noRegistryCompose.names, help: Settings.noRegistryCompose.argumentHelp) var noRegistryCompose = false
    @Option(name: Settings.platform.names, help: Settings.platform.argumentHelp) var platform: String?
    @Option(name: Settings.network.names, help: Settings.network.argumentHelp) var network: String?
    @Option(name: Settings.baseImage.names, help: Settings.baseImage.argumentHelp) var baseImage: String?
    @Option(name: Settings.defaultPythonVersion.names, help: Settings.defaultPythonVersion.argumentHelp) var defaultPythonVersion: String?
    @Option(name: Settings.pythonIndexURL.names, help: Settings.pythonIndexURL.argumentHelp) var pythonIndexUrl: String?
    @Option(name: Settings.pythonDownloadMirror.names, help: Settings.pythonDownloadMirror.argumentHelp) var pythonDownloadMirror: String?
    @Option(name: Settings.secret.names, help: Settings.secret.argumentHelp) var secret: [String] = []

    // Download locations of the conda, R, Julia and Nix pathways.
    @OptionGroup(title: "Download locations")
    var downloads: DownloadLocationFlags

    // Where Zenodo, Figshare, Dataverse, HydroShare, Software Heritage, DOIs and Mercurial are fetched from.
    @OptionGroup(title: "Content providers")
    var providers: ContentProviderFlags

    // The guardrails: a size cap, a deadline, and how long a push may stall (Docs/limits.md).
    @OptionGroup(title: "Limits")
    var limits: LimitFlags

    func validate() throws {
        if let version = defaultPythonVersion, version.split(separator: ".").count != 2 || !version.allSatisfy({ $0.isNumber || $0 == "." })
        {
            throw ValidationError("--default-python-version must be X.Y, e.g. 3.11 (got '\(version)').")
        }
        if let imageName, !ImageName.isValid(imageName) {
            throw ValidationError(
                "\(imageName) is not a valid docker image name. Image name can contain only lowercase characters, digits, '.', '_' and '-', with an optional registry host, ':tag' and '@digest'."
            )
        }
        for item in label + buildArg where !item.contains("=") {
            throw ValidationError("'\(item)' must have the form name=value (--label, --build-arg).")
        }
    }
}
