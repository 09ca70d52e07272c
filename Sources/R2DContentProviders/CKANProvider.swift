import Foundation

/// CKAN datasets (any site) by URL; the content id is `<dataset>.v<epoch of last modification>`.
public struct CKANProvider: ContentProvider {
    public init() {}

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        guard let components = URLComponents(string: input), let scheme = components.scheme, let host = components.host,
            let range = components.path.range(of: "/dataset/")
        else { return nil }
        let prefix = String(components.path[..<range.lowerBound])
        let rest = components.path[range.upperBound...].split(separator: "/").map(String.init)
        guard let dataset = rest.first else { return nil }
        let api = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "") + prefix + "/api/3/action/"
        // Any site can run CKAN: an input with /dataset/ is one only when its API answers.
        guard let status = try? await session.send(api + "status_show", headers: [("Accept", "application/json")], input: input),
            status.status == 200
        else { return nil }
        var activity: String?
        if let index = rest.firstIndex(of: "history"), index + 1 < rest.count { activity = rest[index + 1] }
        if activity == nil { activity = components.queryItems?.first { $0.name == "activity_id" }?.value }
        let packageURL = api + "package_show?id=\(dataset)"
        let package = try await session.json(packageURL, input: input)
        guard let modified = package[path: "result.metadata_modified"]?.text, let epoch = URLParts.epoch(modified) else {
            throw ProviderError.unexpectedResponse(url: packageURL, what: "no result.metadata_modified", input: input)
        }
        return Source(input: input, dataset: dataset, activity: activity, api: api, version: epoch)
    }

    struct Source: DetectedSource {
        let input: String
        let dataset: String
        let activity: String?
        let api: String
        let version: Int64
        var providerName: String { "CKAN" }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            let url = activity.map { api + "activity_data_show?id=\($0)&object_type=package" } ?? api + "package_show?id=\(dataset)"
            session.log("Fetching CKAN dataset \(dataset)" + (activity.map { " at activity \($0)" } ?? "") + ".\n")
            let document = try await session.json(url, input: input)
            for resource in document[path: "result.resources"]?.array ?? [] {
                guard let link = resource["url"]?.text, !link.isEmpty else { continue }
                let name = URLParts.lastSegment(link).flatMap { link.hasSuffix("/") ? nil : $0 } ?? resource["id"]?.text ?? "resource"
                try await FileFetch.fetch(url: link, name: name, into: directory, unzip: false, input: input, session: session)
            }
            return "\(dataset).v\(version)"
        }
    }
}
