import R2DBuildpacks
import R2DContentProviders
import R2DCore

/// Where the conda, R, Julia and Nix pathways download from (Docs/environments.md): `--<name>` and
/// `--Repo2Docker.<name_with_underscores>=` for each.
enum DownloadSettings {
    static let all: [Setting] = [
        row("micromamba_url", "micromamba package URL; {platform} becomes linux-64 or linux-aarch64.") { $0.micromambaUrl.map { [$0] } },
        row("posit_package_manager_url", "Posit Package Manager CRAN repository (default https://packagemanager.posit.co/cran).") {
            $0.positPackageManagerUrl.map { [$0] }
        },
        row("r_binary_url", "Base URL of Posit's R .deb builds (default https://cdn.rstudio.com/r).") { $0.rBinaryUrl.map { [$0] } },
        row("rstudio_url", "RStudio Server .deb for OpenSSL 3 distributions.") { $0.rstudioUrl.map { [$0] } },
        row("rstudio_legacy_url", "RStudio Server .deb for OpenSSL 1.1 distributions.") { $0.rstudioLegacyUrl.map { [$0] } },
        row("shiny_server_url", "Shiny Server .deb.") { $0.shinyServerUrl.map { [$0] } },
        row("julia_download_url", "Base URL of Julia release tarballs (default https://julialang-s3.julialang.org/bin).") {
            $0.juliaDownloadUrl.map { [$0] }
        },
        row("julia_pkg_server", "Julia package server for Pkg (JULIA_PKG_SERVER).") { $0.juliaPkgServer.map { [$0] } },
        row("nix_installer_url", "Nix tarball URL; {version} and {arch} are filled in.") { $0.nixInstallerUrl.map { [$0] } },
        row("nix_channel_url", "nixpkgs channel URL (default https://nixos.org/channels/nixpkgs-unstable).") {
            $0.nixChannelUrl.map { [$0] }
        },
        row("pixi_url", "pixi release archive URL; {version} and {arch} are filled in (sha256-checked).") { $0.pixiUrl.map { [$0] } },
        row(
            "conda_channel", "Conda channel name or URL, highest priority first (repeat; replaces conda-forge).",
            form: .repeatable, valueName: "channel"
        ) { $0.condaChannel.isEmpty ? nil : $0.condaChannel },
    ]

    /// The row of one trait (for `DownloadLocationFlags`' declarations).
    static func named(_ trait: String) -> Setting { Settings.row(.repo2docker(trait), in: all) }

    static func row(
        _ trait: String, _ help: String, form: Setting.Form = .option, valueName: String = "url",
        read: @escaping @Sendable (DownloadLocationFlags) -> [String]?
    ) -> Setting {
        Setting(
            flag: trait.replacingOccurrences(of: "_", with: "-"), form: form, traits: [.repo2docker(trait)], help: help,
            valueName: valueName, read: { read($0.downloads) },
            apply: { value, request, context in
                // A list from the configuration file (conda_channel) sets each value in order.
                for item in value.values {
                    try ValueCheck.downloadLocation(trait: trait, value: item, source: value.source)
                    request.downloadLocations.set(trait: trait, value: item, firstChannel: &context.firstCondaChannel)
                }
            })
    }
}

/// Where Zenodo, Figshare, Dataverse, HydroShare, Software Heritage, DOIs and Mercurial are fetched from
/// (Docs/content-providers.md).
enum ProviderFlagSettings {
    static let all: [Setting] = [
        row("doi_resolver_url", "DOI resolver; DOIs resolve through <url>/api/handles/ (default https://doi.org).") {
            $0.doiResolverUrl.map { [$0] }
        },
        row("zenodo_url", "Zenodo site; records are read from <url>/api/records/ (default https://zenodo.org).") {
            $0.zenodoUrl.map { [$0] }
        },
        row("figshare_url", "Figshare site whose article URLs are recognised (default https://figshare.com).") {
            $0.figshareUrl.map { [$0] }
        },
        row("figshare_api_url", "Figshare API (default https://api.figshare.com/v2).") { $0.figshareApiUrl.map { [$0] } },
        row(
            "dataverse_installations_url",
            "JSON list of Dataverse installations, loaded only for Dataverse-shaped inputs (also $R2D_DATAVERSE_INSTALLATIONS_URL)."
        ) { $0.dataverseInstallationsUrl.map { [$0] } },
        row("hydroshare_url", "HydroShare site (default https://www.hydroshare.org).") { $0.hydroshareUrl.map { [$0] } },
        row(
            "swh_api_url", "Software Heritage API (default https://archive.softwareheritage.org/api/1); the token is the swh_token setting."
        ) { $0.swhApiUrl.map { [$0] } },
        row("hg_program", "Mercurial program (default hg on PATH).", valueName: "path") { $0.hgProgram.map { [$0] } },
        row("fetch_timeout", "Seconds an API call may take, and a download may stay silent (default 120).", valueName: "seconds") {
            $0.fetchTimeout.map { [$0] }
        },
        row(
            "connect_timeout",
            "Seconds to resolve and connect to a data repository, DOI resolver or registry, for all attempts (default 10).",
            valueName: "seconds"
        ) { $0.connectTimeout.map { [$0] } },
        row("invenio_url", "Another InvenioRDM site with Zenodo's API (repeat).", form: .repeatable) {
            $0.invenioUrl.isEmpty ? nil : $0.invenioUrl
        },
        row("dataverse_url", "A Dataverse installation known without the list (repeat).", form: .repeatable) {
            $0.dataverseUrl.isEmpty ? nil : $0.dataverseUrl
        },
        // A token has no flag: flags show in process listings.
        Setting(flag: nil, traits: [.repo2docker("swh_token")], apply: apply("swh_token")),
    ]

    /// The row of one trait (for `ContentProviderFlags`' declarations).
    static func named(_ trait: String) -> Setting { Settings.row(.repo2docker(trait), in: all) }

    static func row(
        _ trait: String, _ help: String, form: Setting.Form = .option, valueName: String = "url",
        read: @escaping @Sendable (ContentProviderFlags) -> [String]?
    ) -> Setting {
        Setting(
            flag: trait.replacingOccurrences(of: "_", with: "-"), form: form, traits: [.repo2docker(trait)], help: help,
            valueName: valueName, read: { read($0.providers) }, apply: apply(trait))
    }

    static func apply(_ trait: String) -> Setting.Apply {
        { value, request, _ in
            do {
                for item in value.values { try request.contentProviders.set(trait: trait, value: item) }
            } catch {
                if value.origin == .trait { throw value.invalid("a positive number of seconds") }
                throw CommandLineFailure(description: "\(error)", exitCode: 2)
            }
        }
    }
}
