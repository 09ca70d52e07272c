import Foundation
import R2DBuildpacks
import R2DTestSupport
import Testing

/// The Dockerfile rendered for every fixture repository, compared with a recorded copy in Golden/.
/// `RECORD_GOLDEN=1 swift test --filter GoldenDockerfileTests` rewrites the recorded copies instead.
@Suite("Golden Dockerfiles of the fixture repositories")
struct GoldenDockerfileTests {
    static let groups = ["venv", "base", "pyproject", "pipfile", "dockerfile", "conda", "r", "julia", "nix", "forms", "uv", "pixi"]
    /// A fixed "today" (2026-03-12), so an R repository without a snapshot date renders the same every day.
    static let options = RenderOptions(
        baseImage: "swift-r2d/test-base:bookworm", appendix: "RUN echo appendix > /tmp/appendix", platform: "linux/amd64",
        today: Date(timeIntervalSince1970: 1_773_273_600))
    static let defaultPython = "3.11"
    static let goldenDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.appendingPathComponent("Golden").path
    }()
    static let recording = ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1"

    /// Every fixture directory with a `verify` file, as "group/relative/path", sorted.
    static let fixtures: [String] = groups.flatMap { group -> [String] in
        guard let walker = FileManager.default.enumerator(atPath: ProjectPaths.fixture(group)) else { return [] }
        return walker.compactMap { item -> String? in
            guard let path = item as? String, (path as NSString).lastPathComponent == "verify" else { return nil }
            return group + "/" + (path as NSString).deletingLastPathComponent
        }
    }.sorted()

    /// Golden/<fixture path with "/" → "__">.Dockerfile
    static func goldenPath(_ fixture: String) -> String {
        goldenDirectory + "/" + fixture.replacingOccurrences(of: "/", with: "__") + ".Dockerfile"
    }

    /// Renders a fixture with the same fixed settings the integration tests pass on the command line.
    static func render(_ fixture: String, options: RenderOptions = options) throws -> String {
        let snapshot = try RepoSnapshot(root: ProjectPaths.fixture(fixture))
        let plan = try BuildpackChain.detect(snapshot, defaultPython: defaultPython)
        return try DockerfileRenderer.render(plan, snapshot: snapshot, options: options)
    }

    @Test("every fixture group is present", arguments: groups)
    func groupHasFixtures(group: String) {
        #expect(Self.fixtures.contains { $0.hasPrefix(group + "/") })
    }

    @Test("rendered Dockerfile matches Golden/", arguments: fixtures)
    func matchesGolden(fixture: String) throws {
        try Self.expectGolden(try Self.render(fixture), fixture: fixture, path: Self.goldenPath(fixture), directory: Self.goldenDirectory)
    }

    /// Compares a rendering with its recorded copy, or records it under RECORD_GOLDEN=1 (both golden directories).
    static func expectGolden(_ rendered: String, fixture: String, path: String, directory: String) throws {
        if recording {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("no golden file \(path); record it with RECORD_GOLDEN=1")
            return
        }
        #expect(rendered == golden, "\(fixture) renders differently from \(path):\n\(firstDifference(golden, rendered))")
    }

    @Test("rendering is deterministic", arguments: fixtures)
    func deterministic(fixture: String) throws {
        #expect(try Self.render(fixture) == Self.render(fixture))
    }

    @Test("no stale golden files")
    func noStaleGoldens() throws {
        let expected = Set(Self.fixtures.map { (Self.goldenPath($0) as NSString).lastPathComponent })
        let present = (try? FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory)) ?? []
        let stale = present.filter { $0.hasSuffix(".Dockerfile") && !expected.contains($0) }
        #expect(stale.isEmpty, "golden files without a fixture: \(stale)")
    }

    /// The first differing line of two texts, numbered, to keep failure messages short.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let a = expected.components(separatedBy: "\n"), b = actual.components(separatedBy: "\n")
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? a[index] : "<end>", right = index < b.count ? b[index] : "<end>"
            if left != right { return "line \(index + 1):\n  golden:   \(left)\n  rendered: \(right)" }
        }
        return "(no line differs)"
    }
}
