import Foundation
import R2DContentProviders

/// The content providers between Local and Git (Zenodo, Figshare, Dataverse, HydroShare, Software Heritage,
/// CKAN, Mercurial): the first that recognises the input fetches it into a temporary directory.
enum ProviderFetch {
    /// The fetched content, or nil when the input is a local directory or none of these providers' (git then).
    static func fetch(_ request: BuildRequest, reporter: Reporter) async throws -> FetchedContent? {
        if directoryExists(request.repo) { return nil }
        var settings = request.contentProviders
        // repo2docker's environment variable for the installations list, unless a setting chose one.
        if settings.dataverseInstallationsURL == ProviderSettings().dataverseInstallationsURL,
           let url = request.processEnvironment["R2D_DATAVERSE_INSTALLATIONS_URL"], !url.isEmpty {
            settings.dataverseInstallationsURL = url
        }
        let session = ProviderSession(settings: settings) { reporter.log($0, phase: .fetching) }
        do {
            let content = try await fetch(request, session: session, reporter: reporter)
            await session.shutdown()
            return content
        } catch {
            await session.shutdown()
            throw error
        }
    }

    private static func fetch(_ request: BuildRequest, session: ProviderSession, reporter: Reporter) async throws -> FetchedContent? {
        guard let source = try await ContentProviders.detect(request.repo, ref: request.ref, session: session) else { return nil }
        reporter.log("Picked \(source.providerName) content provider.\n")
        let temporary = try ContentFetcher.makeTemporaryDirectory()
        let checkout = temporary + "/checkout"
        do {
            try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
            let contentID = try await source.fetch(into: checkout, session: session)
            reporter.log("Fetched \(request.repo): content id \(contentID)\n", phase: .fetching)
            return FetchedContent(path: checkout, isLocal: false, temporaryDirectory: temporary,
                                  commit: nil, commitTime: nil, contentID: contentID)
        } catch {
            // A failed fetch is useless even with --no-clean: leave nothing behind.
            try? FileManager.default.removeItem(atPath: temporary)
            reporter.log("Failed to fetch \(request.repo)\n", phase: .failed)
            throw error
        }
    }

    /// The image tag for a content id: the id itself, with each character a tag cannot hold (`:`, `/`, …)
    /// replaced by `-`, shortened with a hash suffix past Docker's 128 characters.
    static func imageTag(_ contentID: String) -> String {
        var tag = String(contentID.unicodeScalars.map { scalar -> Character in
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_.-".unicodeScalars.contains(scalar))
            return allowed ? Character(scalar) : "-"
        })
        if tag.first == "." || tag.first == "-" { tag = "_" + String(tag.dropFirst()) }
        guard tag.count > 128 else { return tag }
        return String(tag.prefix(121)) + "-" + String(Digest.sha256Hex(Array(contentID.utf8)).prefix(6))
    }
}
