import Foundation

/// DOIs: recognising them and resolving them through the handle API (repo2docker's `doi2url`).
public enum DOI {
    /// `doi:`, `doi.org/`, `dx.doi.org/` (optionally with http/https) and a `10.<digits>(.<digits>)*/…` body.
    static let pattern = #"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d+(?:\.\d+)*/.+)$"#

    /// Whether the input is a DOI.
    public static func isDOI(_ input: String) -> Bool { normalize(input) != nil }

    /// The bare `10.x/y` form of a DOI, or nil when the input is not one.
    public static func normalize(_ input: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
            let match = regex.firstMatch(in: input, range: NSRange(input.startIndex..., in: input)),
            let range = Range(match.range(at: 1), in: input)
        else { return nil }
        return String(input[range])
    }
}

extension ProviderSession {
    /// The URL a DOI points at, or the input unchanged when it is not a DOI or is unknown to the resolver.
    /// Resolved once per session, however many providers ask.
    public func resolveDOI(_ input: String) async throws -> String {
        guard let doi = DOI.normalize(input) else { return input }
        if let cached = doiCache.withLock({ $0[doi] }) { return cached }
        let escaped = doi.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? doi
        let url = settings.doiResolverURL + "/api/handles/" + escaped
        let response = try await send(url, headers: [("Accept", "application/json")], input: input)
        var resolved = input
        switch response.status {
        case 404:
            resolved = input
        case 200:
            let document = try decode(response, url: url, input: input)
            if let value = document["values"]?.array.first(where: { $0["type"]?.text == "URL" }),
                let target = value[path: "data.value"]?.text
            {
                resolved = target
            } else {
                log("DOI \(doi) resolves to no URL; using it as given.\n")
            }
        default:
            throw ProviderError.httpStatus(url: url, status: response.status, input: input)
        }
        doiCache.withLock { $0[doi] = resolved }
        return resolved
    }
}
