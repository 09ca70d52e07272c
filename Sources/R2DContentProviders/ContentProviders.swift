import Foundation
import R2DArchive

/// An input a provider recognised, ready to fetch.
public protocol DetectedSource: Sendable {
    /// The provider's name as repo2docker logs it ("Zenodo", "Mercurial", …).
    var providerName: String { get }
    /// Fetches the content into the existing, empty `directory`; returns the content id that names the image.
    func fetch(into directory: String, session: ProviderSession) async throws -> String
}

/// One of repo2docker's content providers for data repositories and Mercurial.
public protocol ContentProvider: Sendable {
    /// The detected source, or nil when the input is not this provider's. Makes network calls only for
    /// inputs that can belong to the provider.
    func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)?
}

/// repo2docker's provider order between Local (first) and Git (last), which swift-r2d's core handles.
public enum ContentProviders {
    /// Zenodo, Figshare, Dataverse, HydroShare, Software Heritage, CKAN, Mercurial.
    public static let ordered: [any ContentProvider] = [
        ZenodoProvider(), FigshareProvider(), DataverseProvider(), HydroShareProvider(), SoftwareHeritageProvider(),
        CKANProvider(), MercurialProvider(),
    ]

    /// The first provider that recognises `input`, or nil (the input is then a local directory or git).
    public static func detect(_ input: String, ref: String?, session: ProviderSession) async throws -> (any DetectedSource)? {
        for provider in ordered {
            if let source = try await provider.detect(input, ref: ref, session: session) { return source }
        }
        return nil
    }
}

/// Helpers shared by the providers that download files (repo2docker's `fetch_file`).
enum FileFetch {
    /// Downloads `url` to `directory/name`; with `unzip`, a zip is extracted in place of the file and a single
    /// top-level directory is flattened.
    static func fetch(
        url: String, name: String, into directory: String, unzip: Bool, input: String,
        session: ProviderSession, headers: [(String, String)] = []
    ) async throws {
        let components = try safeRelativePath(name, input: input)
        let path = directory + "/" + components
        session.log("Fetching file: \(name)\n")
        try await session.download(url, to: path, headers: headers, input: input)
        guard unzip, isZip(path) else { return }
        session.log("Extracting \(name)\n")
        try await extract(path, into: directory, input: input, session: session)
        try? FileManager.default.removeItem(atPath: path)
        // The zip may have lived in a subdirectory it created; remove it when it is now empty.
        let parent = (path as NSString).deletingLastPathComponent
        if parent != directory, (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: parent)
        }
        try flattenSingleDirectory(directory)
    }

    /// A downloaded file's name may come from the service: it must stay inside the output directory.
    static func safeRelativePath(_ name: String, input: String) throws -> String {
        let parts = name.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !name.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else {
            throw ProviderError.archive(
                input: input, message: "the service names a file \(name) outside the output directory; refusing it.")
        }
        return parts.joined(separator: "/")
    }

    static func isZip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x50, 0x4B, 0x03, 0x04]) || magic == Data([0x50, 0x4B, 0x05, 0x06])
    }

    /// libarchive extraction with the path, link and size checks, on a thread of its own (it blocks on the
    /// disk); refusals become provider errors.
    static func extract(_ archive: String, into directory: String, input: String, session: ProviderSession) async throws {
        var capped = session.settings.extractionLimits
        // --max-repo-size holds the expanded files too (the archive itself is removed afterwards).
        if let cap = session.budget.limit { capped.maximumBytes = min(capped.maximumBytes, cap) }
        let limits = capped
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                DispatchQueue.global().async {
                    continuation.resume(
                        with: Result {
                            _ = try ArchiveExtractor.extract(archiveAt: archive, into: directory, limits: limits)
                        })
                }
            }
        } catch let error as ExtractionRefusal {
            if case .tooLarge(_, let limit) = error, let cap = session.budget.limit, limit == cap {
                throw ProviderError.contentTooLarge(input: input, size: cap, limit: cap, how: .extracted)
            }
            throw ProviderError.archive(input: input, message: error.description)
        } catch {
            throw ProviderError.archive(input: input, message: "\(error)")
        }
    }

    /// When `directory` holds exactly one entry and it is a directory, moves that directory's contents up.
    static func flattenSingleDirectory(_ directory: String) throws {
        let manager = FileManager.default
        let entries = try manager.contentsOfDirectory(atPath: directory)
        guard entries.count == 1 else { return }
        let only = directory + "/" + entries[0]
        var isDirectory: ObjCBool = false
        let attributes = try? manager.attributesOfItem(atPath: only)
        guard attributes?[.type] as? FileAttributeType == .typeDirectory,
            manager.fileExists(atPath: only, isDirectory: &isDirectory), isDirectory.boolValue
        else { return }
        try moveContents(of: only, to: directory)
    }

    /// Moves every entry of `source` into `destination` and removes `source` (renamed first, so an entry
    /// with the source's own name can move up).
    static func moveContents(of source: String, to destination: String) throws {
        let manager = FileManager.default
        let staging = destination + "/.r2d-staging-\(UInt32.random(in: 0...UInt32.max))"
        try manager.moveItem(atPath: source, toPath: staging)
        for name in try manager.contentsOfDirectory(atPath: staging) {
            try manager.moveItem(atPath: staging + "/" + name, toPath: destination + "/" + name)
        }
        try manager.removeItem(atPath: staging)
    }
}

/// URL helpers shared by the detectors.
enum URLParts {
    /// Both the http and https forms of `base + path`.
    static func prefixes(_ base: String, _ paths: [String]) -> [String] {
        var roots = [base]
        if base.hasPrefix("https://") { roots.append("http://" + base.dropFirst("https://".count)) }
        if base.hasPrefix("http://") { roots.append("https://" + base.dropFirst("http://".count)) }
        return roots.flatMap { root in paths.map { root + $0 } }
    }

    /// The last non-empty path segment of a URL.
    static func lastSegment(_ url: String) -> String? {
        let path = URLComponents(string: url)?.path ?? url
        return path.split(separator: "/").last.map(String.init)
    }

    /// Seconds since the epoch of a UTC timestamp `YYYY-MM-DDTHH:MM:SS`, ignoring any fraction or zone suffix.
    static func epoch(_ timestamp: String) -> Int64? {
        let core = String(timestamp.prefix(19))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: core).map { Int64($0.timeIntervalSince1970) }
    }
}
