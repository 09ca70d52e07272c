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

    @Argument(help: "A local directory, a git or Mercurial URL, a DOI, a Zenodo/Figshare/Dataverse/HydroShare/CKAN URL or a SWHID.")
    var repo: String

    @Option(help: ArgumentHelp("JSON configuration file ({\"Repo2Docker\": {…}, \"DockerEngine\": {…}}); the command line wins over it. Default: repo2docker_config.json in the working directory, when present.", valueName: "path"))
    var config: String?

    @Flag(help: "Write every log line as one JSON object {\"message\", \"phase\"}.")
    var jsonLogs = false

    @Option(name: [.customLong("image-name"), .customLong("image")], help: ArgumentHelp("Name (and tag) for the built image.", valueName: "name"))
    var imageName: String?

    @Option(help: "Branch, tag or commit to build (git), or revision or topic (Mercurial).")
    var ref: String?

    @Flag(help: "Log at debug level: the Dockerfile and the build context's sha256.")
    var debug = false

    @Flag(inversion: .prefixedNo, help: "Build the image (--no-build prints the Dockerfile and exits).")
    var build: Bool?

    @Option(help: .hidden)
    var buildMemoryLimit: String?

    @Flag(inversion: .prefixedNo, help: "Run a container from the image after building it (default: yes).")
    var run: Bool?

    @Option(name: [.customShort("p"), .long], help: ArgumentHelp("Publish a port: [hostip:]hostport:containerport[/tcp|udp] or port.", valueName: "spec"))
    var publish: [String] = []

    @Flag(name: [.customShort("P"), .long], help: "Publish every exposed port to a random host port.")
    var publishAll = false

    @Flag(inversion: .prefixedNo, help: "Delete the temporary checkout of a remote repository (default: yes).")
    var clean: Bool?

    @Flag(inversion: .prefixedNo, help: "Push the image to its registry after building; skip both when the registry already has the tag.")
    var push: Bool?

    @Option(name: [.customShort("v"), .long], help: ArgumentHelp("Bind-mount src:dest into the container.", valueName: "src:dest"))
    var volume: [String] = []

    @Option(help: "User id of the image user (default: yours).")
    var userId: Int?

    @Option(help: "Name of the image user (default: yours).")
    var userName: String?

    @Option(name: [.customShort("e"), .long], help: ArgumentHelp("Environment variable for the container: KEY=VAL, KEY= or KEY.", valueName: "var"))
    var env: [String] = []

    @Flag(name: [.customShort("E"), .long], help: "Mount the local repository over the copy in the image.")
    var editable = false

    @Option(help: "Where the repository is placed in the image (default: the user's home).")
    var targetRepoDir: String?

    @Option(help: "Dockerfile text appended to generated Dockerfiles.")
    var appendix: String?

    @Option(help: ArgumentHelp("Extra image label.", valueName: "name=value"))
    var label: [String] = []

    @Option(help: ArgumentHelp("Extra build argument.", valueName: "name=value"))
    var buildArg: [String] = []

    @Flag(help: "Let submodules of a remote repository be cloned from local paths or file:// URLs (refused by default: they would build the host's files into the image).")
    var allowLocalSubmodules = false

    @Option(help: "Build this subdirectory of the repository.")
    var subdir: String?

    @Option(help: "Image to use as a layer cache source.")
    var cacheFrom: [String] = []

    @Option(help: "Container engine: docker or podman.")
    var engine: String?

    @Option(help: "Target platform, e.g. linux/amd64.")
    var platform: String?

    @Option(help: "Network for the build and run containers, e.g. host.")
    var network: String?

    @Option(help: "Base image of generated Dockerfiles (alias of --Repo2Docker.base_image=).")
    var baseImage: String?

    @Option(help: ArgumentHelp("Python for repositories that do not name one (default 3.10).", valueName: "X.Y"))
    var defaultPythonVersion: String?

    @Option(help: ArgumentHelp("Package index (PEP 503) for uv, pip and the uv download (default PyPI).", valueName: "url"))
    var pythonIndexUrl: String?

    @Option(help: ArgumentHelp("Mirror for the Python builds uv downloads when the base image lacks the version.", valueName: "url"))
    var pythonDownloadMirror: String?

    // Download locations of the conda, R, Julia and Nix pathways.
    @OptionGroup(title: "Download locations")
    var downloads: DownloadLocationFlags

    // Where Zenodo, Figshare, Dataverse, HydroShare, Software Heritage, DOIs and Mercurial are fetched from.
    @OptionGroup(title: "Content providers")
    var providers: ContentProviderFlags

    func validate() throws {
        if let version = defaultPythonVersion, version.split(separator: ".").count != 2 || !version.allSatisfy({ $0.isNumber || $0 == "." }) {
            throw ValidationError("--default-python-version must be X.Y, e.g. 3.11 (got '\(version)').")
        }
        if let imageName, !ImageName.isValid(imageName) {
            throw ValidationError("\(imageName) is not a valid docker image name. Image name can contain only lowercase characters, digits, '.', '_' and '-', with an optional registry host, ':tag' and '@digest'.")
        }
        for item in label + buildArg where !item.contains("=") {
            throw ValidationError("'\(item)' must have the form name=value (--label, --build-arg).")
        }
    }
}
