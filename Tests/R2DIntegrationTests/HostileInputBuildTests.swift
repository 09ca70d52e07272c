import Foundation
import R2DTestSupport
import Testing

/// Hostile repository content against the real daemon: refused before the daemon is asked to build anything.
@Suite("Hostile input on the real daemon", .serialized)
struct HostileInputBuildTests {
    /// The daemon's events between two times (containers, images, builds): empty when nothing was asked of it.
    static func events(since: Int, until: Int) throws -> [String] {
        let result = try runProgram(
            "/usr/bin/curl",
            [
                "-sf", "--unix-socket", GeneratedEnvironmentTests.socketPath,
                "http://d/events?since=\(since)&until=\(until)",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test(
        "an apt.txt injection is refused before any build, and nothing runs",
        arguments: [
            "curl;touch /tmp/swift-r2d-pwned", "curl$(touch /tmp/swift-r2d-pwned)", "-o APT::Get::AllowUnauthenticated=true",
        ])
    func aptInjection(line: String) throws {
        let repo = try TemporaryGitRepository(files: ["apt.txt": "vim\n" + line + "\n", "requirements.txt": ""])
        defer { repo.remove() }
        _ = try repo.commit(message: "hostile apt.txt", time: GeneratedEnvironmentTests.uniqueCommitTime())
        let image = "swift-r2d-hostile-apt:1"
        let before = Int(Date().timeIntervalSince1970) - 1
        let result = try runProgram(
            ProjectPaths.binary,
            [
                "--no-run", "--user-id=1000", "--user-name=jovyan", "--network=host",
                "--base-image", "swift-r2d/test-base:bookworm", "--image-name", image, repo.path,
            ])
        let after = Int(Date().timeIntervalSince1970) + 1
        #expect(result.status == 1, "\(result.stderr)")
        let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("Found invalid package name \""), "\(result.stderr)")
        #expect(last.contains("in apt.txt:2;"), "\(last)")
        // Unrefused, each line builds (apt-get installs vim and curl) and tags the image. Other suites may use
        // the daemon meanwhile, so only events naming this image count.
        let events = try Self.events(since: before, until: after)
        #expect(events.filter { $0.contains("swift-r2d-hostile-apt") }.isEmpty, "\(events)")
        let inspect = try runProgram(
            "/usr/bin/curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket",
                GeneratedEnvironmentTests.socketPath, "http://d/images/\(image)/json",
            ])
        #expect(inspect.stdout == "404")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/swift-r2d-pwned"))
    }
}
