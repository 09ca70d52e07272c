import ArgumentParser
import R2DContentProviders

/// `--zenodo-url`, `--swh-api-url`, …: where the content providers fetch from (Docs/content-providers.md).
/// Each is also accepted as `--Repo2Docker.<snake_name>=`.
struct ContentProviderFlags: ParsableArguments {
    @Option(help: ArgumentHelp("DOI resolver; DOIs resolve through <url>/api/handles/ (default https://doi.org).", valueName: "url"))
    var doiResolverUrl: String?

    @Option(help: ArgumentHelp("Zenodo site; records are read from <url>/api/records/ (default https://zenodo.org).", valueName: "url"))
    var zenodoUrl: String?

    @Option(help: ArgumentHelp("Another InvenioRDM site with Zenodo's API (repeat).", valueName: "url"))
    var invenioUrl: [String] = []

    @Option(help: ArgumentHelp("Figshare site whose article URLs are recognised (default https://figshare.com).", valueName: "url"))
    var figshareUrl: String?

    @Option(help: ArgumentHelp("Figshare API (default https://api.figshare.com/v2).", valueName: "url"))
    var figshareApiUrl: String?

    @Option(help: ArgumentHelp("JSON list of Dataverse installations, loaded only for Dataverse-shaped inputs (also $R2D_DATAVERSE_INSTALLATIONS_URL).", valueName: "url"))
    var dataverseInstallationsUrl: String?

    @Option(help: ArgumentHelp("A Dataverse installation known without the list (repeat).", valueName: "url"))
    var dataverseUrl: [String] = []

    @Option(help: ArgumentHelp("HydroShare site (default https://www.hydroshare.org).", valueName: "url"))
    var hydroshareUrl: String?

    @Option(help: ArgumentHelp("Software Heritage API (default https://archive.softwareheritage.org/api/1); the token is the swh_token setting.", valueName: "url"))
    var swhApiUrl: String?

    @Option(help: ArgumentHelp("Mercurial program (default hg on PATH).", valueName: "path"))
    var hgProgram: String?

    @Option(help: ArgumentHelp("Seconds an API call may take, and a download may stay silent (default 120).", valueName: "seconds"))
    var fetchTimeout: String?

    /// The flags that take a value, for ArgumentSplitter.
    static let valueOptions: Set<String> = Set(ProviderSettings.traits.filter { !$0.flag.isEmpty }.map { "--" + $0.flag })

    /// Applies the flags given on top of `settings` (which may already hold trait settings).
    func apply(to settings: inout ProviderSettings) throws {
        let values: [(String, String?)] = [
            ("doi_resolver_url", doiResolverUrl), ("zenodo_url", zenodoUrl), ("figshare_url", figshareUrl),
            ("figshare_api_url", figshareApiUrl), ("dataverse_installations_url", dataverseInstallationsUrl),
            ("hydroshare_url", hydroshareUrl), ("swh_api_url", swhApiUrl), ("hg_program", hgProgram),
            ("fetch_timeout", fetchTimeout),
        ]
        for (trait, value) in values { if let value { try settings.set(trait: trait, value: value) } }
        for url in invenioUrl { try settings.set(trait: "invenio_url", value: url) }
        for url in dataverseUrl { try settings.set(trait: "dataverse_url", value: url) }
    }
}
