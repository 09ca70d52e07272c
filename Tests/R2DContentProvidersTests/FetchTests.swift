import Foundation
import R2DContentProviders
import R2DTestSupport
import Testing

/// Detect and fetch against a loopback server shaped like each service.
@Suite("Fetching from data repositories")
struct FetchTests {
    /// Detects `input` (with `{base}` filled in), fetches it into a fresh workspace and returns the content id.
    func fetch(
        _ input: String, _ services: FakeServices, settings: ProviderSettings? = nil, log: LogLines = LogLines(),
        workspace: Workspace
    ) async throws -> (provider: String, contentID: String) {
        let session = services.session(settings, log: log)
        defer { Task { await session.shutdown() } }
        let resolved = input.replacingOccurrences(of: "{base}", with: services.base)
        let source = try #require(try await ContentProviders.detect(resolved, ref: nil, session: session), "\(resolved) not detected")
        let id = try await source.fetch(into: workspace.out, session: session)
        return (source.providerName, id)
    }

    static let repoZip: [ArchiveEntry] = [
        ArchiveEntry("repo-main/", .directory), .file("repo-main/Dockerfile", "FROM scratch\n"), .file("repo-main/data/a.csv", "1,2\n"),
    ]

    @Test("Zenodo: a single zip is extracted and its one directory flattened; the content id is the record")
    func zenodoSingleZip() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.json("/api/records/3242074", #"{"id":3242074,"links":{"files":"{base}/api/records/3242074/files"}}"#)
        services.json(
            "/api/records/3242074/files",
            #"{"entries":[{"key":"repo.zip","links":{"content":"{base}/api/records/3242074/files/repo.zip/content"}}]}"#)
        services.file("/api/records/3242074/files/repo.zip/content", try TestArchives.bytes(Self.repoZip, format: .zip))
        services.json("/doi/api/handles/10.5281/zenodo.3242074", #"{"values":[{"type":"URL","data":{"value":"{base}/records/3242074"}}]}"#)

        for input in ["{base}/records/3242074", "10.5281/zenodo.3242074", "{base}/doi/10.5281/zenodo.3242074"] {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let result = try await fetch(input, services, workspace: workspace)
            #expect(result == ("Zenodo", "3242074"), "\(input)")
            #expect(workspace.listing() == ["Dockerfile", "data", "data/a.csv"], "\(input)")
        }
        let accept = services.server.requests.first { $0.path == "/api/records/3242074" }?.header("Accept")
        #expect(accept == "application/json")
    }

    @Test("Zenodo: several files are downloaded as they are, zips included")
    func zenodoSeveralFiles() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.json("/api/records/7", #"{"links":{"files":"{base}/api/records/7/files"}}"#)
        services.json(
            "/api/records/7/files",
            #"{"entries":[{"key":"repo.zip","links":{"content":"{base}/f/repo.zip"}},{"key":"notes.txt","links":{"content":"{base}/f/notes.txt"}}]}"#
        )
        services.file("/f/repo.zip", try TestArchives.bytes(Self.repoZip, format: .zip))
        services.file("/f/notes.txt", Array("notes".utf8))
        let result = try await fetch("{base}/record/7", services, workspace: workspace)
        #expect(result.contentID == "7")
        #expect(workspace.listing() == ["notes.txt", "repo.zip"])
    }

    @Test("Figshare: link-only files are skipped, a single zip is extracted; content id <article>.v<version>")
    func figshare() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.json(
            "/figshare-api/v2/articles/9782777/versions/2",
            #"{"files":[{"name":"binder.zip","download_url":"{base}/ndownloader/files/1","is_link_only":false},{"name":"elsewhere","download_url":"https://example.invalid/x","is_link_only":true}]}"#
        )
        services.file("/ndownloader/files/1", try TestArchives.bytes(Self.repoZip, format: .zip))
        let result = try await fetch("{base}/articles/code/Binder-ready/9782777/2", services, workspace: workspace)
        #expect(result == ("Figshare", "9782777.v2"))
        #expect(workspace.listing() == ["Dockerfile", "data", "data/a.csv"])
        #expect(!services.received.contains { $0.contains("example.invalid") })
    }

    @Test("Figshare: a single file that is not .zip is kept; the version defaults to 1")
    func figshareSingleFile() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.json(
            "/figshare-api/v2/articles/5/versions/1",
            #"{"files":[{"name":"environment.yml","download_url":"{base}/d/1","is_link_only":false}]}"#)
        services.file("/d/1", Array("dependencies: []\n".utf8))
        let result = try await fetch("{base}/articles/dataset/x/5", services, workspace: workspace)
        #expect(result.contentID == "5.v1")
        #expect(workspace.listing() == ["environment.yml"])
    }

    func dataverse(_ services: FakeServices) {
        services.json("/installations.json", #"{"installations":[{"name":"Test","hostname":"127.0.0.1"}]}"#)
        services.json(
            "/api/datasets/:persistentId?persistentId=doi:10.7910/DVN/TJCLKP",
            #"""
            {"data":{"latestVersion":{"files":[
              {"label":"Dockerfile","directoryLabel":"ArchaeoGLOBE-master","dataFile":{"id":11,"originalFileName":"Dockerfile"}},
              {"label":"data.tab","directoryLabel":"ArchaeoGLOBE-master/data","dataFile":{"id":12,"originalFileName":"data.csv"}}
            ]}}}
            """#)
        services.file("/api/access/datafile/11?format=original", Array("FROM scratch\n".utf8))
        services.file("/api/access/datafile/12?format=original", Array("1,2\n".utf8))
        services.json(
            "/api/files/12?returnDatasetVersion=true", #"{"data":{"datasetVersion":{"datasetPersistentId":"doi:10.7910/DVN/TJCLKP"}}}"#)
        services.json("/api/datasets/:persistentId?persistentId=doi:10.7910/DVN/TJCLKP/FILE1", #"{"status":"ERROR"}"#, status: 404)
        services.json(
            "/api/files/:persistentId?persistentId=doi:10.7910/DVN/TJCLKP/FILE1&returnDatasetVersion=true",
            #"{"data":{"datasetVersion":{"datasetPersistentId":"doi:10.7910/DVN/TJCLKP"}}}"#)
        services.json(
            "/doi/api/handles/10.7910/DVN/TJCLKP",
            #"{"values":[{"type":"URL","data":{"value":"{base}/citation?persistentId=doi:10.7910/DVN/TJCLKP"}}]}"#)
    }

    @Test(
        "Dataverse: every URL form leads to the dataset; its single directory is flattened",
        arguments: [
            "{base}/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP",
            "{base}/citation?persistentId=doi:10.7910/DVN/TJCLKP",
            "{base}/citation?persistentId=doi:10.7910/DVN/TJCLKP/FILE1",
            "{base}/file.xhtml?persistentId=doi:10.7910/DVN/TJCLKP/FILE1",
            "{base}/api/access/datafile/12",
            "doi:10.7910/DVN/TJCLKP",
        ])
    func dataverse(input: String) async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        dataverse(services)
        let result = try await fetch(input, services, workspace: workspace)
        #expect(result == ("Dataverse", "doi:10.7910/DVN/TJCLKP"))
        #expect(workspace.listing() == ["Dockerfile", "data", "data/data.csv"])
    }

    @Test("Dataverse: a configured installation needs no installations list")
    func dataverseConfigured() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        dataverse(services)
        var settings = services.settings()
        settings.dataverseInstallationsURL = services.base + "/no-such-list.json"
        settings.dataverseURLs = [services.base]
        let result = try await fetch(
            "{base}/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP", services, settings: settings, workspace: workspace)
        #expect(result.contentID == "doi:10.7910/DVN/TJCLKP")
        #expect(!services.received.contains { $0.contains("no-such-list") })
    }

    static let resource = "b8f6eae9d89241cf8b5904033460af61"

    /// HydroShare: the bag URL answers a waiting page `waits` times, then redirects to the bag (or serves it, `direct`).
    /// Returns the number of polls so far.
    @discardableResult
    func hydroshare(_ services: FakeServices, waits: Int, direct: Bool = false) throws -> @Sendable () -> Int {
        let resource = Self.resource
        services.json(
            "/hsapi/resource/\(resource)/scimeta/elements", #"{"dates":[{"type":"modified","start_date":"2019-05-09T14:20:04.521434Z"}]}"#)
        let polls = CallCounter()
        let base = services.base
        let bag = try Self.bag(resource)
        services.route("GET", "/django_s3/download/bags/\(resource).zip") { _ in
            let count = polls.next()
            if count <= waits {
                return StubResponse(status: 200, headers: [("Content-Type", "text/html")], chunks: [Array("<p>Preparing bag</p>".utf8)])
            }
            if direct { return StubResponse(status: 200, headers: [("Content-Type", "application/zip")], chunks: [bag]) }
            return StubResponse(status: 302, headers: [("Location", base + "/s3/bags/\(resource).zip")])
        }
        services.file("/s3/bags/\(resource).zip", bag)
        return { polls.value }
    }

    static func bag(_ resource: String) throws -> [UInt8] {
        try TestArchives.bytes(
            [
                .file("\(resource)/bagit.txt", "BagIt-Version: 0.96\n"),
                .file("\(resource)/data/resourcemetadata.xml", "<xml/>"),
                .file("\(resource)/data/contents/Dockerfile", "FROM scratch\n"),
                .file("\(resource)/data/contents/notebooks/a.ipynb", "{}"),
            ], format: .zip)
    }

    @Test("HydroShare: polls until the bag is ready, extracts into the output directory; content id <id>.v<epoch>")
    func hydroshareFetch() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        try hydroshare(services, waits: 2)
        let cwdBefore = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath)
        let log = LogLines()
        let result = try await fetch("{base}/resource/\(Self.resource)/", services, log: log, workspace: workspace)
        #expect(result == ("Hydroshare", "\(Self.resource).v1557411604"))
        #expect(workspace.listing() == ["Dockerfile", "notebooks", "notebooks/a.ipynb"])
        #expect(services.received.filter { $0.contains("/django_s3/") }.count == 3)
        #expect(log.all.contains("being prepared"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath) == cwdBefore)
    }

    @Test("HydroShare: an installation serving the zip without a redirect is ready at once")
    func hydroshareDirect() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        try hydroshare(services, waits: 0, direct: true)
        let result = try await fetch("{base}/resource/\(Self.resource)", services, workspace: workspace)
        #expect(result.contentID == "\(Self.resource).v1557411604")
        #expect(workspace.listing() == ["Dockerfile", "notebooks", "notebooks/a.ipynb"])
    }

    @Test("HydroShare: a bag that is never ready fails after the time limit")
    func hydroshareTimeout() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let polls = try hydroshare(services, waits: 1000)
        var settings = services.settings()
        settings.hydroshareTimeLimitSeconds = 0.3
        await #expect(throws: ProviderError.hydroshareTimeout(resource: Self.resource, seconds: 0)) {
            _ = try await fetch("{base}/resource/\(Self.resource)", services, settings: settings, workspace: workspace)
        }
        // The limit, not the bag, ended the waiting: at most 0.3 s / 0.05 s polls, however slow the machine is.
        #expect((1...7).contains(polls()))
        #expect(workspace.listing().isEmpty)
    }

    func ckan(_ services: FakeServices) {
        services.json("/ckan/api/3/action/status_show", #"{"success":true,"result":{"ckan_version":"2.10"}}"#)
        services.json(
            "/ckan/api/3/action/package_show?id=my-data",
            #"{"result":{"metadata_modified":"2023-10-05T08:15:00.123456","resources":[{"id":"r1","url":"{base}/files/environment.yml"},{"id":"r2","url":""},{"id":"r3","url":"{base}/files/dir/"}]}}"#
        )
        services.json(
            "/ckan/api/3/action/activity_data_show?id=act-1&object_type=package",
            #"{"result":{"resources":[{"id":"r9","url":"{base}/files/old.txt"}]}}"#)
        services.file("/files/environment.yml", Array("dependencies: []\n".utf8))
        services.file("/files/dir/", Array("listing".utf8))
        services.file("/files/old.txt", Array("old".utf8))
    }

    @Test(
        "CKAN: the dataset's resources, or an activity's; content id <dataset>.v<epoch>",
        arguments: [
            ("{base}/ckan/dataset/my-data", ["environment.yml", "r3"]),
            ("{base}/ckan/dataset/my-data/history/act-1", ["old.txt"]),
            ("{base}/ckan/dataset/my-data?activity_id=act-1", ["old.txt"]),
        ])
    func ckanFetch(input: String, files: [String]) async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        ckan(services)
        let result = try await fetch(input, services, workspace: workspace)
        #expect(result == ("CKAN", "my-data.v1696493700"))
        #expect(workspace.listing() == files)
    }

    @Test("CKAN: a /dataset/ URL whose site has no CKAN API is not CKAN")
    func notCKAN() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        var settings = services.settings()
        settings.hgProgram = "/nonexistent/hg"
        let session = services.session(settings)
        defer { Task { await session.shutdown() } }
        #expect(try await ContentProviders.detect(services.base + "/other/dataset/x", ref: nil, session: session) == nil)
    }

    static let directory = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    static let revision = "0123456789abcdef0123456789abcdef01234567"

    /// Software Heritage: the vault answers `pending` `pendingPolls` times, then `done` (or `failed`).
    func swh(_ services: FakeServices, pendingPolls: Int, fails: Bool = false) throws {
        let directory = Self.directory
        let base = services.base
        services.json("/swh/api/1/revision/\(Self.revision)/", #"{"id":"\#(Self.revision)","directory":"\#(directory)"}"#)
        let polls = CallCounter()
        let vault = "/swh/api/1/vault/directory/\(directory)/"
        services.route("POST", vault) { _ in .json(#"{"status":"new","fetch_url":null}"#) }
        services.route("GET", vault) { _ in
            let count = polls.next()
            if count <= pendingPolls { return .json(#"{"status":"pending","progress_message":"cooking"}"#) }
            if fails { return .json(#"{"status":"failed","progress_message":"object not found"}"#) }
            return .json(#"{"status":"done","fetch_url":"\#(base)/swh/api/1/vault/flat/\#(directory)/raw/"}"#)
        }
        services.file(
            "/swh/api/1/vault/flat/\(directory)/raw/",
            try TestArchives.bytes(
                [
                    ArchiveEntry("\(directory)/", .directory),
                    .file("\(directory)/Dockerfile", "FROM scratch\n"),
                    .file("\(directory)/src/main.py", "print(1)\n"),
                ], format: .tarGz), contentType: "application/gzip")
    }

    @Test(
        "SWHID: the vault cooks the directory, the tarball's root is moved up; rev resolves to its directory",
        arguments: [
            "swh:1:dir:" + directory, "swh:1:rev:" + revision, "swh:1:dir:" + directory + ";origin=https://example.org/repo",
        ])
    func swhFetch(input: String) async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        try swh(services, pendingPolls: 2)
        var settings = services.settings()
        settings.swhToken = "secret-token-123"
        let log = LogLines()
        let result = try await fetch(input, services, settings: settings, log: log, workspace: workspace)
        #expect(result == ("Swhid", "swh:1:dir:\(Self.directory)"))
        #expect(workspace.listing() == ["Dockerfile", "src", "src/main.py"])
        #expect(
            services.server.requests.filter { $0.path.contains("/swh/") }.allSatisfy {
                $0.header("Authorization") == "Bearer secret-token-123"
            })
        #expect(services.received.filter { $0.hasPrefix("GET /swh/api/1/vault/directory/") }.count == 3)
        #expect(!log.all.contains("secret-token-123"))
    }

    @Test("SWHID: the token is not sent to a fetch_url on another origin")
    func swhTokenStaysHome() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        try swh(services, pendingPolls: 0)
        // Same server, other origin: "localhost" instead of "127.0.0.1".
        let other = services.base.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        services.route("GET", "/swh/api/1/vault/directory/\(Self.directory)/") { _ in
            .json(#"{"status":"done","fetch_url":"\#(other)/swh/api/1/vault/flat/\#(Self.directory)/raw/"}"#)
        }
        var settings = services.settings()
        settings.swhToken = "secret-token-123"
        let result = try await fetch("swh:1:dir:" + Self.directory, services, settings: settings, workspace: workspace)
        #expect(result.contentID == "swh:1:dir:\(Self.directory)")
        let download = try #require(services.server.requests.first { $0.path.contains("/vault/flat/") })
        #expect(download.header("Authorization") == nil)
        #expect(services.server.requests.first { $0.method == "POST" }?.header("Authorization") == "Bearer secret-token-123")
    }

    @Test("SWHID: failed cooking is an error naming the SWHID")
    func swhFailed() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        try swh(services, pendingPolls: 1, fails: true)
        await #expect(throws: ProviderError.swhCookingFailed(swhid: "swh:1:dir:\(Self.directory)", reason: "object not found")) {
            _ = try await fetch("swh:1:dir:" + Self.directory, services, workspace: workspace)
        }
    }

    @Test("a malicious archive from a service is refused and nothing lands outside the output directory")
    func maliciousDownload() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.json("/api/records/66", #"{"links":{"files":"{base}/api/records/66/files"}}"#)
        services.json("/api/records/66/files", #"{"entries":[{"key":"evil.zip","links":{"content":"{base}/f/evil.zip"}}]}"#)
        services.file(
            "/f/evil.zip",
            try TestArchives.bytes([.file("ok/Dockerfile", "FROM scratch\n"), .file("../escaped.txt", "evil")], format: .zip))
        do {
            _ = try await fetch("{base}/records/66", services, workspace: workspace)
            Issue.record("the archive was accepted")
        } catch let error as ProviderError {
            #expect("\(error)".contains("'..'"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.root) == ["out"])
    }

    @Test("server errors are retried a bounded number of times, then reported with the URL")
    func retries() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.json("/api/records/9", #"{"message":"busy"}"#, status: 503)
        await #expect(
            throws: ProviderError.httpStatus(url: services.base + "/api/records/9", status: 503, input: services.base + "/records/9")
        ) {
            _ = try await fetch("{base}/records/9", services, workspace: workspace)
        }
        #expect(services.received.filter { $0 == "GET /api/records/9" }.count == 2)
    }

    @Test("a refused connection fails at once, without retries, in one error naming the address")
    func unreachable() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var settings = ProviderSettings()
        settings.zenodoURL = "http://127.0.0.1:9"
        settings.attempts = 3
        settings.retryDelaySeconds = 1800
        settings.timeoutSeconds = 1
        let session = ProviderSession(settings: settings) { _ in }
        defer { Task { await session.shutdown() } }
        let source = try #require(try await ContentProviders.detect("http://127.0.0.1:9/records/1", ref: nil, session: session))
        let start = Date()
        do {
            _ = try await source.fetch(into: workspace.out, session: session)
            Issue.record("fetch succeeded")
        } catch let error as ProviderError {
            guard case .cannotConnect(let url, let explanation, _) = error else { Issue.record("\(error)"); return }
            #expect(url == "http://127.0.0.1:9/api/records/1")
            #expect(explanation.hasPrefix("127.0.0.1:9 refused the connection"))
            #expect(!"\(error)".contains("\n"))
        }
        // A retry would have waited retryDelaySeconds (1800 s) first; the bound only catches that.
        #expect(Date().timeIntervalSince(start) < 900)
        #expect(session.requestedURLs.filter { $0 == "http://127.0.0.1:9/api/records/1" }.count == 1)
    }

    @Test("a connection dropped mid-answer is retried, then reported with the URL")
    func droppedConnectionIsRetried() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        let workspace = try Workspace()
        defer { workspace.remove() }
        services.route("GET", "/api/records/5") { _ in
            StubResponse(status: 200, chunks: [Array("{\"id\"".utf8)], dropConnection: true)
        }
        do {
            _ = try await fetch("{base}/records/5", services, workspace: workspace)
            Issue.record("fetch succeeded")
        } catch let error as ProviderError {
            guard case .unreachable(let url, _, _) = error else { Issue.record("\(error)"); return }
            #expect(url == services.base + "/api/records/5")
        }
        #expect(services.received.filter { $0 == "GET /api/records/5" }.count == 2)
    }
}
