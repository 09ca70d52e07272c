import Foundation
import Testing
@testable import R2DCommands
@testable import R2DCore

@Suite("Command line")
struct ArgumentTests {
    func request(_ arguments: [String], environment: [String: String] = ["USER": "me"]) throws -> (BuildRequest, [String]) {
        let split = ArgumentSplitter.split(arguments)
        let flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        let warnings = LinesBox()
        let request = try RequestBuilder(environment: environment, warn: { warnings.append($0) })
            .makeRequest(flags, traits: split.traits, command: split.command)
        return (request, warnings.lines)
    }

    @Test("--allow-local-submodules reaches the request; it is off by default")
    func allowLocalSubmodules() throws {
        #expect(try request(["--user-id=1000", "https://example.org/r.git"]).0.allowLocalSubmodules == false)
        #expect(try request(["--user-id=1000", "--allow-local-submodules", "https://example.org/r.git"]).0.allowLocalSubmodules)
    }

    @Test(
        "--build-backend is auto unless asked; --builtin-frontend as a flag or DockerEngine trait",
        arguments: [
            ([String](), BuildBackendChoice.auto, false), (["--build-backend", "classic"], .classic, false),
            (["--build-backend=buildkit", "--builtin-frontend"], .buildKit, true), (["--DockerEngine.builtin_frontend=True"], .auto, true),
            (["--DockerEngine.builtin_frontend=False", "--DockerEngine.build_backend=classic"], .classic, false),
        ])
    func builderSettings(arguments: [String], backend: BuildBackendChoice, builtinFrontend: Bool) throws {
        let (r, warnings) = try request(["--user-id=1000"] + arguments + ["https://example.org/r.git"])
        #expect(r.buildBackend == backend)
        #expect(r.builtinFrontend == builtinFrontend)
        #expect(warnings.isEmpty)
    }

    @Test("a login name outside the user-name rule asks for --user-name", arguments: ["John Smith", "DOMAIN\\me", "Ünïcode"])
    func loginNameRefused(login: String) throws {
        #expect(throws: CommandLineFailure.self) { try request(["--user-id=1000", "repo"], environment: ["USER": login]) }
        #expect(try request(["--user-id=1000", "--user-name=jovyan", "repo"], environment: ["USER": login]).0.userName == "jovyan")
        do { _ = try request(["--user-id=1000", "repo"], environment: ["USER": login]) } catch let failure as CommandLineFailure {
            #expect(failure.description.hasSuffix("pass --user-name."))
            #expect(failure.exitCode == 2)
        }
    }

    @Test("BinderHub's exact command line")
    func binderHub() throws {
        let (r, warnings) = try request([
            "--ref=0123456789abcdef0123456789abcdef01234567", "--image=registry.example.org/i-x-55ab5c:0123abc",
            "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan", "--user-id=1000",
            "--appendix", "RUN echo hi", "--Repo2Docker.default_buildpack=None",
            "--DockerEngine.extra_init_args={\"timeout\":1200}", "https://github.com/org/repo",
        ])
        #expect(r.repo == "https://github.com/org/repo")
        #expect(r.ref == "0123456789abcdef0123456789abcdef01234567")
        #expect(r.imageName == "registry.example.org/i-x-55ab5c:0123abc")
        #expect(r.clean == false)
        #expect(r.run == false)
        #expect(r.build)
        #expect(r.userName == "jovyan")
        #expect(r.userID == 1000)
        #expect(r.appendix == "RUN echo hi")
        #expect(r.allowDefaultBuildpack == false)
        #expect(r.runCommand.isEmpty)
        #expect(warnings.count == 1 && warnings[0].contains("DockerEngine.extra_init_args"))
    }

    @Test("everything after the repository is the command, a leading -- dropped")
    func remainder() throws {
        let (r, _) = try request(["--user-id", "1000", "repo", "--", "./verify", "--flag", "--Repo2Docker.base_image=x"])
        #expect(r.runCommand == ["./verify", "--flag", "--Repo2Docker.base_image=x"])
        #expect(r.baseImage == "docker.io/library/buildpack-deps:24.04")
        let (r2, _) = try request(["--user-id=1000", "repo", "python", "-c", "print(1)"])
        #expect(r2.runCommand == ["python", "-c", "print(1)"])
    }

    @Test("traits map onto options")
    func traits() throws {
        let (r, _) = try request([
            "--Repo2Docker.base_image=img:1", "--Repo2Docker.platform=linux/arm64",
            "--Repo2Docker.user_id=1234", "--Repo2Docker.user_name='ann'", "--base-image", "other:2", "--user-id=1000", "repo",
        ])
        #expect(r.baseImage == "other:2")
        #expect(r.platform == "linux/arm64")
        #expect(r.userID == 1000)
        #expect(r.userName == "ann")
    }

