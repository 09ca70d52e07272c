import Foundation
import R2DTestSupport
import Testing

/// A real build through a slow link (Support/throttled-socket.py lets 10 MB/s through) to a real daemon: the
/// 40 MB context takes seconds to travel, and --json-logs says how far it is under `building`, then once that it
/// arrived; the build succeeds as without the link. Both ways a context travels are metered: the tar body to the
/// host dockerd's classic builder, and the BuildKit session's file sync to the containerd-store Docker 26.
@Suite("Build context upload progress on a slow link")
struct UploadProgressTests {
    struct Route: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let target: String
        let backend: String
    }

    static let routes = [
        Route(testDescription: "tar body, classic builder", target: "/var/run/docker.sock", backend: "classic"),
        Route(
            testDescription: "session file sync, BuildKit on the containerd store", target: DindEngine.containerd.socket,
            backend: "buildkit"),
    ]

    @Test(arguments: routes) func slowUploadIsReported(route: Route) throws {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-upload-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = directory + "/repo"
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        // BuildKit asks for the context only when a step reads it; the COPY makes every route send all of it.
        try "FROM swift-r2d/test-base:bookworm\nCOPY data.bin /tmp/data.bin\n".write(
            toFile: repository + "/Dockerfile", atomically: true, encoding: .utf8)
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        try random.readData(ofLength: 40_000_000).write(to: URL(fileURLWithPath: repository + "/data.bin"))
        try random.close()

        let socket = directory + "/engine.sock"
        let link = Process()
        link.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        link.arguments = [
            "python3", ProjectPaths.root + "/Tests/R2DIntegrationTests/Support/throttled-socket.py", socket,
            route.target, "10000000",
        ]
        try link.run()
        defer {
            kill(link.processIdentifier, SIGKILL)
            link.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket), Date() < deadline { usleep(20_000) }

        let image = "r2d-upload-progress:\(UInt32.random(in: 100_000...999_999))"
        defer { _ = try? runProgram("/usr/bin/docker", ["-H", "unix://" + route.target, "rmi", "-f", image]) }
        let result = try runProgram(
            ProjectPaths.binary,
            [
                "build", "--json-logs", "--no-run", "--user-id", "1000", "--user-name", "jovyan", "--network", "host",
                "--build-backend", route.backend, "--image-name", image, repository,
            ], environment: ["DOCKER_HOST": "unix://" + socket])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let upload = lines.filter { ($0["message"] as? String)?.contains("build context: ") == true }
        let sending = upload.compactMap { $0["message"] as? String }.filter { $0.hasPrefix("Sending build context: ") }
        #expect(!sending.isEmpty, "\(result.stderr)")
        #expect(sending.allSatisfy { $0.contains(" of 40.0 MB (") }, "\(sending)")
        #expect((upload.last?["message"] as? String)?.hasPrefix("Sent build context: 40.0 MB in ") == true, "\(upload)")
        #expect(upload.allSatisfy { $0["phase"] as? String == "building" })
    }
}
