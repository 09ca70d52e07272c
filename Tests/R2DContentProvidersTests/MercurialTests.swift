import Foundation
import R2DContentProviders
import R2DTestSupport
import Testing

/// Mercurial through Debian's real hg (and hg-evolve for topics).
@Suite("Mercurial with a real hg", .serialized)
struct MercurialTests {
    /// A repository with two public changesets on default and one draft changeset on topic `feature`.
    struct HgRepository {
        let root: String
        var path: String { root + "/repo" }
        var nodes: [String: String] = [:]

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-hg-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try hg(["init", path], in: root)
            try write("README", "first\n")
            try hg(["add", "README"])
            try hg(["commit", "-m", "first"])
            nodes["first"] = try hg(["identify", "-i"])
            try write("README", "second\n")
            try hg(["commit", "-m", "second"])
            nodes["second"] = try hg(["identify", "-i"])
            try hg(["topic", "feature"])
            try write("feature.txt", "topic work\n")
            try hg(["add", "feature.txt"])
            try hg(["commit", "-m", "topic work"])
            nodes["feature"] = try hg(["identify", "-i"])
            try hg(["update", "default"])
        }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }

        @discardableResult
        func hg(_ arguments: [String], in directory: String? = nil) throws -> String {
            let result = try runProgram(
                "/usr/bin/hg", arguments + ["--config", "extensions.topic=", "--config", "ui.username=test <t@example.org>"],
                environment: ["HGPLAIN": "1"], currentDirectory: directory ?? path)
            guard result.status == 0 else {
                throw ProviderError.mercurialFailed(input: path, command: arguments.joined(separator: " "), output: result.stderr)
            }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    func fetch(_ repo: HgRepository, ref: String?) async throws -> (id: String, workspace: Workspace) {
        let session = ProviderSession(settings: ProviderSettings()) { _ in }
        defer { Task { await session.shutdown() } }
        let source = try #require(try await MercurialProvider().detect(repo.path, ref: ref, session: session))
        #expect(source.providerName == "Mercurial")
        let workspace = try Workspace()
        return (try await source.fetch(into: workspace.out, session: session), workspace)
    }

    @Test("clone without a ref gives the default head; the content id is hg identify -i")
    func cloneDefault() async throws {
        let repo = try await offThePool { try HgRepository() }
        defer { repo.remove() }
        let (id, workspace) = try await fetch(repo, ref: nil)
        defer { workspace.remove() }
        #expect(id == repo.nodes["second"])
        #expect(workspace.read("README") == "second\n")
        #expect(!FileManager.default.fileExists(atPath: workspace.out + "/feature.txt"))
    }

    @Test("--ref selects a revision or a topic", arguments: [("first", "first"), ("feature", "feature"), ("default", "second")])
    func ref(ref: String, node: String) async throws {
        let repo = try await offThePool { try HgRepository() }
        defer { repo.remove() }
        let selector = ref == "first" ? try #require(repo.nodes["first"]) : ref
        let (id, workspace) = try await fetch(repo, ref: selector)
        defer { workspace.remove() }
        #expect(id == repo.nodes[node])
        #expect(FileManager.default.fileExists(atPath: workspace.out + "/feature.txt") == (ref == "feature"))
    }

    @Test("an unknown ref is an error naming it")
    func badRef() async throws {
        let repo = try await offThePool { try HgRepository() }
        defer { repo.remove() }
        await #expect(throws: ProviderError.mercurialRefNotFound(input: repo.path, ref: "no-such-ref")) {
            _ = try await fetch(repo, ref: "no-such-ref")
        }
    }

    @Test("a failing hg clone is one line naming the command and the first line of its stderr")
    func cloneFails() async throws {
        let repo = try await offThePool { try HgRepository() }
        let session = ProviderSession(settings: ProviderSettings()) { _ in }
        defer { Task { await session.shutdown() } }
        let source = try #require(try await MercurialProvider().detect(repo.path, ref: nil, session: session))
        repo.remove()
        let workspace = try Workspace()
        defer { workspace.remove() }
        do {
            _ = try await source.fetch(into: workspace.out, session: session)
            Issue.record("the clone of a removed repository succeeded")
        } catch let error as ProviderError {
            guard case .mercurialFailed(let input, let command, let output) = error else { Issue.record("\(error)"); return }
            #expect(input == repo.path && command == "hg clone")
            #expect(output.hasPrefix("abort: "), "\(output)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test("an hg clone that outlasts the fetch timeout is stopped, in one line")
    func cloneTimesOut() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // A stand-in hg: identify succeeds, clone never ends.
        let fake = workspace.root + "/hg"
        try "#!/bin/sh\ncase \"$1\" in identify) exit 0 ;; clone) exec sleep 3600 ;; esac\nexit 1\n"
            .write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        var settings = ProviderSettings()
        settings.hgProgram = fake
        settings.timeoutSeconds = 1
        let session = ProviderSession(settings: settings) { _ in }
        defer { Task { await session.shutdown() } }
        let source = try #require(try await MercurialProvider().detect("http://127.0.0.1:9/hg", ref: nil, session: session))
        let start = Date()
        await #expect(
            throws: ProviderError.mercurialFailed(
                input: "http://127.0.0.1:9/hg", command: "hg clone",
                output: "it did not finish within 1 s and was stopped; raise --fetch-timeout")
        ) {
            _ = try await source.fetch(into: workspace.out, session: session)
        }
        // The stand-in sleeps an hour; the bound only catches a hang (the parallel suite can stall for minutes).
        #expect(Date().timeIntervalSince(start) < 900)
    }

    @Test("a repository served over http by hg serve is detected by hg identify and cloned at a topic")
    func served() async throws {
        let repo = try await offThePool { try HgRepository() }
        defer { repo.remove() }
        let port = Int.random(in: 20_000...60_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/hg")
        server.arguments = [
            "serve", "-R", repo.path, "-a", "127.0.0.1", "-p", String(port), "--config", "extensions.topic=",
            "--config", "phases.publish=False",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // hg serve may ignore SIGTERM while serving.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let url = "http://127.0.0.1:\(port)/"
        // Wait for the server to listen.
        try await offThePool {
            for _ in 0..<100 {
                if (try? runProgram("/usr/bin/hg", ["identify", url]))?.status == 0 { break }
                usleep(100_000)
            }
        }

        let session = ProviderSession(settings: ProviderSettings()) { _ in }
        defer { Task { await session.shutdown() } }
        let source = try #require(try await ContentProviders.detect(url, ref: "feature", session: session))
        #expect(source.providerName == "Mercurial")
        let workspace = try Workspace()
        defer { workspace.remove() }
        #expect(try await source.fetch(into: workspace.out, session: session) == repo.nodes["feature"])
        #expect(workspace.read("feature.txt") == "topic work\n")
    }

    @Test("git repositories and GitHub URLs are not Mercurial")
    func notMercurial() async throws {
        let (git, _) = try TemporaryGitRepository.fromFixture("dockerfile/simple")
        defer { git.remove() }
        let session = ProviderSession(settings: ProviderSettings()) { _ in }
        defer { Task { await session.shutdown() } }
        #expect(try await MercurialProvider().detect(git.fileURL, ref: nil, session: session) == nil)
        #expect(try await MercurialProvider().detect("https://github.com/binder-examples/requirements", ref: nil, session: session) == nil)
        #expect(session.requestedURLs.isEmpty)
    }
}
