import ArgumentParser

/// `--zenodo-url`, `--swh-api-url`, …: the content-provider flags, grouped under their own heading in `--help`.
/// Names and help come from `ProviderFlagSettings`; the rows apply the values.
struct ContentProviderFlags: ParsableArguments {
    static func row(_ trait: String) -> Setting { ProviderFlagSettings.named(trait) }

    @Option(name: row("doi_resolver_url").names, help: row("doi_resolver_url").argumentHelp) var doiResolverUrl: String?
    @Option(name: row("zenodo_url").names, help: row("zenodo_url").argumentHelp) var zenodoUrl: String?
    @Option(name: row("invenio_url").names, help: row("invenio_url").argumentHelp) var invenioUrl: [String] = []
    @Option(name: row("figshare_url").names, help: row("figshare_url").argumentHelp) var figshareUrl: String?
    @Option(name: row("figshare_api_url").names, help: row("figshare_api_url").argumentHelp) var figshareApiUrl: String?
    @Option(name: row("dataverse_installations_url").names, help: row("dataverse_installations_url").argumentHelp)
    var dataverseInstallationsUrl: String?
    @Option(name: row("dataverse_url").names, help: row("dataverse_url").argumentHelp) var dataverseUrl: [String] = []
    @Option(name: row("hydroshare_url").names, help: row("hydroshare_url").argumentHelp) var hydroshareUrl: String?
    @Option(name: row("swh_api_url").names, help: row("swh_api_url").argumentHelp) var swhApiUrl: String?
    @Option(name: row("hg_program").names, help: row("hg_program").argumentHelp) var hgProgram: String?
    @Option(name: row("fetch_timeout").names, help: row("fetch_timeout").argumentHelp) var fetchTimeout: String?
    @Option(name: row("connect_timeout").names, help: row("connect_timeout").argumentHelp) var connectTimeout: String?
}
