import Foundation
import R2DTestSupport
import Testing

/// `log_level` from a configuration file or `--Repo2Docker.log_level` turns on the same debug lines as
/// `--debug` during a real build on the dockerd that `.ci/run` starts (the Dockerfile, the context's sha256).
@Suite("Debug output from log_level on a real Docker engine", .serialized)
struct OutputOptionsBuildTests {
    @Test(
        "log_level=DEBUG shows what --debug shows; INFO does not",
        arguments: [
            ("config", true), ("trait", true), ("flag", true), ("info", false),
        ])
    func debugLines(source: String, shown: Bool) throws {
        let dir = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-loglevel-")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/repo", withIntermediateDirectories: true)
        try "FROM swift-r2d/test-base:bookworm\n# shown only at debug level\nRUN true\n".write(
            toFile: dir + "/repo/Dockerfile", atomically: true, encoding: .utf8)
        try #"{"Repo2Docker": {"log_level": "DEBUG"}}"#.write(toFile: dir + "/debug.json", atomically: true, encoding: .utf8)
        let image = "swift-r2d-test-loglevel-\(source):\(UInt32.random(in: 0...UInt32.max))"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let chosen: [String] =
            switch source {
            case "config": ["--config", dir + "/debug.json"]
            case "trait": ["--Repo2Docker.log_level=DEBUG"]
            case "flag": ["--debug"]
            default: ["--Repo2Docker.log_level=INFO"]
            }
        let result = try runProgram(
            ProjectPaths.binary,
            chosen + ["--no-run", "--network=host", "--user-id=1000", "--user-name=jovyan", "--image-name", image, dir + "/repo"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Build context: ") == shown, "\(result.stderr)")
        #expect(result.stderr.contains("# shown only at debug level") == shown)
    }
}
