import Foundation
import R2DBasics
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
        /// The notebook edit's commit time.
        let secondTime: Int64
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
        return Commits(repo: repo, first: first, second: second, third: third, secondTime: Int64(time + 60))
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
        "BinderHub's command line: commits 1 and 3 (requirements changed) build their environments on node A; a notebook edit on a fresh node B installs nothing; the same with --env-cache and no --push"
    )
    func reuseAcrossNodes() throws {
        let registry = try TestRegistry()
        defer { registry.close() }
        let config = try registry.makeDockerConfig()
        let commits = try Self.makeCommits()
        defer { commits.repo.remove() }
        var nodeA: FreshDindNode? = try FreshDindNode(label: "a", certificates: registry.certificatesDirectory)
        defer { nodeA?.remove() }
        let scene = Scene(registry: registry, config: config, commits: commits)

        // Node A builds what needs an environment, while it has its layer cache: commit 1, then commit 3, each
        // with --push and with --env-cache alone. Every one of them finds no environment and stores its own.
        let firstEnvironment = try scene.buildsEnvironment(commits.first, pushing: true, on: nodeA!)
        let thirdEnvironment = try scene.buildsEnvironment(commits.third, pushing: true, on: nodeA!)
        #expect(thirdEnvironment != firstEnvironment, "a requirements change must be another environment")
        let cachedFirst = try scene.buildsEnvironment(commits.first, pushing: false, on: nodeA!)
        #expect(cachedFirst == firstEnvironment, "the identity does not depend on the image name or on --push")
        _ = try scene.buildsEnvironment(commits.third, pushing: false, on: nodeA!)
        #expect(try nodeA!.repositoryTags().filter { $0.contains("r2d-env-") }.isEmpty, "environment tags left on node A")
        nodeA!.remove()
        nodeA = nil

        // Commit 2 (a notebook edit) on node B, which has never built this repository: nothing is installed, and
        // the image works.
        let nodeB = try FreshDindNode(label: "b", certificates: registry.certificatesDirectory)
        defer { nodeB.remove() }
        try scene.reusesEnvironment(firstEnvironment, commit: commits.second, pushing: true, on: nodeB)
        let image = scene.imageName(commits.second, pushing: true)
        // BinderHub's run composed the image in the registry: node B pulls it as a launch would.
        #expect(try nodeB.inspect(image) == nil, "a composed image is not built on the engine")
        #expect(try nodeB.pull(image, user: TestRegistry.user, password: TestRegistry.password, registry: registry.host))
        let inspected = try #require(try nodeB.inspect(image))
        let labels = (inspected["Config"] as? [String: Any])?["Labels"] as? [String: String]
        #expect(labels?["repo2docker.ref"] == commits.second, "\(labels ?? [:])")
        #expect(
            (inspected["Created"] as? String)?.hasPrefix(UTCTimestamp(secondsSinceEpoch: commits.secondTime).iso8601.dropLast()) == true)
        let owners = try nodeB.runContainer(
            image: image, command: ["stat", "-c", "%n %U %a", "/home/jovyan", "/home/jovyan/index.ipynb", "/usr/local/bin"])
        #expect(owners.output.contains("/home/jovyan jovyan 755") && owners.output.contains("index.ipynb jovyan 644"), "\(owners.output)")
        #expect(owners.output.contains("/usr/local/bin root 755"), "\(owners.output)")
        let check = try nodeB.runContainer(
            image: image, command: ["python", "-c", "import tabulate; assert tabulate.__version__ == '0.10.0'; print('envreuse-ok')"])
        #expect(check.status == 0 && check.output.contains("envreuse-ok"), "\(check.output.suffix(2000))")
        #expect(try nodeB.runContainer(image: image, command: ["grep", "-q", "edited", "index.ipynb"]).status == 0)
        #expect(try nodeB.repositoryTags().filter { $0.contains("r2d-env-") }.isEmpty, "environment tags left on node B")

        // The same without --push: the environment comes from the repository --env-cache names.
        try scene.reusesEnvironment(firstEnvironment, commit: commits.second, pushing: false, on: nodeB)
        let ciCheck = try nodeB.runContainer(
            image: scene.imageName(commits.second, pushing: false), command: ["python", "-c", "import tabulate"])
        #expect(ciCheck.status == 0, "\(ciCheck.output.suffix(2000))")
    }

    /// The registry, credentials and commits of a test, and the two command lines: BinderHub's with --push, and
    /// a CI pipeline's with --env-cache (a local image name, nothing pushed but the environment).
    struct Scene {
        let registry: TestRegistry
        let config: String
        let commits: Commits
        var repository: String { "\(registry.host)/swift-r2d-test/envreuse" }
        var cache: String { "\(registry.host)/swift-r2d-test/ci-envs" }

        func imageName(_ sha: String, pushing: Bool) -> String {
            pushing ? "\(repository):\(sha)" : "swift-r2d-test-envreuse-ci:\(sha)"
        }

        func build(_ sha: String, pushing: Bool, on node: FreshDindNode) throws -> Run {
            let extra = pushing ? ["--push"] : ["--env-cache=\(cache)"]
            return try EnvironmentReuseTests.swiftR2D(
                EnvironmentReuseTests.binderHubArguments(ref: sha, image: imageName(sha, pushing: pushing)) + extra + [
                    commits.repo.fileURL
                ],
                node: node, registry: registry, config: config)
        }

        /// Builds a commit that finds no environment; checks it built one and stored it. Returns its tag.
        func buildsEnvironment(
            _ sha: String, pushing: Bool, on node: FreshDindNode, sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> String {
            let run = try build(sha, pushing: pushing, on: node)
            let (stored, repositoryPath) = pushing ? (repository, "swift-r2d-test/envreuse") : (cache, "swift-r2d-test/ci-envs")
            #expect(run.status == 0, "\(run.raw.suffix(4000))", sourceLocation: sourceLocation)
            #expect(run.reuseLines.count == 1, "\(run.reuseLines)", sourceLocation: sourceLocation)
            #expect(
                run.reuseLines.first?.hasPrefix("Environment reuse: none (\(stored):r2d-env-") == true
                    && run.reuseLines.first?.contains("is not in the registry yet") == true, "\(run.reuseLines)",
                sourceLocation: sourceLocation)
            #expect(run.installedPackages, sourceLocation: sourceLocation)
            let tag = try #require(EnvironmentReuseTests.environmentTag(in: run), sourceLocation: sourceLocation)
            #expect(registry.manifestStatus(repository: repositoryPath, tag: tag) == 200, sourceLocation: sourceLocation)
            if pushing {
                #expect(registry.manifestStatus(repository: "swift-r2d-test/envreuse", tag: sha) == 200, sourceLocation: sourceLocation)
            }
            return tag
        }

        /// Builds a commit whose environment is in the registry; checks it was reused and nothing installed.
        func reusesEnvironment(
            _ tag: String, commit sha: String, pushing: Bool, on node: FreshDindNode, sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let run = try build(sha, pushing: pushing, on: node)
            let stored = pushing ? repository : cache
            // With --push (and BinderHub's --no-run) the image is composed in the registry; without, built on it.
            let how =
                pushing
                ? "composing the repository copy and the steps after it in the registry (nothing to pull or run)"
                : "building only the repository copy and the steps after it"
            #expect(run.status == 0, "\(run.raw.suffix(4000))", sourceLocation: sourceLocation)
            #expect(
                run.reuseLines == ["Environment reuse: reused \(stored):\(tag); \(how).\n"], "\(run.reuseLines)",
                sourceLocation: sourceLocation)
            #expect(!run.installedPackages, "\(run.messages(phase: "building").joined().suffix(4000))", sourceLocation: sourceLocation)
            if pushing {
                #expect(registry.manifestStatus(repository: "swift-r2d-test/envreuse", tag: sha) == 200, sourceLocation: sourceLocation)
            }
            if !pushing { #expect(try node.inspect(imageName(sha, pushing: pushing)) != nil, sourceLocation: sourceLocation) }
        }
    }

    /// The `r2d-env-<identity>` tag a run names in its reuse line.
    static func environmentTag(in run: Run) -> String? {
        guard let line = run.reuseLines.first, let range = line.range(of: "r2d-env-") else { return nil }
        return "r2d-env-" + line[range.upperBound...].prefix { $0.isHexDigit }
    }
}
