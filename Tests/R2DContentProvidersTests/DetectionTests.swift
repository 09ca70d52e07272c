import Foundation
import R2DContentProviders
import R2DTestSupport
import Testing

@Suite("DOIs and provider detection")
struct DetectionTests {
    @Test(
        "DOI forms",
        arguments: [
            ("10.5281/zenodo.3242074", "10.5281/zenodo.3242074"),
            ("doi:10.7910/DVN/6ZXAGT/3YRRYJ", "10.7910/DVN/6ZXAGT/3YRRYJ"),
            ("DOI: 10.6084/m9.figshare.9782777.v1", "10.6084/m9.figshare.9782777.v1"),
            ("https://doi.org/10.4211/hs.b8f6eae9d89241cf8b5904033460af61", "10.4211/hs.b8f6eae9d89241cf8b5904033460af61"),
            ("http://dx.doi.org/10.1.2/x", "10.1.2/x"),
            ("doi.org/10.123/abc", "10.123/abc"),
        ])
    func doiForms(input: String, bare: String) {
        #expect(DOI.normalize(input) == bare)
    }

    @Test(
        "not DOIs",
        arguments: [
            "https://github.com/a/b", "10.5281", "11.5281/x", "https://example.org/10.1/x",
            "swh:1:dir:" + String(repeating: "a", count: 40),
        ])
    func notDOIs(input: String) {
        #expect(!DOI.isDOI(input))
    }

