import Foundation

/// Zenodo and other Invenio hosts: records by URL or DOI; the content id is the record id.
public struct ZenodoProvider: ContentProvider {
    /// One Invenio site and where its API keeps the file list.
    struct Host: Sendable {
        var prefixes: [String]
        var api: String
        /// Dotted path of a link to fetch for the file list, or nil when the record holds it.
        var filesLink: String?
        var fileList: String
        var nameKey: String
        var downloadKey: String
    }

    public init() {}

    static func hosts(_ settings: ProviderSettings) -> [Host] {
        func zenodoShaped(_ base: String) -> Host {
            Host(
                prefixes: URLParts.prefixes(base, ["/record/", "/records/", "/doi/"]), api: base + "/api/records/",
                filesLink: "links.files", fileList: "entries", nameKey: "key", downloadKey: "links.content")
        }
        return [zenodoShaped("https://sandbox.zenodo.org"), zenodoShaped(settings.zenodoURL)]
            + settings.invenioURLs.map(zenodoShaped)
            + [
                Host(
                    prefixes: URLParts.prefixes("https://data.caltech.edu", ["/records/"]),
                    api: "https://data.caltech.edu/api/record/", filesLink: nil,
                    fileList: "metadata.electronic_location_and_access", nameKey: "electronic_name.0",
                    downloadKey: "uniform_resource_identifier")
            ]
    }

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        let hosts = Self.hosts(session.settings)
        // Only a DOI or a URL of a known host can be a record: nothing else touches the network.
        guard DOI.isDOI(input) || hosts.contains(where: { host in host.prefixes.contains(where: { input.hasPrefix($0) }) }) else {
            return nil
        }
        let url = try await session.resolveDOI(input)
        guard let host = hosts.first(where: { host in host.prefixes.contains(where: { url.hasPrefix($0) }) }),
            var record = URLParts.lastSegment(url)
        else { return nil }
        if record.hasPrefix("zenodo.") { record.removeFirst("zenodo.".count) }
        return Source(input: input, record: record, host: host)
    }

    struct Source: DetectedSource {
        let input: String
        let record: String
        let host: Host
        var providerName: String { "Zenodo" }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            session.log("Fetching Zenodo record \(record).\n")
            let recordURL = host.api + record
            var container = try await session.json(recordURL, input: input)
            if let link = host.filesLink {
                guard let filesURL = container[path: link]?.text else {
                    throw ProviderError.unexpectedResponse(url: recordURL, what: "no \(link)", input: input)
                }
                container = try await session.json(filesURL, input: input)
            }
            let files = container[path: host.fileList]?.array ?? []
            // repo2docker unzips only when the record is a single file.
            let unzip = files.count == 1
            try session.budget.admit(announced: files.map { $0["size"]?.integer }, input: input)
            for file in files {
                guard let name = file[path: host.nameKey]?.text, let url = file[path: host.downloadKey]?.text else {
                    throw ProviderError.unexpectedResponse(
                        url: recordURL, what: "a file without \(host.nameKey) or \(host.downloadKey)", input: input)
                }
                try await FileFetch.fetch(url: url, name: name, into: directory, unzip: unzip, input: input, session: session)
            }
            return record
        }
    }
}
