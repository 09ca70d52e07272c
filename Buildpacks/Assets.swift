/// Files that generated Dockerfiles copy into the build context, compiled into the binary so that
/// swift-r2d is one self-contained executable (EmbeddedFiles.swift, written by base/embed-assets.sh).
public enum BuildpackAssets {
    /// The uv release that install-uv.bash pins (AssetsTests checks the two agree).
    public static let uvVersion = "0.13.9"

    /// `repo2docker-entrypoint`: runs the command, tees its output to `.jupyter-server-log.txt`, forwards signals.
    public static var entrypoint: [UInt8] { Array(EmbeddedFiles.entrypoint.utf8) }

    /// `python3-login`: the entrypoint's interpreter, `python3 -u` inside a login shell.
    public static var python3Login: [UInt8] { Array(EmbeddedFiles.python3Login.utf8) }

    /// `install-uv.bash`: installs the pinned, sha256-checked uv wheel's `uv` and `uvx` into /usr/local/bin.
    public static var installUV: [UInt8] { Array(EmbeddedFiles.installUV.utf8) }

    /// `activate-venv.sh`: the /etc/profile.d script that restores the image's PATH entries in login shells.
    public static var activateVenv: [UInt8] { Array(EmbeddedFiles.activateVenv.utf8) }

    /// The hashed lock of the notebook environment for Python `python` ("3.11") on `platform`
    /// ("linux/amd64" or "linux/arm64"); nil if there is none.
    public static func jupyterLock(python: String, platform: String = "linux/amd64") -> [UInt8]? {
        guard let arch = architecture(of: platform) else { return nil }
        // A separate aarch64 lock exists only when its resolution differs from x86_64's.
        let text = arch == "aarch64" ? (EmbeddedFiles.jupyterLocks[python + "-aarch64"] ?? EmbeddedFiles.jupyterLocks[python])
                                     : EmbeddedFiles.jupyterLocks[python]
        return text.map { Array($0.utf8) }
    }

    /// Python versions ("3.8" … "3.14") that have a lock, in ascending order.
    public static let jupyterLockPythons: [String] = EmbeddedFiles.jupyterLocks.keys
        .filter { !$0.contains("-") }
        .sorted { versionParts($0).lexicographicallyPrecedes(versionParts($1)) }

    /// "linux/amd64", "amd64", "x86_64" → "x86_64"; "linux/arm64[/v8]", "arm64", "aarch64" → "aarch64".
    public static func architecture(of platform: String) -> String? {
        var parts = platform.lowercased().split(separator: "/").map(String.init)
        if parts.first == "linux" { parts.removeFirst() }
        switch parts.first {
        case "amd64", "x86_64": return parts.count == 1 ? "x86_64" : nil
        case "arm64", "aarch64": return parts.count == 1 || parts.dropFirst() == ["v8"] ? "aarch64" : nil
        default: return nil
        }
    }

    private static func versionParts(_ version: String) -> [Int] {
        version.split(separator: ".").map { Int($0) ?? 0 }
    }
}

/// The conda, Julia and Nix pathways' files (Buildpacks/conda, julia, nix).
extension BuildpackAssets {
    /// micromamba, mamba and conda versions that install-base-env.bash pins (AssetsTests checks they agree).
    public static let micromambaVersion = "2.8.1"
    /// The Nix release install-nix.bash pins.
    public static let nixVersion = "2.13.2"

    /// `install-base-env.bash`: micromamba (sha256-checked), the base prefix and the notebook (and kernel) environments.
    public static var installBaseEnv: [UInt8] { Array(EmbeddedFiles.installBaseEnv.utf8) }

    /// `activate-conda.sh`: the /etc/profile.d script that activates the environments in login shells.
    public static var activateConda: [UInt8] { Array(EmbeddedFiles.activateConda.utf8) }

    /// `install-nix.bash`: the sha256-checked single-user Nix install.
    public static var installNix: [UInt8] { Array(EmbeddedFiles.installNix.utf8) }

    /// `nix-shell-wrapper`: the start command of Nix images.
    public static var nixShellWrapper: [UInt8] { Array(EmbeddedFiles.nixShellWrapper.utf8) }

    /// Released Julia versions, oldest first, from julia/versions.txt.
    public static let juliaReleases: [String] = EmbeddedFiles.juliaVersions.split(separator: "\n")
        .filter { !$0.hasPrefix("#") && !$0.contains(" ") }
        .map(String.init)

    /// The conda spec of the notebook environment for Python `python` ("3.10").
    public static func condaNotebookSpec(python: String) -> [UInt8]? {
        EmbeddedFiles.condaSpecs["py" + python].map { Array($0.utf8) }
    }

    /// The conda spec of a kernel-only environment (Python 2.7, 3.5, 3.6).
    public static func condaKernelSpec(python: String) -> [UInt8]? {
        EmbeddedFiles.condaSpecs["kernel-py" + python].map { Array($0.utf8) }
    }
}
