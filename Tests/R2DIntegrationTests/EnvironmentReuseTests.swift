import Foundation
import R2DTestSupport
import Testing

/// Issue 17: an environment built on one node is reused on another that has never built the repository. Two
/// fresh Docker 26 daemons play two BinderHub build nodes, and the loopback registry (htpasswd + TLS) is the
/// deployment's registry. One pair of nodes serves every case, to keep the suite's time small.
@Suite("Reusing an environment across commits and machines", .serialized)
struct EnvironmentReuseTests {
    /// BinderHub's command line (binderhub-and-peers §1.2) plus what this machine needs as
    /// `repo2docker_extra_args`: the test base image, its Python, and host networking (the nodes run
    /// `--bridge=none`).
    static func binderHubArguments(ref: String, image: String) -> [String] {
        [
            "--ref=\(ref)", "--image=\(image)", "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan", "--user-id=1000",
            "--base-image=swift-r2d/test-base:bookworm", "--default-python-version=3.11", "--network=host",
        ]
    }

    static let notebook = #"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#

    /// The three commits: a requirements.txt repository; a notebook edit; a requirements change.
    struct Commits {
        let repo: TemporaryGitRepository
        let first: String, second: String, third: String
    }

    static func makeCommits() throws -> Commits {
        let repo = try TemporaryGitRepository(prefix: "r2d-envreuse-")
        let time = GeneratedEnvironmentTests.uniqueCommitTime()
        try repo.write("requirements.txt", "tabulate==0.10.0\n")
        try repo.write("index.ipynb", notebook)
        let first = try repo.commit(message: "environment", time: time)
        try repo.write(
            "index.ipynb",
            notebook.replacingOccurrences(of: "[]", with: #"[{"cell_type": "markdown", "metadata": {}, "source": ["edited"]}]"#))
        let second = try repo.commit(message: "notebook edit", time: time + 60)
        try repo.write("requirements.txt", "tabulate==0.9.0\n")
        let third = try repo.commit(message: "requirements change", time: time + 120)
        return Commits(repo: repo, first: first, second: second, third: third)
    }

    struct Run {
        var status: Int32
        var lines: [[String: Any]]
        var raw: String

        func messages(phase: String? = nil) -> [String] {
            lines.filter { phase == nil || ($0["phase"] as? String) == phase }.compactMap { $0["message"] as? String }
        }
        /// The one line saying which environment was reused, or why none was.
        var reuseLines: [String] { messages(phase: "building").filter { $0.hasPrefix("Environment reuse: ") } }
        /// Whether any package was installed (the environment's uv and apt steps, as the builder prints them).
        var installedPackages: Bool { messages().contains { $0.contains("uv pip install") || $0.contains("apt-get") } }
    }

    static func swiftR2D(_ arguments: [String], node: FreshDindNode, registry: TestRegistry, config: String) throws -> Run {
        let environment = [
            "DOCKER_HOST": node.dockerHost, "DOCKER_CONFIG": config, "SWIFT_R2D_REGISTRY_CERTS_D": registry.certificatesDirectory,
            "CONTAINER_ENGINE_REGISTRY_CREDENTIALS": "", "HOME": "/nonexistent-home",
        ]
        let result = try runProgram(ProjectPaths.binary, arguments, environment: environment)
        var lines: [[String: Any]] = []
        for line in (result.stdout + result.stderr).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { lines.append(object) }
        }
        return Run(status: result.status, lines: lines, raw: result.stdout + result.stderr)
    }

    @Test(
        "BinderHub's command line: commit 1 on node A, a notebook edit on a fresh node B installs nothing, a requirements change rebuilds; then --env-cache without --push"
    )
    func reuseAcrossNodes() throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let config = try registry.makeDockerConfig()
        let commits = try Self.makeCommits()
        defer { commits.repo.remove() }
        var nodeA: FreshDindNode? = try FreshDindNode(label: "a", certificates: registry.certificatesDirectory)
        defer { nodeA?.remove() }
        let nodeB = try FreshDindNode(label: "b", certificates: registry.certificatesDirectory)
        defer { nodeB.remove() }
        let repository = "\(registry.host)/swift-r2d-test/envreuse"
        let image = { (sha: String) in "\(repository):\(sha)" }
        let run = { (arguments: [String], node: FreshDindNode) in
            try Self.swiftR2D(arguments + [commits.repo.fileURL], node: node, registry: registry, config: config)
        }

        // Commit 1 on node A: no environment yet; it is built, and stored beside the image.
        let first = try run(Self.binderHubArguments(ref: commits.first, image: image(commits.first)) + ["--push"], nodeA!)
        #expect(first.status == 0, "\(first.raw.suffix(4000))")
        #expect(
            first.reuseLines.count == 1 && first.reuseLines.first?.contains("is not in the registry yet") == true, "\(first.reuseLines)")
        #expect(first.installedPackages)
        #expect(registry.manifestStatus(repository: "swift-r2d-test/envreuse", tag: commits.first) == 200)
        let environmentTag = try #require(Self.environmentTag(in: first))
        #expect(registry.manifestStatus(repository: "swift-r2d-test/envreuse", tag: environmentTag) == 200)
        #expect(try nodeA!.repositoryTags().filter { $0.contains("r2d-env-") }.isEmpty, "environment tags left on node A")
        nodeA!.remove()
        nodeA = nil

