import R2DBuildpackAssets

/// The CPU architecture of the image being built, parsed once from the Docker platform (`RenderOptions.platform`)
/// so that every fragment asks the same question and spells the answer the way its downloader does.
enum Architecture: Sendable, Equatable {
    case amd64
    case arm64

    /// "linux/amd64", "amd64", "x86_64" → amd64; "linux/arm64[/v8]", "arm64", "aarch64" → arm64; nil for any
    /// other platform. Each pathway refuses nil with its own error, as before the type existed.
    init?(platform: String) {
        // The assets module holds the one parsing rule, because it also picks the Jupyter lock by architecture.
        switch BuildpackAssets.architecture(of: platform) {
        case "x86_64": self = .amd64
        case "aarch64": self = .arm64
        default: return nil
        }
    }

    /// The platform `BuildpackAssets.jupyterLock` takes (it parses it back to the same architecture).
    var dockerPlatform: String {
        switch self {
        case .amd64: return "linux/amd64"
        case .arm64: return "linux/arm64"
        }
    }

    /// conda's subdirectory name (`CONDA_PLATFORM`, the micromamba URL's `{platform}`).
    var condaPlatform: String {
        switch self {
        case .amd64: return "linux-64"
        case .arm64: return "linux-aarch64"
        }
    }

    /// Julia's tarball names: the architecture in the file name and the short one in the directory.
    var juliaArchitecture: (name: String, short: String) {
        switch self {
        case .amd64: return ("x86_64", "x64")
        case .arm64: return ("aarch64", "aarch64")
        }
    }

    /// The Nix binary tarball's `{arch}`.
    var nixArchitecture: String {
        switch self {
        case .amd64: return "x86_64"
        case .arm64: return "aarch64"
        }
    }

    /// The Debian architecture of Posit's R, RStudio Server and Shiny Server packages; nil where Posit builds none.
    var positArchitecture: String? {
        switch self {
        case .amd64: return "amd64"
        case .arm64: return nil
        }
    }
}
