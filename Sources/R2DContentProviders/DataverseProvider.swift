import Foundation

/// Dataverse datasets by DOI or URL; the content id is the dataset's persistent id.
public struct DataverseProvider: ContentProvider {
    public init() {}

    /// The four URL shapes that address a Dataverse dataset or file.
    enum Shape: Equatable {
        case citation(String), dataset(String), datafile(String), file(String)
    }

    static func shape(of url: String) -> Shape? {
        guard let components = URLComponents(string: url) else { return nil }
        let path = components.path
        let persistentID = components.queryItems?.first { $0.name == "persistentId" }?.value
        if path.hasPrefix("/api/access/datafile/"), let id = path.split(separator: "/").last, id != "datafile" {
            return .datafile(String(id))
        }
        guard let persistentID, !persistentID.isEmpty else { return nil }
        switch path {
        case "/citation": return .citation(persistentID)
        case "/dataset.xhtml": return .dataset(persistentID)
        case "/file.xhtml": return .file(persistentID)
        default: return nil
        }
    }

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        // Only DOIs and URLs shaped like Dataverse's can be Dataverse: only those load the installations list.
        guard DOI.isDOI(input) || Self.shape(of: input) != nil else { return nil }
        let url = try await session.resolveDOI(input)
        guard Self.shape(of: url) != nil, let host = URLComponents(string: url)?.host else { return nil }
        guard try await session.isDataverseHost(host, input: input) else { return nil }
        return Source(input: input, url: url)
    }

    struct Source: DetectedSource {
        let input: String
        let url: String
        var providerName: String { "Dataverse" }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host,
                let shape = DataverseProvider.shape(of: url)
            else {
                throw ProviderError.unsupportedDataverseURL(url: url)
            }
            let base = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
            var persistentID: String
            var ambiguous = false
            switch shape {
            case .citation(let id): persistentID = id; ambiguous = true
            case .dataset(let id): persistentID = id
            case .datafile(let id):
                persistentID = try await datasetOfFile(base + "/api/files/\(id)?returnDatasetVersion=true", session)
            case .file(let id):
                persistentID = try await datasetOfFile(
                    base + "/api/files/:persistentId?persistentId=\(Self.escape(id))&returnDatasetVersion=true", session)
            }
            var datasetURL = base + "/api/datasets/:persistentId?persistentId=\(Self.escape(persistentID))"
            var response = try await session.send(datasetURL, headers: [("Accept", "application/json")], input: input)
            if response.status == 404 && ambiguous {
                // A citation URL may name a file rather than a dataset.
                persistentID = try await datasetOfFile(
                    base + "/api/files/:persistentId?persistentId=\(Self.escape(persistentID))&returnDatasetVersion=true", session)
                datasetURL = base + "/api/datasets/:persistentId?persistentId=\(Self.escape(persistentID))"
                response = try await session.send(datasetURL, headers: [("Accept", "application/json")], input: input)
            }
            guard response.status == 200 else { throw ProviderError.httpStatus(url: datasetURL, status: response.status, input: input) }
            let dataset = try session.decode(response, url: datasetURL, input: input)
            session.log("Fetching Dataverse dataset \(persistentID).\n")
            let files = dataset[path: "data.latestVersion.files"]?.array ?? []
            // format=original downloads the uploaded file, whose size Dataverse gives apart from its own copy's.
            try session.budget.admit(
                announced: files.map { ($0[path: "dataFile.originalFileSize"] ?? $0[path: "dataFile.filesize"])?.integer }, input: input)
            for file in files {
                guard let id = file[path: "dataFile.id"]?.text,
                    var name = file[path: "dataFile.originalFileName"]?.text ?? file["label"]?.text
                else {
                    throw ProviderError.unexpectedResponse(url: datasetURL, what: "a file without id or name", input: input)
                }
                if let folder = file["directoryLabel"]?.text, !folder.isEmpty { name = folder + "/" + name }
                try await FileFetch.fetch(
                    url: base + "/api/access/datafile/\(id)?format=original", name: name,
                    into: directory, unzip: false, input: input, session: session)
            }
            // repo2docker means to flatten a single top-level directory but tests it against the working
            // directory; here it is tested where the files are.
            try FileFetch.flattenSingleDirectory(directory)
            return persistentID
        }

        func datasetOfFile(_ url: String, _ session: ProviderSession) async throws -> String {
            let document = try await session.json(url, input: input)
            guard let id = document[path: "data.datasetVersion.datasetPersistentId"]?.text else {
                throw ProviderError.unexpectedResponse(url: url, what: "no data.datasetVersion.datasetPersistentId", input: input)
            }
            return id
        }

        static func escape(_ id: String) -> String {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+")
            return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
        }
    }
}

extension ProviderSession {
    /// Whether `host` is a configured installation or, failing that, on the installations list (downloaded
    /// once, lazily).
    func isDataverseHost(_ host: String, input: String) async throws -> Bool {
        if settings.dataverseURLs.contains(where: { URLComponents(string: $0)?.host == host }) { return true }
        if let known = installations.withLock({ $0 }) { return known.contains(host) }
        let document = try await json(settings.dataverseInstallationsURL, input: input)
        let hosts = Set((document["installations"]?.array ?? []).compactMap { $0["hostname"]?.text })
        installations.withLock { $0 = hosts }
        return hosts.contains(host)
    }
}
