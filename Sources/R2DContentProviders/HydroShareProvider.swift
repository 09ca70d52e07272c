import Foundation

/// HydroShare resources by URL or DOI; the content id is `<resource>.v<epoch of last modification>`.
public struct HydroShareProvider: ContentProvider {
    public init() {}

    /// `<site>/resource/` with and without `www.`, over http and https.
    static func prefixes(_ site: String) -> [String] {
        var bases = [site]
        if let range = site.range(of: "://www.") {
            bases.append(site.replacingCharacters(in: range, with: "://"))
        } else if let range = site.range(of: "://") {
            bases.append(site.replacingCharacters(in: range, with: "://www."))
        }
        return bases.flatMap { URLParts.prefixes($0, ["/resource/"]) }
    }

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        let prefixes = Self.prefixes(session.settings.hydroshareURL)
        guard DOI.isDOI(input) || prefixes.contains(where: { input.hasPrefix($0) }) else { return nil }
        let url = try await session.resolveDOI(input)
        guard prefixes.contains(where: { url.hasPrefix($0) }), let resource = URLParts.lastSegment(url) else { return nil }
        // The version is the last modification time, which repo2docker reads while detecting.
        let metadataURL = session.settings.hydroshareURL + "/hsapi/resource/\(resource)/scimeta/elements"
        let metadata = try await session.json(metadataURL, input: input)
        guard let modified = metadata["dates"]?.array.first(where: { $0["type"]?.text == "modified" })?["start_date"]?.text,
            let epoch = URLParts.epoch(modified)
        else {
            throw ProviderError.unexpectedResponse(url: metadataURL, what: "no modification date", input: input)
        }
        return Source(input: input, resource: resource, version: epoch)
    }

    struct Source: DetectedSource {
        let input: String
        let resource: String
        let version: Int64
        var providerName: String { "Hydroshare" }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            let settings = session.settings
            let bagURL = settings.hydroshareURL + "/django_s3/download/bags/\(resource).zip"
            let zip = directory + "/.r2d-hydroshare-\(resource).zip"
            let started = Date()
            session.log("Downloading HydroShare resource \(resource).\n")
            // HydroShare answers the bag URL with a waiting page until the bag is ready, then redirects to the
            // file itself (an installation serving the zip directly is ready too).
            while true {
                let ready = try await session.download(bagURL, to: zip, input: input) { finalURL, contentType in
                    (finalURL != bagURL && finalURL.hasSuffix("/bags/\(resource).zip")) || contentType.hasPrefix("application/zip")
                }
                if ready { break }
                if Date().timeIntervalSince(started) + settings.hydrosharePollSeconds > settings.hydroshareTimeLimitSeconds {
                    throw ProviderError.hydroshareTimeout(resource: resource, seconds: Int(settings.hydroshareTimeLimitSeconds))
                }
                session.log("Bag for \(resource) is being prepared; waiting \(Int(settings.hydrosharePollSeconds)) s.\n")
                try await Task.sleep(for: .seconds(settings.hydrosharePollSeconds))
            }
            // Extract inside the output directory (repo2docker uses ./temp in the working directory).
            let staging = directory + "/.r2d-hydroshare-bag"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try await FileFetch.extract(zip, into: staging, input: input, session: session)
            try? FileManager.default.removeItem(atPath: zip)
            let contents = staging + "/\(resource)/data/contents"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: contents, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ProviderError.unexpectedResponse(url: bagURL, what: "the bag has no \(resource)/data/contents", input: input)
            }
            try FileFetch.moveContents(of: contents, to: directory)
            try FileManager.default.removeItem(atPath: staging)
            return "\(resource).v\(version)"
        }
    }
}
