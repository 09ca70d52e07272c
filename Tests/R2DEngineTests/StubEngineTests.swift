import Foundation
import R2DEngine
import R2DTestSupport
import Testing

@Suite struct StubEngineTests {
    static let versionJSON = """
        {"Version":"20.10.24","ApiVersion":"1.41","Os":"linux","Arch":"amd64","Components":[{"Name":"Engine"}]}
        """

    @Test(arguments: [("1.41", "1.41"), ("1.45", "1.43"), ("1.12", "1.24"), ("1.43", "1.43")])
    func negotiatesVersionFromPing(server serverVersion: String, expected: String) async throws {
        let server = try await StubEngineServer.start { request in
            request.path == "/_ping" ? .ping(apiVersion: serverVersion) : .json(Self.versionJSON)
        }
        let client = try EngineClient(endpoint: .unixSocket(server.socketPath))
        defer { Task { await server.stop() } }
        let version = try await client.version()
        await client.shutdown()
        #expect(version == EngineVersion(version: "20.10.24", apiVersion: "1.41", os: "linux", arch: "amd64", isPodman: false))
        let requests = server.requests
        #expect(requests.map(\.path) == ["/_ping", "/v\(expected)/version"])
        #expect(requests.allSatisfy { $0.header("Host") == "docker" })
    }

    @Test func pingWithoutVersionHeaderFallsBackToMinimum() async throws {
        let server = try await StubEngineServer.start { request in
            request.path == "/_ping" ? StubResponse(chunks: [Array("OK".utf8)]) : .json(Self.versionJSON)
        }
        let client = try EngineClient(endpoint: .unixSocket(server.socketPath))
        let negotiated = try await client.negotiateVersion()
        _ = try await client.version()
        await client.shutdown()
        await server.stop()
        #expect(negotiated == "1.24")
        #expect(server.requests.last?.path == "/v1.24/version")
    }

