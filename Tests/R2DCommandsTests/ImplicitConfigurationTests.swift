import Foundation
import R2DTestSupport
import Testing
@testable import R2DCommands

/// `repo2docker_config.json` found in the working directory without `--config` (Docs/security.md).
@Suite("Implicit configuration is not the repository's")
struct ImplicitConfigurationTests {
    static let config = """
        {"Repo2Docker": {"base_image": "debian:bookworm", "volumes": {"/": "/host"}, "ports": {"8888/tcp": "80"},
                         "run_cmd": ["sh"], "engine": "podman", "appendix": "RUN id", "all_ports": true, "labels": {"a": "b"}}}
        """

    func tree() throws -> String {
        let root = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-implicit-")
        try FileManager.default.createDirectory(atPath: root + "/repo/sub", withIntermediateDirectories: true)
        return root
    }

    @Test("ignored when the working directory is the repository or inside it", arguments: ["repo", "repo/sub"])
    func insideRepository(cwd: String) throws {
        let root = try tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.config.write(toFile: root + "/" + cwd + "/repo2docker_config.json", atomically: true, encoding: .utf8)
        var warnings: [String] = []
        for repository in [root + "/repo", "file://" + root + "/repo", "."] {
            let directory = root + "/" + cwd
            let repo = repository == "." ? directory : repository
            let settings = try ConfigurationFile.load(
                option: nil, currentDirectory: directory, repository: repo, warn: { warnings.append($0) })
            #expect(settings.isEmpty, "\(repository): \(settings)")
        }
        #expect(warnings.count == 3)
        #expect(warnings.allSatisfy { $0.hasPrefix("Ignoring \(root)/\(cwd)/repo2docker_config.json: it belongs to the repository") })
    }

    @Test("outside the repository it is read, without the settings that reach the host")
    func outsideRepository() throws {
        let root = try tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.config.write(toFile: root + "/repo2docker_config.json", atomically: true, encoding: .utf8)
        var warnings: [String] = []
        let settings = try ConfigurationFile.load(
            option: nil, currentDirectory: root, repository: root + "/repo", warn: { warnings.append($0) })
        #expect(Set(settings.map(\.trait)) == ["base_image", "labels"])
        #expect(
            Set(warnings.compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) })
                == [
                    "Repo2Docker.volumes", "Repo2Docker.ports", "Repo2Docker.run_cmd", "Repo2Docker.engine",
                    "Repo2Docker.appendix", "Repo2Docker.all_ports",
                ])
        // Named explicitly, the same file sets everything.
        let explicit = try ConfigurationFile.load(
            option: root + "/repo2docker_config.json", currentDirectory: root,
            repository: root + "/repo", warn: { _ in })
        #expect(explicit.count == 8)
    }

    @Test(
        "a value of an option that starts with '-' stays a value",
        arguments: [
            (["--ref", "-h", "repo"], "--ref=-h"), (["--user-id", "-5", "repo"], "--user-id=-5"),
        ])
    func dashValue(arguments: [String], joined: String) throws {
        let split = ArgumentSplitter.split(arguments)
        #expect(split.options == [joined])
        #expect(!split.has("-h"))
        #expect(split.repo == "repo")
    }
}
