import ArgumentParser
import R2DBuildpacks

/// `--micromamba-url`, `--conda-channel`, …: where the conda, R, Julia and Nix pathways download from
/// (Docs/environments.md). Each is also accepted as `--Repo2Docker.<snake_name>=`.
struct DownloadLocationFlags: ParsableArguments {
    @Option(help: ArgumentHelp("micromamba package URL; {platform} becomes linux-64 or linux-aarch64.", valueName: "url"))
    var micromambaUrl: String?

    @Option(help: ArgumentHelp("Conda channel name or URL, highest priority first (repeat; replaces conda-forge).", valueName: "channel"))
    var condaChannel: [String] = []

    @Option(help: ArgumentHelp("Posit Package Manager CRAN repository (default https://packagemanager.posit.co/cran).", valueName: "url"))
    var positPackageManagerUrl: String?

    @Option(help: ArgumentHelp("Base URL of Posit's R .deb builds (default https://cdn.rstudio.com/r).", valueName: "url"))
    var rBinaryUrl: String?

    @Option(help: ArgumentHelp("RStudio Server .deb for OpenSSL 3 distributions.", valueName: "url"))
    var rstudioUrl: String?

    @Option(help: ArgumentHelp("RStudio Server .deb for OpenSSL 1.1 distributions.", valueName: "url"))
    var rstudioLegacyUrl: String?

    @Option(help: ArgumentHelp("Shiny Server .deb.", valueName: "url"))
    var shinyServerUrl: String?

    @Option(help: ArgumentHelp("Base URL of Julia release tarballs (default https://julialang-s3.julialang.org/bin).", valueName: "url"))
    var juliaDownloadUrl: String?

    @Option(help: ArgumentHelp("Julia package server for Pkg (JULIA_PKG_SERVER).", valueName: "url"))
    var juliaPkgServer: String?

    @Option(help: ArgumentHelp("Nix tarball URL; {version} and {arch} are filled in.", valueName: "url"))
    var nixInstallerUrl: String?

    @Option(help: ArgumentHelp("nixpkgs channel URL (default https://nixos.org/channels/nixpkgs-unstable).", valueName: "url"))
    var nixChannelUrl: String?

    static func flag(_ trait: String) -> String {
        DownloadLocations.settings.first { $0.trait == trait }?.flag ?? trait
    }

    /// The flags that take a value, for ArgumentSplitter.
    static let valueOptions: Set<String> = Set(DownloadLocations.settings.map { "--" + $0.flag })

    /// Applies the flags given on top of `locations` (which may already hold trait settings).
    func apply(to locations: inout DownloadLocations) throws {
        let values: [(String, String?)] = [
            ("micromamba_url", micromambaUrl), ("posit_package_manager_url", positPackageManagerUrl),
            ("r_binary_url", rBinaryUrl), ("rstudio_url", rstudioUrl), ("rstudio_legacy_url", rstudioLegacyUrl),
            ("shiny_server_url", shinyServerUrl), ("julia_download_url", juliaDownloadUrl),
            ("julia_pkg_server", juliaPkgServer), ("nix_installer_url", nixInstallerUrl), ("nix_channel_url", nixChannelUrl),
        ]
        var first = true
        for (trait, value) in values {
            guard let value else { continue }
            try ValueCheck.downloadLocation(trait: trait, value: value, source: "--" + Self.flag(trait))
            locations.set(trait: trait, value: value, firstChannel: &first)
        }
        for channel in condaChannel {
            try ValueCheck.downloadLocation(trait: "conda_channel", value: channel, source: "--conda-channel")
            locations.set(trait: "conda_channel", value: channel, firstChannel: &first)
        }
    }
}
