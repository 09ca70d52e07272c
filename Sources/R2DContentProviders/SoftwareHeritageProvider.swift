import Foundation

/// Software Heritage directories and revisions by SWHID; the content id is `swh:1:dir:<directory hash>`.
public struct SoftwareHeritageProvider: ContentProvider {
    static let pattern = #"^swh:(\d+):(ori|cnt|rev|dir|snp|rel):([0-9a-f]{40})$"#

    public init() {}

    /// The object type and hash of a version-1 `dir` or `rev` SWHID (qualifiers after `;` ignored).
    static func parse(_ input: String) -> (type: String, hash: String)? {
        let core = String(input.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: core, range: NSRange(core.startIndex..., in: core)),
            let version = Range(match.range(at: 1), in: core), let type = Range(match.range(at: 2), in: core),
            let hash = Range(match.range(at: 3), in: core)
        else { return nil }
        guard core[version] == "1", ["dir", "rev"].contains(String(core[type])) else { return nil }
        return (String(core[type]), String(core[hash]))
    }

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        guard let parsed = Self.parse(input) else { return nil }
        return Source(input: input, type: parsed.type, hash: parsed.hash)
    }

    struct Source: DetectedSource {
        let input: String
        let type: String
        let hash: String
        var providerName: String { "Swhid" }

        static func origin(_ url: String) -> String? {
            guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
                return nil
            }
            return "\(scheme)://\(host):\(components.port ?? (scheme == "https" ? 443 : 80))"
        }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            let settings = session.settings
            // The token authenticates every call; it is sent as a header and never logged.
            let headers = settings.swhToken.map { [("Authorization", "Bearer \($0)")] } ?? []
            func api(_ path: String) -> String { settings.swhAPIURL + path }
            var directoryHash = hash
            if type == "rev" {
                let revision = try await session.json(api("/revision/\(hash)/"), headers: headers, input: input)
                guard let resolved = revision["directory"]?.text else {
                    throw ProviderError.unexpectedResponse(url: api("/revision/\(hash)/"), what: "no directory", input: input)
                }
                directoryHash = resolved
            }
            let swhid = "swh:1:dir:\(directoryHash)"
            session.log("Fetching \(swhid) from Software Heritage.\n")
            let vault = api("/vault/directory/\(directoryHash)/")
            let posted = try await session.send(vault, method: .POST, headers: [("Accept", "application/json")] + headers, input: input)
            guard posted.status == 200 || posted.status == 201 || posted.status == 202 else {
                throw ProviderError.httpStatus(url: vault, status: posted.status, input: input)
            }
            var status = try session.decode(posted, url: vault, input: input)
            let started = Date()
            while status["status"]?.text != "done" {
                if status["status"]?.text == "failed" {
                    throw ProviderError.swhCookingFailed(swhid: swhid, reason: status["progress_message"]?.text ?? "cooking failed")
                }
                if Date().timeIntervalSince(started) > settings.swhTimeLimitSeconds {
                    throw ProviderError.swhTimeout(swhid: swhid, seconds: Int(settings.swhTimeLimitSeconds))
                }
                session.log("Software Heritage is preparing \(swhid) (\(status["status"]?.text ?? "unknown")).\n")
                try await Task.sleep(for: .seconds(settings.swhPollSeconds))
                status = try await session.json(vault, headers: headers, input: input)
            }
            guard let fetchURL = status["fetch_url"]?.text else {
                throw ProviderError.unexpectedResponse(url: vault, what: "no fetch_url", input: input)
            }
            let tarball = directory + "/.r2d-swh-\(directoryHash).tar.gz"
            // The token is for Software Heritage only: a fetch_url elsewhere gets none.
            let sameOrigin = Self.origin(fetchURL) == Self.origin(settings.swhAPIURL)
            try await session.download(fetchURL, to: tarball, headers: sameOrigin ? headers : [], input: input)
            let staging = directory + "/.r2d-swh-extract"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try await FileFetch.extract(tarball, into: staging, input: input, session: session)
            try? FileManager.default.removeItem(atPath: tarball)
            // The tarball holds one directory named by the hash.
            let root = staging + "/" + directoryHash
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ProviderError.unexpectedResponse(url: fetchURL, what: "the tarball has no \(directoryHash)/ directory", input: input)
            }
            try FileFetch.moveContents(of: root, to: directory)
            try FileManager.default.removeItem(atPath: staging)
            return swhid
        }
    }
}
