import Foundation
import R2DTestSupport
import Testing
@testable import R2DCommands
@testable import R2DCore

/// `--secret` in docker buildx's form, from the command line, an explicit `--config` (`DockerEngine.secrets`,
/// `DockerEngine.extra_buildx_build_args`), and never from the configuration file found in the working directory.
@Suite("Build secrets on the command line and in the configuration")
struct SecretSettingsTests {
    struct Accepted: Sendable, CustomTestStringConvertible {
        let spec: String
        let id: String
        let source: SecretRequest.Source
        var testDescription: String { spec }
    }

    /// The environment the specs are read in: TOKEN is set, nothing else is.
    static let environment = ["USER": "me", "TOKEN": "t", "ID_AS_ENV": "x"]

    static let accepted: [Accepted] = [
        .init(spec: "id=UV_INDEX_URL,env=TOKEN", id: "UV_INDEX_URL", source: .environment("TOKEN")),
        .init(spec: "id=a,src=/run/a.txt", id: "a", source: .file("/run/a.txt")),
        .init(spec: "id=a,source=rel/a.txt", id: "a", source: .file("rel/a.txt")),
        .init(spec: "src=/f,id=b", id: "b", source: .file("/f")),
        .init(spec: "type=env,id=c,env=TOKEN", id: "c", source: .environment("TOKEN")),
        // buildx: with type=env, src names the variable.
        .init(spec: "type=env,id=c,src=TOKEN", id: "c", source: .environment("TOKEN")),
        .init(spec: "type=env,id=TOKEN", id: "TOKEN", source: .environment("TOKEN")),
        .init(spec: "type=file,id=my.key", id: "my.key", source: .file("my.key")),
        .init(spec: "type=file,id=k,src=/k", id: "k", source: .file("/k")),
        // buildx's default: the variable named like the id when it is set, else the file named like it.
        .init(spec: "id=ID_AS_ENV", id: "ID_AS_ENV", source: .environment("ID_AS_ENV")),
        .init(spec: "id=not-set", id: "not-set", source: .file("not-set")),
        .init(spec: "ID=k,ENV=TOKEN", id: "k", source: .environment("TOKEN")),
        .init(spec: "\"id=q\",\"src=/a,b\"", id: "q", source: .file("/a,b")),
        .init(spec: "id=q,\"src=/a\"\"b\"", id: "q", source: .file("/a\"b")),
        .init(spec: "id=_x-1.2,env=TOKEN", id: "_x-1.2", source: .environment("TOKEN")),
    ]

    @Test("accepted specs", arguments: accepted)
    func accepts(_ case_: Accepted) throws {
        let secret = try SecretSpec.parse(case_.spec, source: "--secret", environment: Self.environment)
        #expect(secret == SecretRequest(id: case_.id, source: case_.source, origin: "--secret"))
    }

    /// Refused specs and the part of the one-line message that says what is wrong.
    static let refused: [(spec: String, message: String)] = [
        ("", "it is empty"),
        ("env=TOKEN", "it has no id="),
        ("id=,env=TOKEN", "it has no id="),
        ("id=a,env", "the field \"env\" is not key=value"),
        ("id=a,,env=TOKEN", "the field \"\" is not key=value"),
        ("id=a,target=/x", "unknown key \"target\""),
        ("id=a,type=ssh", "type=ssh is not env or file"),
        ("id=a,env=TOKEN,src=/f", "give env= or src=, not both"),
        ("id=a,env=", "env= and src= need a value"),
        ("id=../etc/passwd,env=TOKEN", "the id is not a safe name"),
        ("id=.hidden,env=TOKEN", "the id is not a safe name"),
        ("id=-x,env=TOKEN", "the id is not a safe name"),
        ("id=a b,env=TOKEN", "the id is not a safe name"),
        ("id=\(String(repeating: "x", count: 129)),env=TOKEN", "the id is not a safe name"),
        ("\"id=a,env=TOKEN", "a quoted field is not closed"),
        ("\"id=a\"x,env=TOKEN", "a quoted field must end at a comma"),
    ]

    @Test("refused specs: one line naming the flag, the spec and the problem, exit 2", arguments: refused)
    func refuses(_ case_: (spec: String, message: String)) {
        do {
            _ = try SecretSpec.parse(case_.spec, source: "--secret", environment: Self.environment)
            Issue.record("\(case_.spec) was accepted")
        } catch let failure as CommandLineFailure {
            #expect(failure.exitCode == 2)
            #expect(failure.description.hasPrefix("--secret "), "\(failure)")
            #expect(failure.description.contains(case_.message), "\(failure)")
            #expect(!failure.description.contains("\n"))
        } catch {
            Issue.record("\(error)")
        }
    }

    func request(_ arguments: [String], traits: [TraitSetting] = []) throws -> (BuildRequest, [String]) {
        let split = ArgumentSplitter.split(["--user-id", "1000"] + arguments)
        let flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        let warnings = LinesBox()
        let request = try RequestBuilder(environment: Self.environment, warn: { warnings.append($0) })
            .makeRequest(flags, traits: traits + split.traits, command: split.command)
        return (request, warnings.lines)
    }

