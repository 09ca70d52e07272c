import Foundation
import Testing
@testable import R2DCommands
@testable import R2DCore

@Suite("Limits: --max-repo-size, --build-timeout, --push-stall-timeout")
struct LimitSettingsTests {
    func request(_ arguments: [String]) throws -> BuildRequest {
        let split = ArgumentSplitter.split(["--user-id", "1000"] + arguments)
        let flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        return try RequestBuilder(environment: ["USER": "me"], warn: { _ in })
            .makeRequest(flags, traits: split.traits, command: split.command)
    }

    /// The one-line failure a command line ends with, or nil when it is accepted.
    func refusal(_ arguments: [String]) -> CommandLineFailure? {
        do {
            _ = try request(arguments)
            return nil
        } catch let failure as CommandLineFailure {
            return failure
        } catch {
            return CommandLineFailure(description: "unexpected \(error)", exitCode: -1)
        }
    }

    @Test("defaults: no size cap, no deadline, a push may stall for 300 s")
    func defaults() throws {
        let limits = try request(["repo"]).limits
        #expect(limits.maximumRepositoryBytes == nil && limits.buildTimeoutSeconds == nil)
        #expect(limits.pushStallTimeoutSeconds == 300)
    }

    static let settings: [([String], Int64?, Int64?, Int64)] = [
        (["--max-repo-size", "2G", "repo"], Int64(2) << 30, nil as Int64?, Int64(300)),
        (["--max-repo-size=1.5G", "--build-timeout", "3600", "repo"], Int64(3) << 29, 3600, 300),
        (["--Repo2Docker.max_repo_size=500M", "--Repo2Docker.build_timeout=60", "repo"], Int64(500) << 20, 60, 300),
        (["--Repo2Docker.push_stall_timeout=7", "--push-stall-timeout", "3", "repo"], nil, nil, 3),
        (["--Repo2Docker.max_repo_size=1G", "--max-repo-size", "1048576", "repo"], Int64(1_048_576), nil, 300),
        (["--max-repo-size", "1M", "--Repo2Docker.max_repo_size=None", "repo"], Int64(1) << 20, nil, 300),
        (["--Repo2Docker.max_repo_size=None", "--Repo2Docker.build_timeout=None", "repo"], nil, nil, 300),
    ]

    @Test("flags and traits set the limits; the flag wins", arguments: settings)
    func sets(arguments: [String], size: Int64?, timeout: Int64?, stall: Int64) throws {
        let limits = try request(arguments).limits
        #expect(limits.maximumRepositoryBytes == size)
        #expect(limits.buildTimeoutSeconds == timeout)
        #expect(limits.pushStallTimeoutSeconds == stall)
    }

    static let refusals: [([String], String)] = [
        (["--max-repo-size", "2X", "repo"], "--max-repo-size=2X: expected a size such as 500M, 2G, 1.5G or 1048576"),
        (["--max-repo-size", "0", "repo"], "--max-repo-size=0: expected a size such as"),
        (["--max-repo-size", "None", "repo"], "--max-repo-size=None: expected a size such as"),
        (["--Repo2Docker.max_repo_size=-5M", "repo"], "--Repo2Docker.max_repo_size=-5M: expected a size such as"),
        (["--build-timeout", "0", "repo"], "--build-timeout=0: expected a whole number of seconds, more than zero."),
        (["--build-timeout", "1.5", "repo"], "--build-timeout=1.5: expected a whole number of seconds, more than zero."),
        (["--push-stall-timeout", "soon", "repo"], "--push-stall-timeout=soon: expected a whole number of seconds"),
        (["--Repo2Docker.push_stall_timeout=None", "repo"], "--Repo2Docker.push_stall_timeout=None: expected a whole number"),
    ]

    @Test("a bad value is one line naming the flag or trait, exit 2", arguments: refusals)
    func refuses(arguments: [String], prefix: String) throws {
        let failure = try #require(refusal(arguments))
        #expect(failure.exitCode == 2)
        #expect(failure.description.hasPrefix(prefix), "\(failure.description)")
        #expect(!failure.description.contains("\n"))
    }

    @Test("the configuration file knows the three traits")
    func configurationFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-limits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/config.json"
        try #"{"Repo2Docker": {"max_repo_size": "2G", "build_timeout": 3600, "push_stall_timeout": 60}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let traits = try ConfigurationFile.load(option: path, currentDirectory: directory, repository: nil, warn: { _ in })
        let split = ArgumentSplitter.split(["--user-id", "1000", "repo"])
        let flags = try BuildCommand.parse(split.options + ["--", "repo"])
        let request = try RequestBuilder(environment: ["USER": "me"], warn: { _ in }).makeRequest(flags, traits: traits, command: [])
        #expect(request.limits.maximumRepositoryBytes == Int64(2) << 30)
        #expect(request.limits.buildTimeoutSeconds == 3600 && request.limits.pushStallTimeoutSeconds == 60)
    }
}
