import Foundation
import R2DContentProviders
import Testing
@testable import R2DCommands
@testable import R2DCore

@Suite("Content provider flags and settings")
struct ContentProviderFlagsTests {
    func request(_ arguments: [String]) throws -> (BuildRequest, [String]) {
        let split = ArgumentSplitter.split(["--user-id", "1000"] + arguments)
        let flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        let warnings = LinesBox()
        let request = try RequestBuilder(environment: ["USER": "me"], warn: { warnings.append($0) })
            .makeRequest(flags, traits: split.traits, command: split.command)
        return (request, warnings.lines)
    }

    @Test("defaults are the public services")
    func defaults() throws {
        let (r, _) = try request(["10.5281/zenodo.1"])
        #expect(r.contentProviders == ProviderSettings())
        #expect(r.contentProviders.zenodoURL == "https://zenodo.org")
        #expect(r.contentProviders.swhAPIURL == "https://archive.softwareheritage.org/api/1")
    }

    @Test("every flag takes its value from the next argument, before the repository")
    func flags() throws {
        let (r, warnings) = try request([
            "--doi-resolver-url", "http://doi.test/", "--zenodo-url", "http://zenodo.test", "--invenio-url", "http://a.test",
            "--invenio-url", "http://b.test", "--figshare-url", "http://fs.test", "--figshare-api-url", "http://api.fs.test/v2",
            "--dataverse-installations-url", "http://dv.test/list.json", "--dataverse-url", "http://dv.test",
            "--hydroshare-url", "http://hs.test", "--swh-api-url", "http://swh.test/api/1", "--hg-program", "/opt/hg",
            "--fetch-timeout", "30", "swh:1:dir:0000000000000000000000000000000000000000", "echo", "hi",
        ])
        let p = r.contentProviders
        #expect(r.repo == "swh:1:dir:0000000000000000000000000000000000000000" && r.runCommand == ["echo", "hi"])
        #expect(p.doiResolverURL == "http://doi.test" && p.zenodoURL == "http://zenodo.test")
        #expect(p.invenioURLs == ["http://a.test", "http://b.test"])
        #expect(p.figshareURL == "http://fs.test" && p.figshareAPIURL == "http://api.fs.test/v2")
        #expect(p.dataverseInstallationsURL == "http://dv.test/list.json" && p.dataverseURLs == ["http://dv.test"])
        #expect(p.hydroshareURL == "http://hs.test" && p.swhAPIURL == "http://swh.test/api/1")
        #expect(p.hgProgram == "/opt/hg" && p.timeoutSeconds == 30)
        #expect(warnings.isEmpty)
    }

    @Test("Repo2Docker settings set the same; flags win; swh_token is accepted")
    func traits() throws {
        let (r, warnings) = try request([
            "--Repo2Docker.zenodo_url=http://z.test", "--Repo2Docker.swh_token=tok", "--Repo2Docker.dataverse_url=http://d.test",
            "--Repo2Docker.figshare_url=http://f.test", "--figshare-url", "http://g.test", "repo",
        ])
        #expect(r.contentProviders.zenodoURL == "http://z.test")
        #expect(r.contentProviders.swhToken == "tok")
        #expect(r.contentProviders.dataverseURLs == ["http://d.test"])
        #expect(r.contentProviders.figshareURL == "http://g.test")
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("the configuration file knows the settings, lists included")
    func configurationFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-cp-\(UUID().uuidString).json").path
        try
            #"{"Repo2Docker": {"swh_api_url": "http://swh.test/api/1", "invenio_url": ["http://a.test", "http://b.test"], "swh_token": "s"}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let traits = try ConfigurationFile.parse(path: path)
        var request = BuildRequest(repo: "x", userID: 1000, userName: "me")
        var context = SettingContext(command: [], warn: { _ in })
        try RequestBuilder(environment: [:], warn: { _ in }).apply(traits, to: &request, context: &context)
        #expect(request.contentProviders.swhAPIURL == "http://swh.test/api/1")
        #expect(request.contentProviders.invenioURLs == ["http://a.test", "http://b.test"])
        #expect(request.contentProviders.swhToken == "s")
    }

    @Test("an invalid timeout names the setting")
    func invalidTimeout() throws {
        #expect(throws: CommandLineFailure.self) { try request(["--fetch-timeout", "soon", "repo"]) }
        #expect(throws: CommandLineFailure.self) { try request(["--Repo2Docker.fetch_timeout=-1", "repo"]) }
    }

    @Test("every provider setting has a row; every row but the token's has a value flag")
    func everySettingHasARow() {
        for trait in ProviderSettings.traitNames {
            let row = Settings.byTrait[.repo2docker(trait)]
            #expect(row?.apply != nil, "\(trait)")
            if trait != "swh_token" {
                #expect(row?.flag.map { ArgumentSplitter.valueOptions.contains("--" + $0) } == true, "\(trait)")
            }
            #expect(ConfigurationFile.knownTraits["Repo2Docker"]?.contains(trait) == true, "\(trait)")
        }
    }
}