    @Test func recognisesPodman() async throws {
        let version = try await withStub({ _ in
            .json(#"{"Version":"4.3.1","ApiVersion":"1.41","Os":"linux","Arch":"amd64","Components":[{"Name":"Podman Engine"}]}"#)
        }) { client, _ in try await client.version() }
        #expect(version.isPodman)
        #expect(version.version == "4.3.1")
    }

    @Test func buildSendsQueryHeadersAndStreamedBody() async throws {
        let context = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let chunks = split(context, size: 7_000)
        // JSON messages split at awkward places, as the daemon's writes may arrive.
        let stream = Array(
            (#"{"stream":"Step 1/2 : FROM scratch\n"}"# + "\r\n" + #"{"status":"Pulling fs layer","progress":"[=>  ]","id":"abc"}"#
                + "\n" + #"{"aux":{"ID":"sha256:0123abcd"}}"# + "\n" + #"{"stream":"Successfully built 0123abcd\n"}"# + "\n").utf8)
        let responseChunks = [Array(stream[0..<10]), Array(stream[10..<75]), Array(stream[75...])]
        let events = Collector<BuildEvent>()
        let options = BuildOptions(
            dockerfile: "binder/Dockerfile", tags: ["one:latest", "two:v1"], buildArgs: ["NB_USER": "jovyan", "A": "b c"],
            labels: ["repo2docker.ref": "main", "x": "=&?"], cacheFrom: ["cache:1", "cache:2"], platform: "linux/amd64",
            networkMode: "host", pull: true, noCache: true)

        let (id, server) = try await withStub({ request in
            request.path.hasSuffix("/build") ? StubResponse(chunks: responseChunks) : .error("unexpected", status: 500)
        }) { client, server in
            (try await client.build(context: chunkStream(chunks), options: options) { events.append($0) }, server)
        }

        #expect(id == "sha256:0123abcd")
        #expect(
            events.values == [
                .output("Step 1/2 : FROM scratch\n"), .status("abc: Pulling fs layer [=>  ]"), .imageID("sha256:0123abcd"),
                .output("Successfully built 0123abcd\n"),
            ])
        let build = try #require(server.requests.first { $0.path == "/v1.41/build" })
        #expect(build.method == "POST")
        #expect(build.header("Host") == "docker")
        #expect(build.header("Content-Type") == "application/x-tar")
        #expect(build.header("Transfer-Encoding") == "chunked")
        #expect(build.body == context)
        #expect(build.queryValues("t") == ["one:latest", "two:v1"])
        #expect(build.queryValues("dockerfile") == ["binder/Dockerfile"])
        #expect(try decode([String: String].self, build.queryValues("buildargs")) == ["NB_USER": "jovyan", "A": "b c"])
        #expect(try decode([String: String].self, build.queryValues("labels")) == ["repo2docker.ref": "main", "x": "=&?"])
        #expect(try decode([String].self, build.queryValues("cachefrom")) == ["cache:1", "cache:2"])
        #expect(build.queryValues("platform") == ["linux/amd64"])
        #expect(build.queryValues("networkmode") == ["host"])
        #expect(build.queryValues("pull") == ["1"])
        #expect(build.queryValues("nocache") == ["1"])
        #expect(build.queryValues("rm") == ["1"])
        #expect(build.queryValues("forcerm") == ["1"])
    }

    @Test func buildWithDefaultsOmitsOptionalParameters() async throws {
        let server = try await withStub({ _ in .json(#"{"aux":{"ID":"sha256:ff"}}"#) }) { client, server in
            _ = try await client.build(context: chunkStream([[1]]), options: BuildOptions()) { _ in }
            return server
        }
        let build = try #require(server.requests.last)
        #expect(Set(build.queryItems.map(\.name)) == ["rm", "forcerm"])
    }

    @Test func buildErrorEventThrowsTheDaemonsMessage() async throws {
        let message = "COPY failed: file not found in build context or excluded by .dockerignore: stat hello: file does not exist"
        let body =
            #"{"stream":"Step 2/2 : COPY hello /hello\n"}"# + "\n"
            + #"{"errorDetail":{"message":"\#(message)"},"error":"\#(message)"}"# + "\n"
        let events = Collector<BuildEvent>()
        await #expect(throws: EngineError.buildFailed(message: message)) {
            try await withStub({ _ in StubResponse(chunks: [Array(body.utf8)]) }) { client, _ in
                try await client.build(context: chunkStream([[0]]), options: BuildOptions()) { events.append($0) }
            }
        }
        #expect(events.values == [.output("Step 2/2 : COPY hello /hello\n")])
    }

    @Test func buildWithoutAuxResolvesSuccessfullyBuiltID() async throws {
        let full = "sha256:" + String(repeating: "ab", count: 32)
        let id = try await withStub({ request in
            if request.path.hasSuffix("/build") {
                return StubResponse(chunks: [Array(#"{"stream":"Successfully built abababababab\n"}"#.utf8)])
            }
            if request.path == "/v1.41/images/abababababab/json" {
                return .json(#"{"Id":"\#(full)","RepoTags":null,"Created":"2026","Config":{"WorkingDir":"","Labels":null}}"#)
            }
            return .error("no such path", status: 404)
        }) { client, _ in
            try await client.build(context: chunkStream([[0]]), options: BuildOptions()) { _ in }
        }
        #expect(id == full)
    }

    @Test func buildRejectedUpfrontCarriesDaemonMessage() async throws {
        await #expect(throws: EngineError.daemon(status: 500, message: "Cannot locate specified Dockerfile: nope")) {
            try await withStub({ _ in .error("Cannot locate specified Dockerfile: nope", status: 500) }) { client, _ in
                try await client.build(context: chunkStream([[0]]), options: BuildOptions(dockerfile: "nope")) { _ in }
            }
        }
    }

    @Test func daemonDyingMidBuildFailsQuickly() async throws {
        let started = ContinuousClock.now
        await #expect {
            try await withStub({ _ in
                StubResponse(chunks: [Array(#"{"stream":"Step 1/9\n"}"#.utf8) + [0x0A]], dropConnection: true)
            }) { client, _ in
                try await client.build(context: chunkStream([[0]]), options: BuildOptions()) { _ in }
            }
        } throws: { error in
            guard case EngineError.daemonUnreachable = error else { return false }
            return true
        }
        // A bound that only catches a hang: speed itself is measured in bench/, never in tests. It is wide
        // because integration suites running beside this one block the two-thread cooperative pool for minutes.
        #expect(ContinuousClock.now - started < .seconds(900))
    }

    @Test func errorBodySurfacesDaemonMessage() async throws {
        await #expect(throws: EngineError.daemon(status: 404, message: "No such image: ghost:latest")) {
            try await withStub({ _ in .error("No such image: ghost:latest", status: 404) }) { client, _ in
                try await client.tagImage("ghost:latest", repository: "r", tag: "t")
            }
        }
        await #expect(throws: EngineError.daemon(status: 409, message: "conflict: unable to delete")) {
            try await withStub({ _ in .error("conflict: unable to delete", status: 409) }) { client, _ in
                try await client.removeImage("x", force: false)
            }
        }
    }

    @Test func inspectParsesAndReturnsNilOn404() async throws {
        let server = try await withStub({ request in
            switch request.path {
            case "/v1.41/images/localhost:5000/team/app:v2/json":
                return .json(
                    """
                    {"Id":"sha256:aa","RepoTags":["localhost:5000/team/app:v2"],"Created":"2026-01-02T03:04:05Z",
                     "Config":{"WorkingDir":"/home/jovyan","Labels":{"repo2docker.version":"1"}}}
                    """)
            case "/v1.41/images/sha256:aa/tag":
                return StubResponse(status: 201)
            default:
                return .error("No such image: missing:latest", status: 404)
            }
        }) { client, server in
            let image = try await client.inspectImage("localhost:5000/team/app:v2")
            #expect(
                image
                    == ImageInspect(
                        id: "sha256:aa", repoTags: ["localhost:5000/team/app:v2"], workingDir: "/home/jovyan",
                        labels: ["repo2docker.version": "1"], created: "2026-01-02T03:04:05Z"))
            #expect(try await client.inspectImage("missing:latest") == nil)
            try await client.tagImage("sha256:aa", repository: "repo/name", tag: "v1")
            return server
        }
        let tag = try #require(server.requests.last)
        #expect(tag.method == "POST")
        #expect(tag.path == "/v1.41/images/sha256:aa/tag")
        #expect(tag.queryValues("repo") == ["repo/name"])
        #expect(tag.queryValues("tag") == ["v1"])
    }

    @Test func unreachableSocketNamesTheEndpoint() async throws {
        let path = "/tmp/r2d-missing-\(UUID().uuidString.prefix(8)).sock"
        let client = try EngineClient(endpoint: .unixSocket(path))
        let started = ContinuousClock.now
        var caught: (any Error)?
        do { _ = try await client.version() } catch { caught = error }
        await client.shutdown()
        let error = try #require(caught as? EngineError)
        guard case .daemonUnreachable(let endpoint, let reason) = error else {
            Issue.record("expected daemonUnreachable, got \(error)")
            return
        }
        #expect(endpoint == "unix://\(path)")
        #expect(reason == "No such file or directory")
        #expect(error.description.contains("unix://\(path)"))
        #expect(error.description.contains("DOCKER_HOST"))
        #expect(!error.description.contains("\n"))
        // A bound that only catches a hang: speed itself is measured in bench/, never in tests. It is wide
        // because integration suites running beside this one block the two-thread cooperative pool for minutes.
        #expect(ContinuousClock.now - started < .seconds(900))
    }

    @Test func runContainerCreatesStartsFollowsWaitsRemoves() async throws {
        let logs = frame(1, "hello\nsecond ") + frame(2, "oops\n") + frame(1, "part\nno newline at end")
        let lines = Collector<String>()
        let (exitCode, server) = try await withStub({ request in
            switch (request.method, request.path) {
            case ("POST", "/v1.41/containers/create"): return .json(#"{"Id":"c0ffee","Warnings":[]}"#, status: 201)
            case ("POST", "/v1.41/containers/c0ffee/start"): return StubResponse(status: 204)
            case ("GET", "/v1.41/containers/c0ffee/logs"):
                return StubResponse(
                    headers: [("Content-Type", "application/vnd.docker.raw-stream")], chunks: split(logs, size: 5))
            case ("POST", "/v1.41/containers/c0ffee/wait"): return .json(#"{"StatusCode":3,"Error":null}"#)
            case ("DELETE", "/v1.41/containers/c0ffee"): return StubResponse(status: 204)
            default: return .error("unexpected \(request.method) \(request.uri)", status: 500)
            }
        }) { client, server in
            let options = RunOptions(
                image: "img:1", command: ["jupyter", "lab"], environment: ["A=1"], user: "1000",
                publishedPorts: [PublishedPort(containerPort: 8888, hostIP: "127.0.0.1", hostPort: 9999)],
                bindMounts: [BindMount(source: "/src", destination: "/dst")],
                networkMode: "host", workingDir: "/work", labels: ["r2d": "yes"])
            let code = try await client.runContainer(options) { stream, text in lines.append("\(stream): \(text)") }
            return (code, server)
        }
        #expect(exitCode == 3)
        #expect(
            lines.values == [
                "stdout: hello", "stderr: oops", "stdout: second part", "stdout: no newline at end",
            ])
        // The logs are followed while the exit is awaited, so those two requests come in either order.
        let sent = server.requests.map { "\($0.method) \($0.path)" }
        #expect(
            Array(sent.prefix(3)) == ["GET /_ping", "POST /v1.41/containers/create", "POST /v1.41/containers/c0ffee/start"])
        #expect(Set(sent.dropFirst(3).prefix(2)) == ["GET /v1.41/containers/c0ffee/logs", "POST /v1.41/containers/c0ffee/wait"])
        #expect(sent.dropFirst(5) == ["DELETE /v1.41/containers/c0ffee"])
        let create = server.requests[1]
        #expect(create.header("Content-Type") == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(create.body)) as? [String: Any])
        #expect(body["Image"] as? String == "img:1")
        #expect(body["Cmd"] as? [String] == ["jupyter", "lab"])
        #expect(body["Env"] as? [String] == ["A=1"])
        #expect(body["User"] as? String == "1000")
        #expect(body["WorkingDir"] as? String == "/work")
        #expect(body["Labels"] as? [String: String] == ["r2d": "yes"])
        #expect(body["Tty"] as? Bool == false)
        #expect((body["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["8888/tcp"])
        let hostConfig = try #require(body["HostConfig"] as? [String: Any])
        #expect(hostConfig["Binds"] as? [String] == ["/src:/dst:rw"])
        #expect(hostConfig["NetworkMode"] as? String == "host")
        #expect(hostConfig["PublishAllPorts"] as? Bool == false)
        let bindings = (hostConfig["PortBindings"] as? [String: [[String: String]]])?["8888/tcp"]
        #expect(bindings == [["HostIp": "127.0.0.1", "HostPort": "9999"]])
        let logsRequest = try #require(server.requests.first { $0.path == "/v1.41/containers/c0ffee/logs" })
        #expect(logsRequest.queryValues("follow") == ["1"])
        #expect(server.requests[5].queryValues("force") == ["1"])
    }

    @Test func runContainerRemovesTheContainerWhenStartFails() async throws {
        let server = try await withStub({ request in
            switch (request.method, request.path) {
            case ("POST", "/v1.41/containers/create"): return .json(#"{"Id":"bad"}"#, status: 201)
            case ("POST", "/v1.41/containers/bad/start"): return .error("exec: \"nope\": executable file not found", status: 400)
            case ("DELETE", "/v1.41/containers/bad"): return StubResponse(status: 204)
            default: return .error("unexpected", status: 500)
            }
        }) { client, server in
            await #expect(throws: EngineError.daemon(status: 400, message: "exec: \"nope\": executable file not found")) {
                try await client.runContainer(RunOptions(image: "x")) { _, _ in }
            }
            return server
        }
        #expect(server.requests.last.map { "\($0.method) \($0.path)" } == "DELETE /v1.41/containers/bad")
    }

    @Test func listContainersSendsLabelFilter() async throws {
        let (ids, server) = try await withStub({ _ in .json(#"[{"Id":"a1"},{"Id":"b2"}]"#) }) { client, server in
            (try await client.listContainers(all: true, labelFilter: "r2d.test=42"), server)
        }
        #expect(ids == ["a1", "b2"])
        let list = try #require(server.requests.last)
        #expect(list.path == "/v1.41/containers/json")
        #expect(list.queryValues("all") == ["1"])
        #expect(try decode([String: [String]].self, list.queryValues("filters")) == ["label": ["r2d.test=42"]])
    }

    private func decode<T: Decodable>(_ type: T.Type, _ values: [String]) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(try #require(values.first).utf8))
    }
}
