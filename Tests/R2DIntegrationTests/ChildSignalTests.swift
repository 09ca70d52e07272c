import Foundation
import R2DGit
import R2DTestSupport
import Testing

/// SIGTERM to the real binary while a child program of its own runs (a credential helper that hangs, a slow
/// `hg clone` from a loopback `hg serve`): it exits 143 within 5 s, and the child and what it started are gone.
@Suite("SIGTERM while a child program runs", .serialized)
struct ChildSignalTests {
    /// A stub engine that has no images, so a --push build goes on to ask the registry (and the helper).
    static func stubEngine() async throws -> StubEngineServer {
        try await StubEngineServer.start { request in
            if request.path == "/_ping" { return .ping() }
            if request.path.hasSuffix("/version") {
                return .json(#"{"Version": "20.10.24", "ApiVersion": "1.41", "Os": "linux", "Arch": "amd64"}"#)
            }
            if request.path.hasSuffix("/info") { return .json(#"{"Driver": "overlay2", "DriverStatus": []}"#) }
            if request.path.hasSuffix("/networks/bridge") { return .json(#"{"Name": "bridge"}"#) }
            if request.path.contains("/images/") { return .json(#"{"message": "No such image"}"#, status: 404) }
            return .error("stub engine: unexpected \(request.method) \(request.path)", status: 500)
        }
    }

    /// Waits (up to `seconds`) for a file to exist.
    static func waitForFile(_ path: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(50_000)
        }
        return false
    }

    /// Processes (other than this test's own) whose command line contains `text`, polled until none is left or
    /// 3 s have passed; zombies are not counted.
    static func processes(mentioning text: String) -> [String] {
        var found: [String] = []
        for _ in 0..<60 {
            found = []
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry), pid != getpid(),
                    let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
                else { continue }
                let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                if command.contains(text) { found.append("\(pid): \(command)") }
            }
            if found.isEmpty { return [] }
            usleep(50_000)
        }
        return found
    }

    /// True once `pid` is no live process (a zombie waiting to be reaped counts as gone), polled for up to 3 s.
    static func gone(_ pid: Int32) -> Bool {
        for _ in 0..<60 {
            guard kill(pid, 0) == 0 else { return true }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") == true { return true }
            usleep(50_000)
        }
        return false
    }

    @Test(
        "SIGTERM (SIGINT) while a credential helper hangs exits 143 (130) within 5 s and leaves no process", arguments: [SIGTERM, SIGINT])
    func credentialHelperHangs(_ signalNumber: Int32) async throws {
        let dir = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-sigterm-helper-")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"credsStore": "hang-\#(getpid())"}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        let helper = dir + "/docker-credential-hang-\(getpid())"
        try "#!/bin/sh\nsleep 300 &\necho $! > \(dir)/sleep.pid\nwait\n".write(toFile: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
        let repo = try TemporaryGitRepository(files: ["Dockerfile": "FROM swift-r2d/test-base:bookworm\n"], prefix: "r2d-sigterm-repo-")
        defer { repo.remove() }
        _ = try repo.commit()
        let stub = try await Self.stubEngine()
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let program = try RunningProgram(
            ProjectPaths.binary,
            ["build", "--user-id=1000", "--user-name=jovyan", "--push", "--image-name", "127.0.0.1:1/r2d/sigterm:x", repo.path],
            environment: ["DOCKER_HOST": "unix://" + stub.socketPath, "DOCKER_CONFIG": dir, "PATH": dir + ":" + path])
        let started = Self.waitForFile(dir + "/sleep.pid", seconds: 60)
        program.signal(signalNumber)
        let start = Date()
        let status = program.wait(timeout: .seconds(10))
        let seconds = Date().timeIntervalSince(start)
        await stub.stop()
        #expect(started, "the helper never ran: \(program.output)")
        #expect(status == 128 + signalNumber, "output: \(program.output)")
        #expect(seconds < 5, "took \(seconds) s")
        #expect(Self.processes(mentioning: helper).isEmpty)
        let sleeper = (try? String(contentsOfFile: dir + "/sleep.pid", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(sleeper.map(Self.gone) ?? false, "the helper's sleep was left behind")
        #expect(program.output.contains("Interrupted by " + (signalNumber == SIGINT ? "SIGINT" : "SIGTERM")))
    }

    /// Whether `url` answers within 20 s (a server just started).
    static func answers(_ url: String) throws -> Bool {
        for _ in 0..<200 {
            if try runProgram("/usr/bin/curl", ["-sf", "-o", "/dev/null", "--max-time", "5", url]).status == 0 { return true }
            usleep(100_000)
        }
        return false
    }

    /// A relay in front of `hg serve` that holds back the clone's bundle (cmd=getbundle) for 60 s; it stops by
    /// itself after 120 s. Everything else passes straight through.
    static let slowRelay = """
        import http.server, os, sys, threading, time, urllib.error, urllib.request
        upstream, port = int(sys.argv[1]), int(sys.argv[2])
        threading.Timer(120, lambda: os._exit(0)).start()
        class Relay(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass
            def do_GET(self):
                self.relay()
            def do_POST(self):
                self.relay()
            def relay(self):
                if "cmd=getbundle" in self.path:
                    time.sleep(60)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                skip = ("host", "connection", "content-length")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                url = "http://127.0.0.1:%d%s" % (upstream, self.path)
                request = urllib.request.Request(url, data=body, headers=headers, method=self.command)
                try:
                    answer = urllib.request.urlopen(request, timeout=30)
                except urllib.error.HTTPError as error:
                    answer = error
                data = answer.read()
                self.send_response(answer.status)
                for k, v in answer.headers.items():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Relay)
        print("relay ready", flush=True)
        server.serve_forever()
        """

    @Test("SIGTERM during a slow hg clone exits 143 within 5 s and leaves no process")
    func slowMercurialClone() async throws {
        let dir = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-sigterm-hg-")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = dir + "/repo"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try "FROM swift-r2d/test-base:bookworm\n".write(toFile: repo + "/Dockerfile", atomically: true, encoding: .utf8)
        for arguments in [["init", repo], ["-R", repo, "commit", "-A", "-m", "init", "-u", "test <test@example.invalid>"]] {
            let result = try runProgram("/usr/bin/hg", arguments)
            try #require(result.status == 0, "hg \(arguments): \(result.stderr)")
        }
        try Self.slowRelay.write(toFile: dir + "/relay.py", atomically: true, encoding: .utf8)
        let (upstream, port) = (try GeneratedEnvironmentTests.freePort(), try GeneratedEnvironmentTests.freePort())
        let serve = try RunningProgram("/usr/bin/hg", ["serve", "-R", repo, "-a", "127.0.0.1", "-p", "\(upstream)"])
        let relay = try RunningProgram("/usr/bin/python3", [dir + "/relay.py", "\(upstream)", "\(port)"])
        defer {
            for server in [serve, relay] {
                server.signal(SIGTERM)
                _ = server.wait(timeout: .seconds(5))
            }
        }
        for (server, listening) in [(serve, upstream), (relay, port)] {
            try #require(try Self.answers("http://127.0.0.1:\(listening)/?cmd=capabilities"), "not listening: \(server.output)")
        }
        let url = "http://127.0.0.1:\(port)/"
        let program = try RunningProgram(
            ProjectPaths.binary, ["build", "--no-build", url], environment: ["DOCKER_HOST": "unix://" + dir + "/no-engine.sock"])
        let cloning = program.waitForOutput("with Mercurial", timeout: .seconds(60))
        try await Task.sleep(for: .seconds(1))
        program.signal(SIGTERM)
        let start = Date()
        let status = program.wait(timeout: .seconds(10))
        let seconds = Date().timeIntervalSince(start)
        #expect(cloning, "the clone never started: \(program.output)")
        #expect(status == 143, "output: \(program.output)")
        #expect(seconds < 5, "took \(seconds) s")
        #expect(Self.processes(mentioning: "127.0.0.1:\(port)").isEmpty, "hg clone was left behind")
    }
}
