import R2DArchive
import R2DHTTP

/// Where the content providers find their services, and the limits of their downloads. Every URL can point at
/// a private installation or a test server (`--zenodo-url`, `--Repo2Docker.zenodo_url=`, …).
public struct ProviderSettings: Sendable, Equatable {
    /// DOI resolver; DOIs are resolved through its handle API at `<url>/api/handles/<doi>`.
    public var doiResolverURL = "https://doi.org"
    /// Zenodo's site; records are read from `<url>/api/records/<id>`.
    public var zenodoURL = "https://zenodo.org"
    /// Further InvenioRDM sites with Zenodo's API shape (sandbox.zenodo.org and data.caltech.edu are built in).
    public var invenioURLs: [String] = []
    /// Figshare's site, whose article URLs are recognised.
    public var figshareURL = "https://figshare.com"
    /// Figshare's API, read at `<url>/articles/<id>/versions/<version>`.
    public var figshareAPIURL = "https://api.figshare.com/v2"
    /// The list of Dataverse installations, downloaded only for inputs shaped like Dataverse URLs.
    public var dataverseInstallationsURL = "https://iqss.github.io/dataverse-installations/data/data.json"
    /// Dataverse installations known without the list (their base URLs).
    public var dataverseURLs: [String] = []
    /// HydroShare's site: resources, their metadata API and their bag downloads.
    public var hydroshareURL = "https://www.hydroshare.org"
    /// Software Heritage's API.
    public var swhAPIURL = "https://archive.softwareheritage.org/api/1"
    /// Bearer token for Software Heritage (never logged).
    public var swhToken: String?
    /// The Mercurial program.
    public var hgProgram = "hg"
    /// Seconds an API call may take, and a download may stay silent, before it fails.
    public var timeoutSeconds: Int64 = 120
    /// Seconds to resolve a server's name and connect to it, for all the attempts of a request together: a name
    /// that does not resolve or a refused connection fails at once, and a connection not made in this time is
    /// not tried again.
    public var connectTimeoutSeconds: Int64 = 10
    /// Attempts per request when the connection breaks mid-transfer or the server answers 502/503/504.
    public var attempts = 3
    /// Seconds between attempts.
    public var retryDelaySeconds: Double = 5
    /// HydroShare prepares a bag before it can be downloaded: poll every this many seconds …
    public var hydrosharePollSeconds: Double = 10
    /// … for at most this long.
    public var hydroshareTimeLimitSeconds: Double = 120
    /// Software Heritage cooks a directory in its vault: poll every this many seconds …
    public var swhPollSeconds: Double = 5
    /// … for at most this long.
    public var swhTimeLimitSeconds: Double = 3600
    /// Limits on what an archive may expand to.
    public var extractionLimits = ExtractionLimits()
    /// The proxies of the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) for every request.
    public var proxies = ProxySettings.direct
    /// `--max-repo-size`: the most bytes one fetch may download (and an archive expand to); nil for no cap.
    public var maximumContentBytes: Int64?

    public init() {}

    /// The setting names `set(trait:value:)` accepts (R2DCommands' settings table gives them their flags).
    public static let traitNames: [String] = [
        "doi_resolver_url", "zenodo_url", "invenio_url", "figshare_url", "figshare_api_url", "dataverse_installations_url",
        "dataverse_url", "hydroshare_url", "swh_api_url", "hg_program", "fetch_timeout", "connect_timeout",
        "swh_token",
    ]

    /// Applies one trait setting; false when the name is not one of ours. Lists (`invenio_url`,
    /// `dataverse_url`) grow by one entry per call.
    @discardableResult
    public mutating func set(trait: String, value: String) throws -> Bool {
        switch trait {
        case "doi_resolver_url": doiResolverURL = Self.trimmed(value)
        case "zenodo_url": zenodoURL = Self.trimmed(value)
        case "invenio_url": invenioURLs.append(Self.trimmed(value))
        case "figshare_url": figshareURL = Self.trimmed(value)
        case "figshare_api_url": figshareAPIURL = Self.trimmed(value)
        case "dataverse_installations_url": dataverseInstallationsURL = value
        case "dataverse_url": dataverseURLs.append(Self.trimmed(value))
        case "hydroshare_url": hydroshareURL = Self.trimmed(value)
        case "swh_api_url": swhAPIURL = Self.trimmed(value)
        case "swh_token": swhToken = value.isEmpty ? nil : value
        case "hg_program": hgProgram = value
        case "fetch_timeout":
            guard let seconds = Int64(value), seconds > 0 else {
                throw ProviderError.invalidSetting(name: trait, value: value, expected: "a positive number of seconds")
            }
            timeoutSeconds = seconds
        case "connect_timeout":
            guard let seconds = Int64(value), seconds > 0 else {
                throw ProviderError.invalidSetting(name: trait, value: value, expected: "a positive number of seconds")
            }
            connectTimeoutSeconds = seconds
        default: return false
        }
        return true
    }

    /// Base URLs are joined with paths, so a trailing slash is dropped.
    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
