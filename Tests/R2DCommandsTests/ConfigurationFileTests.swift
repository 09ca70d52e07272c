import Foundation
import R2DTestSupport
import Testing
@testable import R2DCommands
@testable import R2DCore

@Suite("The --config JSON file")
struct ConfigurationFileTests {
    /// Writes `text` to a temporary file named `name` and returns its directory.
    func directory(with files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return directory
    }

    func request(config: String, _ arguments: [String]) throws -> (BuildRequest, [String]) {
        let dir = try directory(with: ["c.json": config])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let settings = try ConfigurationFile.load(option: dir + "/c.json", currentDirectory: "/", warn: { _ in })
        let split = ArgumentSplitter.split(arguments)
        let flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        let warnings = LinesBox()
        let request = try RequestBuilder(environment: ["USER": "me"], warn: { warnings.append($0) })
            .makeRequest(flags, traits: settings + split.traits, command: split.command)
        return (request, warnings.lines)
    }

    static let everyKey = """
        {
          "Repo2Docker": {
            "base_image": "img:1", "platform": "linux/arm64", "default_buildpack": null, "user_id": 1234,
            "user_name": "ann", "ref": "v1", "subdir": "sub", "target_repo_dir": "/srv/repo", "appendix": "RUN true",
            "output_image_spec": "reg.example/x:1", "engine": "podman", "cleanup_checkout": false, "run": false,
            "push": true, "json_logs": true, "cache_from": ["c:1", "c:2"], "labels": {"a": "b", "n": 1},
            "extra_build_args": {"X": "1"}, "network": "host", "default_python_version": "3.12",
            "python_index_url": "https://pypi.example/simple", "python_download_mirror": "https://py.example",
            "registry_certs_dir": "/etc/certs.d", "log_level": "DEBUG",
            "micromamba_url": "https://mirror.example/micromamba", "conda_channel": ["https://mirror.example/conda-forge", "bioconda"],
            "julia_pkg_server": "https://pkg.example"
          },
          "DockerEngine": {"registry_credentials": {"registry": "reg.example", "username": "u", "password": "p"}}
        }
        """

    @Test("every mapped key reaches the request")
    func everyMappedKey() throws {
        let (r, warnings) = try request(config: Self.everyKey, ["repo"])
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(r.baseImage == "img:1" && r.platform == "linux/arm64" && r.allowDefaultBuildpack == false)
        #expect(r.userID == 1234 && r.userName == "ann" && r.ref == "v1" && r.subdir == "sub")
        #expect(r.targetRepoDir == "/srv/repo" && r.appendix == "RUN true" && r.imageName == "reg.example/x:1")
        #expect(r.engine == "podman" && r.clean == false && r.run == false && r.push == true)
        #expect(r.cacheFrom == ["c:1", "c:2"])
        #expect(r.labels.map { "\($0.0)=\($0.1)" } == ["a=b", "n=1"])
        #expect(r.buildArgs.map { "\($0.0)=\($0.1)" } == ["X=1"])
        #expect(r.network == "host" && r.defaultPythonVersion == "3.12")
        #expect(r.pythonIndexURL == "https://pypi.example/simple" && r.pythonDownloadMirror == "https://py.example")
        #expect(r.registryCertificatesDirectory == "/etc/certs.d")
        #expect(r.registryCredentials == ["registry": "reg.example", "username": "u", "password": "p"])
        #expect(r.downloadLocations.micromambaURL == "https://mirror.example/micromamba")
        #expect(r.downloadLocations.condaChannels == ["https://mirror.example/conda-forge", "bioconda"])
        #expect(r.downloadLocations.juliaPackageServer == "https://pkg.example")
    }