    @Test("--no-build turns run and push off; labels, build args, ports")
    func flags() throws {
        let (r, _) = try request([
            "--no-build", "--user-id=1000", "--label", "a=b", "--build-arg=X=1=2", "--cache-from", "img", "--network=host", "--platform",
            "linux/amd64", "--subdir", "sub", "--target-repo-dir=/srv/repo", "repo",
        ])
        #expect(r.build == false && r.run == false && r.push == false)
        #expect(r.labels.map { "\($0.0)=\($0.1)" } == ["a=b"])
        #expect(r.buildArgs.map { "\($0.0)=\($0.1)" } == ["X=1=2"])
        #expect(r.cacheFrom == ["img"])
        #expect(r.network == "host")
        #expect(r.subdir == "sub")
        #expect(r.targetRepoDir == "/srv/repo")
        let (p, _) = try request(["-p", "8888:9999", "--user-id=1000", "repo"])
        #expect(p.ports == [PortMapping(hostPort: 8888, containerPort: 9999)])
    }

    @Test(
        "failures that repo2docker reports after parsing, with their exit codes",
        arguments: [
            (["--no-run", "-p", "8000", "--user-id=1000", "repo"], Int32(1)),
            (["--no-run", "-P", "--user-id=1000", "repo"], 1),
            (["--no-run", "-e", "A=1", "--user-id=1000", "repo"], 1),
            (["--no-run", "-v", "/a:/b", "--user-id=1000", "repo"], 1),
            (["-p", "1", "-p", "2", "--user-id=1000", "repo"], 1),
            (["-p", "99999", "--user-id=1000", "repo"], 1),
            (["--build-memory-limit", "1G", "--user-id=1000", "repo"], 255),
            (["--Repo2Docker.build_memory_limit=1G", "--user-id=1000", "repo"], 255),
            (["--editable", "--user-id=1000", "/nonexistent/dir"], 1),
        ] as [([String], Int32)])
    func failures(arguments: [String], code: Int32) {
        do {
            _ = try request(arguments)
            Issue.record("expected a failure")
        } catch let failure as CommandLineFailure {
            #expect(failure.exitCode == code)
            #expect(!failure.description.contains("\n"))
        } catch {
            #expect(code == 1, "unexpected error \(error)")
        }
    }

    @Test("root is refused unless nothing is built")
    func rootUser() throws {
        #expect(throws: CommandLineFailure.self) { try request(["--user-id=0", "repo"]) }
        if geteuid() == 0 {
            #expect(throws: CommandLineFailure.self) { try request(["repo"]) }
        }
        let (r, _) = try request(["--no-build", "--user-id=0", "repo"])
        #expect(r.build == false)
    }

    @Test(
        "usage errors are exit 2",
        arguments: [
            ["--image-name=Bad_Name", "repo"],
            ["--user-id=abc", "repo"],
            ["--json-logs"],
            ["--no-such-flag", "repo"],
        ])
    func usageErrors(arguments: [String]) async {
        let code = await CommandLineEntry.main(arguments: ["swift-r2d"] + arguments + [], environment: [:])
        #expect(code == 2)
    }

    @Test("--version works without a repository, under either name")
    func version() async {
        #expect(await CommandLineEntry.main(arguments: ["swift-r2d", "--version"], environment: [:]) == 0)
        #expect(await CommandLineEntry.main(arguments: ["/usr/local/bin/jupyter-repo2docker", "--version"], environment: [:]) == 0)
    }

    @Test(
        "trait syntax",
        arguments: [
            ("--Repo2Docker.base_image=x", TraitSetting(className: "Repo2Docker", trait: "base_image", value: "x")),
            (
                "--DockerEngine.extra_init_args={\"timeout\":1200}",
                TraitSetting(className: "DockerEngine", trait: "extra_init_args", value: "{\"timeout\":1200}")
            ),
            ("--Repo2Docker.user_name=\"a b\"", TraitSetting(className: "Repo2Docker", trait: "user_name", value: "a b")),
        ])
    func traitSyntax(token: String, setting: TraitSetting) {
        #expect(ArgumentSplitter.trait(token) == setting)
    }

    @Test("not traits", arguments: ["--ref=x", "--image=a.b", "--repo2docker.x=1", "--Repo2Docker.x", "--A.b.c=1"])
    func notTraits(token: String) {
        #expect(ArgumentSplitter.trait(token) == nil)
    }
}

final class LinesBox: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