    @Test("--secret is repeatable and keeps the order given")
    func repeatable() throws {
        let (request, _) = try request(["--secret", "id=a,env=TOKEN", "--secret=id=b,src=/b", "repo"])
        #expect(request.secrets.map(\.id) == ["a", "b"])
        #expect(request.secrets.map(\.origin) == ["--secret", "--secret"])
    }

    @Test("the same id twice on the command line is refused in one line")
    func duplicateOnCommandLine() {
        #expect(throws: CommandLineFailure.self) { try self.request(["--secret", "id=a,env=TOKEN", "--secret", "id=a,src=/b", "repo"]) }
        do {
            _ = try request(["--secret", "id=a,env=TOKEN", "--secret", "id=a,src=/b", "repo"])
        } catch let failure as CommandLineFailure {
            #expect(failure.description == "--secret id=a: the id is given twice (also by --secret); give each secret id once.")
        } catch { Issue.record("\(error)") }
    }

    func configured(_ json: String) throws -> [TraitSetting] {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-secret-config-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try json.write(toFile: directory + "/c.json", atomically: true, encoding: .utf8)
        return try ConfigurationFile.load(option: directory + "/c.json", currentDirectory: "/", warn: { _ in })
    }

    @Test("an explicit --config gives secrets as DockerEngine.secrets and as repo2docker's extra_buildx_build_args")
    func explicitConfiguration() throws {
        let traits = try configured(
            """
            {"DockerEngine": {"secrets": ["id=a,env=TOKEN"],
                              "extra_buildx_build_args": ["--secret", "id=b,src=/b", "--check", "--secret=id=c,env=TOKEN"]}}
            """)
        let (request, warnings) = try request(["repo"], traits: traits)
        #expect(request.secrets.map(\.id).sorted() == ["a", "b", "c"])
        #expect(request.secrets.first { $0.id == "b" }?.source == .file("/b"))
        #expect(request.secrets.allSatisfy { $0.origin.hasSuffix("/c.json") })
        #expect(warnings.contains { $0.contains("extra_buildx_build_args") && $0.contains("--check has no effect") }, "\(warnings)")
    }

    @Test("the command line replaces a configured secret of the same id; the file twice is refused")
    func commandLineWins() throws {
        let traits = try configured(#"{"DockerEngine": {"secrets": ["id=a,env=TOKEN"]}}"#)
        let (request, _) = try request(["--secret", "id=a,src=/override", "repo"], traits: traits)
        #expect(request.secrets == [SecretRequest(id: "a", source: .file("/override"), origin: "--secret")])
        let twice = try configured(
            #"{"DockerEngine": {"secrets": ["id=a,env=TOKEN"], "extra_buildx_build_args": ["--secret", "id=a,src=/b"]}}"#)
        #expect(throws: CommandLineFailure.self) { try self.request(["repo"], traits: twice) }
    }

    @Test("extra_buildx_build_args on the command line: --secret=SPEC, or --secret and its value in two settings")
    func buildxArgumentsOnCommandLine() throws {
        let (joined, _) = try request(["--DockerEngine.extra_buildx_build_args=--secret=id=a,env=TOKEN", "repo"])
        #expect(joined.secrets.map(\.id) == ["a"])
        let (pair, _) = try request([
            "--DockerEngine.extra_buildx_build_args=--secret", "--DockerEngine.extra_buildx_build_args=id=b,env=TOKEN", "repo",
        ])
        #expect(pair.secrets.map(\.id) == ["b"])
        #expect(throws: CommandLineFailure.self) { try self.request(["--DockerEngine.extra_buildx_build_args=--secret", "repo"]) }
        let file = try configured(#"{"DockerEngine": {"extra_buildx_build_args": ["--secret"]}}"#)
        #expect(throws: CommandLineFailure.self) { try self.request(["repo"], traits: file) }
    }

    @Test("a malformed configured spec names the setting and the file")
    func configuredError() throws {
        let traits = try configured(#"{"DockerEngine": {"secrets": ["id=a,bogus=1"]}}"#)
        do {
            _ = try request(["repo"], traits: traits)
            Issue.record("accepted")
        } catch let failure as CommandLineFailure {
            #expect(failure.description.hasPrefix("DockerEngine.secrets in /"), "\(failure)")
            #expect(failure.description.contains("unknown key \"bogus\""))
        }
    }

    @Test("the configuration file found in the working directory gives no secrets", arguments: ["secrets", "extra_buildx_build_args"])
    func implicitConfigurationGivesNone(trait: String) throws {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-secret-implicit-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let value = trait == "secrets" ? #"["id=a,env=TOKEN"]"# : #"["--secret", "id=a,env=TOKEN"]"#
        try #"{"DockerEngine": {"\#(trait)": \#(value)}, "Repo2Docker": {"base_image": "img:1"}}"#
            .write(toFile: directory + "/repo2docker_config.json", atomically: true, encoding: .utf8)
        var warnings: [String] = []
        let settings = try ConfigurationFile.load(
            option: nil, currentDirectory: directory, repository: "/elsewhere", warn: { warnings.append($0) })
        #expect(settings.map(\.trait) == ["base_image"])
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("build secrets are taken only from the command line or an explicit --config") == true)
        let (request, _) = try request(["repo"], traits: settings)
        #expect(request.secrets.isEmpty)
    }
}