    @Test("run settings: environment, volumes, ports, all_ports, run_cmd")
    func runSettings() throws {
        let config = """
            {"Repo2Docker": {"environment": ["A=1", "B"], "volumes": {"/data": "data"}, "ports": {"8888/tcp": "127.0.0.1:9999"},
             "all_ports": true, "run_cmd": ["jupyter", "lab"]}}
            """
        let (r, _) = try request(config: config, ["--user-id=1000", "repo"])
        #expect(r.environment == ["A=1", "B"])
        #expect(r.volumes == [VolumeMapping(source: "/data", destination: "data")])
        #expect(r.ports == [PortMapping(hostIP: "127.0.0.1", hostPort: 9999, containerPort: 8888, proto: "tcp")])
        #expect(r.publishAll && r.runCommand == ["jupyter", "lab"])
        let (overridden, _) = try request(config: config, ["--user-id=1000", "repo", "echo", "hi"])
        #expect(overridden.runCommand == ["echo", "hi"])
    }

    @Test("the command line wins over the file")
    func precedence() throws {
        let config =
            #"{"Repo2Docker": {"base_image": "file:1", "run": false, "push": true, "user_id": 1234, "ref": "file-ref", "dry_run": false}}"#
        let (r, _) = try request(
            config: config,
            [
                "--base-image=cli:2", "--run", "--no-push", "--user-id=1000", "--ref=cli-ref",
                "--Repo2Docker.platform=linux/amd64", "repo",
            ])
        #expect(r.baseImage == "cli:2" && r.run && !r.push && r.userID == 1000 && r.ref == "cli-ref" && r.platform == "linux/amd64")
        let (traitWins, _) = try request(config: config, ["--Repo2Docker.base_image=trait:3", "repo"])
        #expect(traitWins.baseImage == "trait:3" && !traitWins.run && traitWins.push)
        let (dry, _) = try request(config: #"{"Repo2Docker": {"dry_run": true, "push": true}}"#, ["repo"])
        #expect(!dry.build && !dry.run && !dry.push)
        let (built, _) = try request(config: #"{"Repo2Docker": {"dry_run": true}}"#, ["--build", "--user-id=1000", "repo"])
        #expect(built.build)
    }

    @Test("known repo2docker settings that mean nothing here are accepted with a warning")
    func ignoredWithWarning() throws {
        let (_, warnings) = try request(
            config: #"{"Repo2Docker": {"extra_run_kwargs": {"user": "root"}}, "DockerEngine": {"extra_init_args": {"timeout": 1200}}}"#,
            ["--user-id=1000", "repo"])
        #expect(warnings.count == 2)
        #expect(warnings.allSatisfy { $0.contains("has no effect") && $0.contains("c.json") })
    }

    @Test(
        "bad files are one clear line naming the file and the key",
        arguments: [
            ("{\"Repo2Docker\": {", "is not valid JSON"),
            ("[1, 2]", "must be a JSON object of sections"),
            ("{\"Repo2docker\": {}}", "unknown section \"Repo2docker\""),
            ("{\"Repo2Docker\": {\"base_imag\": \"x\"}}", "unknown setting \"Repo2Docker.base_imag\" (did you mean \"base_image\"?)"),
            ("{\"Repo2Docker\": []}", "\"Repo2Docker\" must be an object of settings"),
            ("{\"Repo2Docker\": {\"cache_from\": [{\"a\": 1}]}}", "must be a list of strings"),
        ])
    func badFiles(text: String, expected: String) throws {
        let dir = try directory(with: ["c.json": text])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect {
            _ = try ConfigurationFile.load(option: dir + "/c.json", currentDirectory: "/", warn: { _ in })
        } throws: { error in
            guard let failure = error as? CommandLineFailure else { return false }
            return failure.exitCode == 2 && failure.description.contains(dir + "/c.json") && failure.description.contains(expected)
                && !failure.description.contains("\n")
        }
    }

    @Test("bad values name the setting and the file")
    func badValues() throws {
        #expect {
            _ = try request(config: #"{"Repo2Docker": {"run": "maybe"}}"#, ["repo"])
        } throws: { error in
            "\(error)".contains("Repo2Docker.run in ") && "\(error)".contains("expected True or False")
        }
        #expect {
            _ = try request(config: #"{"Repo2Docker": {"build_memory_limit": "2G"}}"#, ["repo"])
        } throws: { error in (error as? CommandLineFailure)?.exitCode == 255 }
    }

    @Test("a Python configuration file gets a message saying which JSON to write")
    func pythonFile() throws {
        let dir = try directory(with: ["repo2docker_config.py": "c.Repo2Docker.base_image = 'x'\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect {
            _ = try ConfigurationFile.load(option: "repo2docker_config.py", currentDirectory: dir, warn: { _ in })
        } throws: { error in
            let text = "\(error)"
            return text.contains("Python configuration file") && text.contains(dir + "/repo2docker_config.json")
        }
        // The default lookup only warns, as repo2docker would have read it silently.
        var warnings: [String] = []
        let settings = try ConfigurationFile.load(option: nil, currentDirectory: dir, warn: { warnings.append($0) })
        #expect(settings.isEmpty && warnings.count == 1 && warnings[0].contains("repo2docker_config.json"))
    }

    @Test("the default file and the JSON twin of a --config base name are read")
    func lookup() throws {
        let dir = try directory(with: ["repo2docker_config.json": #"{"Repo2Docker": {"base_image": "default:1"}}"#])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let byDefault = try ConfigurationFile.load(option: nil, currentDirectory: dir, warn: { _ in })
        #expect(byDefault.map(\.value) == ["default:1"])
        let byBase = try ConfigurationFile.load(option: "repo2docker_config", currentDirectory: dir, warn: { _ in })
        #expect(byBase.map(\.value) == ["default:1"])
        #expect(throws: CommandLineFailure.self) {
            _ = try ConfigurationFile.load(option: "missing.json", currentDirectory: dir, warn: { _ in })
        }
    }

    @Test("json_logs in the file turns the whole output into JSON lines, failures included")
    func jsonLogsFromFile() async throws {
        let dir = try directory(with: ["repo2docker_config.json": #"{"Repo2Docker": {"json_logs": true}}"#])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Root as the image user is refused after parsing, so the run fails without touching a daemon.
        let result = try runProgram(
            ProjectPaths.binary, ["--user-id=0", "/nonexistent"], environment: ["USER": "root"], currentDirectory: dir)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && result.stdout.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        #expect(lines.last?.contains("\"phase\":\"failed\"") == true)
    }
}

@Suite("Generated documentation")
struct GeneratedDocumentationTests {
    @Test("Docs/cli.md is what the command definitions generate (run `make docs` after changing a flag)")
    func cliReferenceIsCurrent() throws {
        let committed = try String(contentsOfFile: ProjectPaths.root + "/Docs/cli.md", encoding: .utf8)
        let generated = CLIReference.markdown()
        #expect(committed == generated)
        // Every flag of the build command appears, so the generator cannot silently drop options.
        for flag in ["--image-name", "--push", "--config", "--json-logs", "--user-id", "--appendix", "--Class.trait"] {
            #expect(generated.contains(flag), "\(flag) missing")
        }
    }
}

@Suite("JSON output under --json-logs")
struct JSONOutputGuardTests {
    @Test("a crash still produces only JSON lines, the runtime's message wrapped, and a final failed line")
    func crashIsJSON() throws {
        let result = try runProgram(ProjectPaths.binary, ["__crash-for-tests", "--json-logs"])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count >= 2, "\(result.stderr)")
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        #expect(result.stderr.contains("deliberate crash requested"))
        #expect(lines.last?.contains("\"phase\":\"failed\"") == true)
    }

    @Test(
        "stray writes to stderr are wrapped, JSON lines pass through unchanged",
        arguments: [
            ("plain text\n", #"{"message":"plain text\n"}"#),
            ("say \"hi\"\t\\\n", #"{"message":"say \"hi\"\t\\\n"}"#),
        ])
    func wrapping(input: String, expected: String) throws {
        let wrapped = String(decoding: JSONOutputGuard.wrap(Array(input.utf8)), as: UTF8.self)
        #expect(wrapped == expected + "\n")
        let object = try JSONSerialization.jsonObject(with: Data(wrapped.utf8)) as? [String: String]
        #expect(object?["message"] == input)
    }
}
