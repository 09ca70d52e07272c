/// Where generated Dockerfiles download things from at build time. Every default is the upstream location
/// repo2docker uses; mirrors and air-gapped sites replace them (`--micromamba-url`, `--conda-channel`, …,
/// or `--Repo2Docker.<trait>=`). Nothing here is contacted at render time.
public struct DownloadLocations: Sendable, Equatable {
    /// The micromamba package (a conda .tar.bz2); `{platform}` becomes `linux-64` or `linux-aarch64`.
    public var micromambaURL: String
    /// Conda channels for the base and user environments, highest priority first: names or full URLs.
    public var condaChannels: [String]
    /// Posit Package Manager's CRAN repository; images use `<url>/__linux__/<codename>/<snapshot date>`.
    public var positPackageManagerURL: String
    /// Posit's R builds: `<url>/<distro>-<version>/pkgs/r-<version>_1_amd64.deb`.
    public var rBinaryURL: String
    /// RStudio Server .deb for distributions with OpenSSL 3.
    public var rstudioServerURL: String
    /// RStudio Server .deb for distributions that only have OpenSSL 1.1.
    public var rstudioServerLegacyURL: String
    /// Shiny Server .deb.
    public var shinyServerURL: String
    /// Julia release tarballs: `<url>/linux/<arch>/<major.minor>/julia-<version>-linux-<arch>.tar.gz`.
    public var juliaDownloadURL: String
    /// Julia package server (`JULIA_PKG_SERVER`); nil keeps Julia's default (pkg.julialang.org).
    public var juliaPackageServer: String?
    /// The Nix binary tarball; `{version}` and `{arch}` (`x86_64`, `aarch64`) are filled in.
    public var nixInstallerURL: String
    /// The nixpkgs channel added as `nixpkgs` before `nix-shell` runs.
    public var nixChannelURL: String
    /// The pixi release archive; `{version}` and `{arch}` (`x86_64`, `aarch64`) are filled in.
    public var pixiURL: String

    public init(
        micromambaURL: String = "https://anaconda.org/conda-forge/micromamba/2.8.1/download/{platform}/micromamba-2.8.1-0.tar.bz2",
        condaChannels: [String] = ["conda-forge"],
        positPackageManagerURL: String = "https://packagemanager.posit.co/cran",
        rBinaryURL: String = "https://cdn.rstudio.com/r",
        rstudioServerURL: String = "https://download2.rstudio.org/server/jammy/amd64/rstudio-server-2026.09.0-174-amd64.deb",
        rstudioServerLegacyURL: String = "https://download2.rstudio.org/server/focal/amd64/rstudio-server-2024.12.0-467-amd64.deb",
        shinyServerURL: String = "https://download3.rstudio.org/ubuntu-20.04/x86_64/shiny-server-1.5.23.1030-amd64.deb",
        juliaDownloadURL: String = "https://julialang-s3.julialang.org/bin",
        juliaPackageServer: String? = nil,
        nixInstallerURL: String = "https://nixos.org/releases/nix/nix-{version}/nix-{version}-{arch}-linux.tar.xz",
        nixChannelURL: String = "https://nixos.org/channels/nixpkgs-unstable",
        pixiURL: String = "https://github.com/prefix-dev/pixi/releases/download/v{version}/pixi-{arch}-unknown-linux-musl.tar.gz"
    ) {
        self.pixiURL = pixiURL
        self.micromambaURL = micromambaURL
        self.condaChannels = condaChannels
        self.positPackageManagerURL = positPackageManagerURL
        self.rBinaryURL = rBinaryURL
        self.rstudioServerURL = rstudioServerURL
        self.rstudioServerLegacyURL = rstudioServerLegacyURL
        self.shinyServerURL = shinyServerURL
        self.juliaDownloadURL = juliaDownloadURL
        self.juliaPackageServer = juliaPackageServer
        self.nixInstallerURL = nixInstallerURL
        self.nixChannelURL = nixChannelURL
    }

    /// The setting names `set(trait:value:firstChannel:)` accepts; `conda_channel` may repeat. How the command
    /// line spells them is R2DCommands' business (its settings table).
    public static let traitNames: [String] = [
        "micromamba_url", "conda_channel", "posit_package_manager_url", "r_binary_url", "rstudio_url",
        "rstudio_legacy_url", "shiny_server_url", "julia_download_url", "julia_pkg_server", "nix_installer_url",
        "nix_channel_url", "pixi_url",
    ]

    /// Applies one setting by its trait name (`micromamba_url`, …). The first `conda_channel` replaces the
    /// default list and later ones append, so repeating the flag lists channels in priority order.
    /// Returns false for a name that is not a download location.
    @discardableResult
    public mutating func set(trait: String, value: String, firstChannel: inout Bool) -> Bool {
        switch trait {
        case "micromamba_url": micromambaURL = value
        case "conda_channel":
            if firstChannel { condaChannels = [] }
            firstChannel = false
            condaChannels.append(value)
        case "posit_package_manager_url": positPackageManagerURL = Self.trimmed(value)
        case "r_binary_url": rBinaryURL = Self.trimmed(value)
        case "rstudio_url": rstudioServerURL = value
        case "rstudio_legacy_url": rstudioServerLegacyURL = value
        case "shiny_server_url": shinyServerURL = value
        case "julia_download_url": juliaDownloadURL = Self.trimmed(value)
        case "julia_pkg_server": juliaPackageServer = value.isEmpty ? nil : value
        case "nix_installer_url": nixInstallerURL = value
        case "nix_channel_url": nixChannelURL = value
        case "pixi_url": pixiURL = value
        default: return false
        }
        return true
    }

    /// The grammar of a setting's values: channels are names or URLs, everything else a URL.
    public static func rule(forTrait trait: String) -> ValueRule { trait == "conda_channel" ? .condaChannel : .url }

    /// Every value with its setting name and grammar (for `RenderOptions.validate`).
    var checks: [(String, ValueRule, String)] {
        var list: [(String, ValueRule, String)] = [
            ("micromamba_url", .url, micromambaURL), ("posit_package_manager_url", .url, positPackageManagerURL),
            ("r_binary_url", .url, rBinaryURL), ("rstudio_url", .url, rstudioServerURL),
            ("rstudio_legacy_url", .url, rstudioServerLegacyURL), ("shiny_server_url", .url, shinyServerURL),
            ("julia_download_url", .url, juliaDownloadURL), ("nix_installer_url", .url, nixInstallerURL),
            ("nix_channel_url", .url, nixChannelURL), ("pixi_url", .url, pixiURL),
        ]
        if let juliaPackageServer { list.append(("julia_pkg_server", .url, juliaPackageServer)) }
        list += condaChannels.map { ("conda_channel", .condaChannel, $0) }
        return list
    }

    /// Base URLs are joined with "/", so a trailing slash is dropped.
    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
