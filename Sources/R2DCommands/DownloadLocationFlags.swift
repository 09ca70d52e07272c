import ArgumentParser

/// `--micromamba-url`, `--conda-channel`, …: the download-location flags, grouped under their own heading in
/// `--help`. Names and help come from `DownloadSettings`; the rows apply the values.
struct DownloadLocationFlags: ParsableArguments {
    static func row(_ trait: String) -> Setting { DownloadSettings.named(trait) }

    @Option(name: row("micromamba_url").names, help: row("micromamba_url").argumentHelp) var micromambaUrl: String?
    @Option(name: row("conda_channel").names, help: row("conda_channel").argumentHelp) var condaChannel: [String] = []
    @Option(name: row("posit_package_manager_url").names, help: row("posit_package_manager_url").argumentHelp) var positPackageManagerUrl:
        String?
    @Option(name: row("r_binary_url").names, help: row("r_binary_url").argumentHelp) var rBinaryUrl: String?
    @Option(name: row("rstudio_url").names, help: row("rstudio_url").argumentHelp) var rstudioUrl: String?
    @Option(name: row("rstudio_legacy_url").names, help: row("rstudio_legacy_url").argumentHelp) var rstudioLegacyUrl: String?
    @Option(name: row("shiny_server_url").names, help: row("shiny_server_url").argumentHelp) var shinyServerUrl: String?
    @Option(name: row("julia_download_url").names, help: row("julia_download_url").argumentHelp) var juliaDownloadUrl: String?
    @Option(name: row("julia_pkg_server").names, help: row("julia_pkg_server").argumentHelp) var juliaPkgServer: String?
    @Option(name: row("nix_installer_url").names, help: row("nix_installer_url").argumentHelp) var nixInstallerUrl: String?
    @Option(name: row("nix_channel_url").names, help: row("nix_channel_url").argumentHelp) var nixChannelUrl: String?
    @Option(name: row("pixi_url").names, help: row("pixi_url").argumentHelp) var pixiUrl: String?
}