    @Test("the handle API resolves a DOI once; unknown DOIs and DOIs without a URL stay as given")
    func handleResolution() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        services.json(
            "/doi/api/handles/10.5281/zenodo.1",
            #"{"responseCode":1,"values":[{"type":"HS_ADMIN","data":{"value":"x"}},{"type":"URL","data":{"format":"string","value":"{base}/records/1"}}]}"#
        )
        services.json("/doi/api/handles/10.5281/nourl", #"{"responseCode":1,"values":[{"type":"EMAIL","data":{"value":"x"}}]}"#)
        services.json("/doi/api/handles/10.5281/missing", #"{"responseCode":100}"#, status: 404)
        services.json("/doi/api/handles/10.5281/broken", #"{}"#, status: 400)
        let session = services.session()
        defer { Task { await session.shutdown() } }
        #expect(try await session.resolveDOI("doi:10.5281/zenodo.1") == services.base + "/records/1")
        #expect(try await session.resolveDOI("https://doi.org/10.5281/zenodo.1") == services.base + "/records/1")
        #expect(services.received.filter { $0.contains("zenodo.1") }.count == 1)
        #expect(try await session.resolveDOI("10.5281/nourl") == "10.5281/nourl")
        #expect(try await session.resolveDOI("10.5281/missing") == "10.5281/missing")
        await #expect(throws: ProviderError.self) { try await session.resolveDOI("10.5281/broken") }
        #expect(try await session.resolveDOI("https://github.com/a/b") == "https://github.com/a/b")
    }

    /// Inputs, the provider that must pick each (nil: none, so local or git), and whether detection may
    /// use the network at all.
    static let table: [(input: String, provider: String?, network: Bool)] = [
        ("{base}/records/123", "Zenodo", false),
        ("{base}/record/123", "Zenodo", false),
        ("{base}/doi/10.5281/zenodo.123", "Zenodo", false),
        ("10.5281/zenodo.123", "Zenodo", true),
        ("https://sandbox.zenodo.org/records/5", "Zenodo", false),
        ("{base}/articles/code/Binder-ready_openSenseMap_Analysis/9782777", "Figshare", false),
        ("{base}/account/articles/9782777/2", "Figshare", false),
        ("10.6084/m9.figshare.9782777", "Figshare", true),
        ("{base}/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP", "Dataverse", true),
        ("{base}/api/access/datafile/3323458", "Dataverse", true),
        ("10.7910/DVN/TJCLKP", "Dataverse", true),
        ("{base}/resource/b8f6eae9d89241cf8b5904033460af61", "Hydroshare", true),
        ("swh:1:dir:" + String(repeating: "a", count: 40), "Swhid", false),
        ("swh:1:rev:" + String(repeating: "b", count: 40) + ";origin=https://example.org/x", "Swhid", false),
        ("swh:1:cnt:" + String(repeating: "a", count: 40), nil, false),
        ("swh:2:dir:" + String(repeating: "a", count: 40), nil, false),
        ("{base}/ckan/dataset/my-data", "CKAN", true),
        ("{base}/ckan/dataset/my-data/history/act-1", "CKAN", true),
        ("https://github.com/binder-examples/requirements", nil, false),
        ("https://gitlab.com/group/project.git", nil, false),
        ("git@github.com:binder-examples/requirements.git", nil, false),
        ("10.9999/unknown", nil, true),
    ]

    @Test("detection table; git inputs make no network call", arguments: table.indices)
    func detection(index: Int) async throws {
        let row = Self.table[index]
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        services.json("/doi/api/handles/10.5281/zenodo.123", #"{"values":[{"type":"URL","data":{"value":"{base}/records/123"}}]}"#)
        services.json(
            "/doi/api/handles/10.6084/m9.figshare.9782777",
            #"{"values":[{"type":"URL","data":{"value":"{base}/articles/code/Binder-ready/9782777"}}]}"#)
        services.json(
            "/doi/api/handles/10.7910/DVN/TJCLKP",
            #"{"values":[{"type":"URL","data":{"value":"{base}/citation?persistentId=doi:10.7910/DVN/TJCLKP"}}]}"#)
        services.json("/doi/api/handles/10.9999/unknown", #"{}"#, status: 404)
        services.json("/installations.json", #"{"installations":[{"name":"Local","hostname":"127.0.0.1"}]}"#)
        services.json(
            "/hsapi/resource/b8f6eae9d89241cf8b5904033460af61/scimeta/elements",
            #"{"dates":[{"type":"created","start_date":"2019-01-01T00:00:00"},{"type":"modified","start_date":"2019-05-09T14:20:04.521434Z"}]}"#
        )
        services.json("/ckan/api/3/action/status_show", #"{"success":true}"#)
        services.json("/ckan/api/3/action/package_show?id=my-data", #"{"result":{"metadata_modified":"2023-10-05T08:15:00.123456"}}"#)
        var settings = services.settings()
        settings.hgProgram = "/nonexistent/hg"
        let session = services.session(settings)
        defer { Task { await session.shutdown() } }

        let input = row.input.replacingOccurrences(of: "{base}", with: services.base)
        let source = try await ContentProviders.detect(input, ref: nil, session: session)
        #expect(source?.providerName == row.provider, "\(input)")
        if !row.network { #expect(session.requestedURLs.isEmpty, "\(input) made requests: \(session.requestedURLs)") }
        if row.provider != "Dataverse" {
            #expect(!session.requestedURLs.contains { $0.hasSuffix("/installations.json") }, "\(input) loaded the Dataverse list")
        }
    }

    @Test("a missing hg is an error only for Mercurial inputs")
    func missingMercurial() async throws {
        let services = try await FakeServices.start()
        defer { Task { await services.stop() } }
        services.route("GET", "/hg/repo?cmd=capabilities") { _ in
            StubResponse(status: 200, headers: [("Content-Type", "application/mercurial-0.1")], chunks: [Array("lookup branchmap".utf8)])
        }
        var settings = services.settings()
        settings.hgProgram = "/nonexistent/hg"
        let session = services.session(settings)
        defer { Task { await session.shutdown() } }
        await #expect(throws: ProviderError.mercurialNotInstalled(input: services.base + "/hg/repo")) {
            _ = try await ContentProviders.detect(services.base + "/hg/repo", ref: nil, session: session)
        }
        // A git server (or anything else) answers differently: not Mercurial, no error.
        #expect(try await ContentProviders.detect(services.base + "/gitlab/project", ref: nil, session: session) == nil)
        #expect(ProviderError.mercurialNotInstalled(input: "x").description.contains("Mercurial is not installed"))
    }
}
