import Foundation

/// Figshare articles by URL or DOI; the content id is `<article>.v<version>`.
public struct FigshareProvider: ContentProvider {
    static let articlePattern = #"(.*)/articles/(code/|dataset/|software/)?([^/]+)/(\d+)(/)?(\d+)?"#

    public init() {}

    public func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        let prefixes = URLParts.prefixes(session.settings.figshareURL, ["/articles/", "/account/articles/"])
        guard DOI.isDOI(input) || prefixes.contains(where: { input.hasPrefix($0) }) else { return nil }
        let url = try await session.resolveDOI(input)
        guard prefixes.contains(where: { url.hasPrefix($0) }), let parsed = Self.parse(url) else { return nil }
        return Source(input: input, article: parsed.article, version: parsed.version)
    }

    /// The article id and version (default "1") of an article URL.
    static func parse(_ url: String) -> (article: String, version: String)? {
        guard let regex = try? NSRegularExpression(pattern: articlePattern),
            let match = regex.firstMatch(in: url, range: NSRange(url.startIndex..., in: url)),
            let article = Range(match.range(at: 4), in: url)
        else { return nil }
        let version = Range(match.range(at: 6), in: url).map { String(url[$0]) } ?? "1"
        return (String(url[article]), version)
    }

    struct Source: DetectedSource {
        let input: String
        let article: String
        let version: String
        var providerName: String { "Figshare" }

        func fetch(into directory: String, session: ProviderSession) async throws -> String {
            session.log("Fetching Figshare article \(article) in version \(version).\n")
            let url = session.settings.figshareAPIURL + "/articles/\(article)/versions/\(version)"
            let document = try await session.json(url, input: input)
            let files = (document["files"]?.array ?? []).filter { !($0["is_link_only"]?.bool ?? false) }
            let unzip = files.count == 1 && (files.first?["name"]?.text ?? "").hasSuffix(".zip")
            try session.budget.admit(announced: files.map { $0["size"]?.integer }, input: input)
            for file in files {
                guard let name = file["name"]?.text, let download = file["download_url"]?.text else {
                    throw ProviderError.unexpectedResponse(url: url, what: "a file without name or download_url", input: input)
                }
                try await FileFetch.fetch(url: download, name: name, into: directory, unzip: unzip, input: input, session: session)
            }
            return "\(article).v\(version)"
        }
    }
}