        // Commit 2 (a notebook edit) on node B, which has never built this repository: nothing is installed.
        let second = try run(Self.binderHubArguments(ref: commits.second, image: image(commits.second)) + ["--push"], nodeB)
        #expect(second.status == 0, "\(second.raw.suffix(4000))")
        #expect(
            second.reuseLines == [
                "Environment reuse: reused \(repository):\(environmentTag); building only the repository copy and the steps after it.\n"
            ])
        #expect(!second.installedPackages, "\(second.messages(phase: "building").joined().suffix(4000))")
        #expect(registry.manifestStatus(repository: "swift-r2d-test/envreuse", tag: commits.second) == 200)
        let check = try nodeB.runContainer(
            image: image(commits.second),
            command: ["python", "-c", "import tabulate; assert tabulate.__version__ == '0.10.0'; print('envreuse-ok')"])
        #expect(check.status == 0 && check.output.contains("envreuse-ok"), "\(check.output.suffix(2000))")
        #expect(try nodeB.runContainer(image: image(commits.second), command: ["grep", "-q", "edited", "index.ipynb"]).status == 0)

        // Commit 3 changes requirements.txt: another environment, built (not reused).
        let third = try run(Self.binderHubArguments(ref: commits.third, image: image(commits.third)) + ["--push"], nodeB)
        #expect(third.status == 0, "\(third.raw.suffix(4000))")
        #expect(
            third.reuseLines.count == 1 && third.reuseLines.first?.contains("is not in the registry yet") == true, "\(third.reuseLines)")
        #expect(third.installedPackages)
        #expect(Self.environmentTag(in: third) != environmentTag)

        try envCacheWithoutPush(commits: commits, nodeB: nodeB, registry: registry, config: config)
    }

    /// The same with `--env-cache <registry>/<repository>` and no `--push` (a CI pipeline): commit 1 on node B
    /// stores its environment there; commit 2 on a fresh node reuses it; commit 3 builds its own.
    func envCacheWithoutPush(commits: Commits, nodeB: FreshDindNode, registry: TestRegistry, config: String) throws {
        let cache = "\(registry.host)/swift-r2d-test/ci-envs"
        let arguments = { (sha: String) in
            Self.binderHubArguments(ref: sha, image: "swift-r2d-test-envreuse-ci:\(sha)") + ["--env-cache=\(cache)"]
        }
        let run = { (sha: String, node: FreshDindNode) in
            try Self.swiftR2D(arguments(sha) + [commits.repo.fileURL], node: node, registry: registry, config: config)
        }
        let first = try run(commits.first, nodeB)
        #expect(first.status == 0, "\(first.raw.suffix(4000))")
        #expect(
            first.reuseLines.first?.contains("\(cache):r2d-env-") == true
                && first.reuseLines.first?.contains("not in the registry yet") == true)
        let environmentTag = try #require(Self.environmentTag(in: first))
        #expect(registry.manifestStatus(repository: "swift-r2d-test/ci-envs", tag: environmentTag) == 200)

        let nodeC = try FreshDindNode(label: "c", certificates: registry.certificatesDirectory)
        defer { nodeC.remove() }
        let second = try run(commits.second, nodeC)
        #expect(second.status == 0, "\(second.raw.suffix(4000))")
        #expect(
            second.reuseLines == [
                "Environment reuse: reused \(cache):\(environmentTag); building only the repository copy and the steps after it.\n"
            ])
        #expect(!second.installedPackages)
        #expect(try nodeC.inspect("swift-r2d-test-envreuse-ci:\(commits.second)") != nil)

        let third = try run(commits.third, nodeB)
        #expect(third.status == 0, "\(third.raw.suffix(4000))")
        #expect(third.reuseLines.first?.contains("not in the registry yet") == true, "\(third.reuseLines)")
    }

    /// The `r2d-env-<identity>` tag a run names in its reuse line.
    static func environmentTag(in run: Run) -> String? {
        guard let line = run.reuseLines.first, let range = line.range(of: "r2d-env-") else { return nil }
        return "r2d-env-" + line[range.upperBound...].prefix { $0.isHexDigit }
    }
}
