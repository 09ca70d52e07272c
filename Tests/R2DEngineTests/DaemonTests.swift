import Foundation
import R2DEngine
import Testing

/// Tests against the real engine named by DOCKER_HOST (default /var/run/docker.sock). They fail when it is absent.
/// The image is `FROM scratch` with the host's static busybox, because no registry is reachable.
@Suite(.serialized) struct DaemonTests {
    static let busyboxPath = "/bin/busybox"

    private func makeClient() throws -> EngineClient {
        try EngineClient(endpoint: try EngineEndpoint.fromEnvironment(ProcessInfo.processInfo.environment))
    }

    /// Runs `body` with a client and a freshly built test image, removing the image afterwards.
    private func withTestImage(
        _ body: (EngineClient, String, Collector<BuildEvent>) async throws -> Void
    ) async throws {
        let client = try makeClient()
        let busybox = try #require(
            FileManager.default.contents(atPath: Self.busyboxPath),
            "the daemon tests need a static busybox at \(Self.busyboxPath) (apt-get install busybox-static)")
        var tar = TarWriter()
        tar.addFile("Dockerfile", Array("FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello /hello\nWORKDIR /srv\n".utf8))
        tar.addFile("busybox", Array(busybox), mode: 0o755)
        tar.addFile("hello", Array("hello from r2d\n".utf8))
        let events = Collector<BuildEvent>()
        var imageID: String?
        do {
            let label = UUID().uuidString
            let id = try await client.build(
                context: chunkStream(split(tar.finish(), size: 64 * 1024)),
                options: BuildOptions(labels: ["r2d.engine-test": label], networkMode: "host"),
                onEvent: { events.append($0) })
            imageID = id
            try await body(client, id, events)
            try await client.removeImage(id, force: true)
            await client.shutdown()
        } catch {
            if let imageID { try? await client.removeImage(imageID, force: true) }
            await client.shutdown()
            throw error
        }
    }

    @Test func negotiatesAndReportsVersion() async throws {
        let client = try makeClient()
        do {
            let negotiated = try await client.negotiateVersion()
            let version = try await client.version()
            await client.shutdown()
            let newerThanClient = version.apiVersion.compare("1.43", options: .numeric) == .orderedDescending
            #expect(negotiated == (newerThanClient ? "1.43" : version.apiVersion))
            #expect(!version.version.isEmpty)
            #expect(version.os == "linux")
        } catch {
            await client.shutdown()
            throw error
        }
    }

    @Test func buildsInspectsTagsAndRemoves() async throws {
        try await withTestImage { client, id, events in
            #expect(id.hasPrefix("sha256:") && id.count == 71)
            let outputs = events.values.compactMap { if case .output(let text) = $0 { text } else { nil } }
            #expect(outputs.contains { $0.contains("COPY hello /hello") })
            #expect(events.values.contains(.imageID(id)))

            let image = try #require(try await client.inspectImage(id))
            #expect(image.id == id)
            #expect(image.workingDir == "/srv")
            #expect(image.labels["r2d.engine-test"] != nil)
            #expect(!image.created.isEmpty)

            let repository = "r2d-engine-test-\(UUID().uuidString.prefix(8).lowercased())"
            try await client.tagImage(id, repository: repository, tag: "v1")
            try await client.tagImage(id, repository: repository, tag: "v2")
            let tagged = try #require(try await client.inspectImage("\(repository):v1"))
            #expect(tagged.id == id)
            #expect(tagged.repoTags.sorted() == ["\(repository):v1", "\(repository):v2"])
            // Removing one of two tags only untags; the image stays.
            try await client.removeImage("\(repository):v1", force: false)
            #expect(try await client.inspectImage("\(repository):v1") == nil)
            #expect(try await client.inspectImage("\(repository):v2")?.id == id)
        }
    }

    @Test func runsAContainerAndRemovesIt() async throws {
        try await withTestImage { client, id, _ in
            let label = "r2d.engine-test.run=\(UUID().uuidString)"
            let lines = Collector<String>()
            let exitCode = try await client.runContainer(
                RunOptions(
                    image: id, command: ["/bin/busybox", "sh", "-c", "echo out; echo err >&2; cat /hello; exit 3"],
                    environment: ["GREETING=hi"], labels: [String(label.split(separator: "=")[0]): String(label.split(separator: "=")[1])])
            ) { stream, text in lines.append("\(stream): \(text)") }
            #expect(exitCode == 3)
            #expect(lines.values.filter { $0.hasPrefix("stdout") } == ["stdout: out", "stdout: hello from r2d"])
            #expect(lines.values.filter { $0.hasPrefix("stderr") } == ["stderr: err"])
            #expect(try await client.listContainers(all: true, labelFilter: label).isEmpty)
        }
    }

    @Test func cancellingARunRemovesTheContainer() async throws {
        try await withTestImage { client, id, _ in
            let key = "r2d.engine-test.cancel"
            let value = UUID().uuidString
            let started = AsyncStream<Void>.makeStream()
            let run = Task {
                try await client.runContainer(
                    RunOptions(image: id, command: ["/bin/busybox", "sh", "-c", "echo started; sleep 60"], labels: [key: value])
                ) { _, text in if text == "started" { started.continuation.yield() } }
            }
            for await _ in started.stream { break }
            let running = try await client.listContainers(all: true, labelFilter: "\(key)=\(value)")
            #expect(running.count == 1)
            let clock = ContinuousClock.now
            run.cancel()
            let result = await run.result
            #expect(throws: (any Error).self) { try result.get() }
            // A hang guard only (see StubEngineTests): suites beside this one may hold the cooperative pool.
            #expect(ContinuousClock.now - clock < .seconds(900))
            let leftOver = try await client.listContainers(all: true, labelFilter: "\(key)=\(value)")
            #expect(leftOver.isEmpty)
        }
    }

    @Test func buildFailureCarriesTheDaemonsMessage() async throws {
        let client = try makeClient()
        var tar = TarWriter()
        tar.addFile("Dockerfile", Array("FROM scratch\nCOPY missing-file /x\n".utf8))
        var caught: (any Error)?
        do {
            _ = try await client.build(context: chunkStream([tar.finish()]), options: BuildOptions()) { _ in }
        } catch {
            caught = error
        }
        await client.shutdown()
        guard case .buildFailed(let message)? = caught as? EngineError else {
            Issue.record("expected buildFailed, got \(String(describing: caught))")
            return
        }
        #expect(message.contains("missing-file"))
    }

    @Test func missingImageIsNilAndUnknownTagIsADaemonError() async throws {
        let client = try makeClient()
        do {
            #expect(try await client.inspectImage("r2d-no-such-image:\(UUID().uuidString.prefix(8).lowercased())") == nil)
            await #expect {
                try await client.tagImage("r2d-no-such-image:nope", repository: "r2d-x", tag: "y")
            } throws: { error in
                guard case EngineError.daemon(404, let message) = error else { return false }
                return message.contains("r2d-no-such-image")
            }
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
