import Foundation

/// A Python server on 127.0.0.1 whose log file the test reads: `script` gets the log path as its first
/// argument and prints its port. Call `stop()` when done.
public class LoggingLoopbackServer {
    public let port: Int
    let logPath: String
    private let process: Process

    init(script: String, arguments: [String]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-server-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        (process, port) = try LoopbackPythonServer.launch(script: script, arguments: [logPath] + arguments)
    }

    /// The lines the server logged so far.
    public var logLines: [String] {
        let text = FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Stops the server (SIGKILL: its threads may be asleep on purpose) and removes its log.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// A Zenodo-shaped record on 127.0.0.1 with one large file of zeros, streamed without a Content-Length in
/// 64 KiB pieces, so that only the client can stop it. With `announceSize`, the file list gives the file's
/// size, as Zenodo does. The log has "GET <path>" per request and "sent <bytes>" when the file's stream ends.
public final class LoopbackRecordServer: LoggingLoopbackServer {
    public let record: String
    public let fileBytes: Int

    static let script = """
        import http.server, json, sys
        log_path, record, size, announce = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
        def log(line):
            with open(log_path, "a") as f:
                f.write(line + "\\n")
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"
            def answer(self, document):
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                log("GET " + self.path)
                root = "http://127.0.0.1:%d" % self.server.server_address[1]
                api = "/api/records/" + record
                if self.path == api:
                    return self.answer({"id": record, "links": {"files": root + api + "/files"}})
                if self.path == api + "/files":
                    entry = {"key": "data.bin", "links": {"content": root + api + "/files/data.bin/content"}}
                    if announce:
                        entry["size"] = size
                    return self.answer({"entries": [entry]})
                if self.path == api + "/files/data.bin/content":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.end_headers()
                    sent, piece = 0, b"\\0" * 65536
                    try:
                        while sent < size:
                            self.wfile.write(piece)
                            self.wfile.flush()
                            sent += len(piece)
                    except OSError:
                        pass
                    log("sent %d" % sent)
                    return
                self.send_response(404)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    public init(fileBytes: Int, announceSize: Bool) throws {
        record = "\(UInt32.random(in: 100_000...999_999))"
        self.fileBytes = fileBytes
        try super.init(script: Self.script, arguments: [record, String(fileBytes), announceSize ? "1" : "0"])
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// What the file's stream had sent when it ended (nil while it has not ended, or was never asked for).
    public var bytesSent: Int? {
        logLines.last { $0.hasPrefix("sent ") }.flatMap { Int($0.dropFirst("sent ".count)) }
    }

    /// Whether the file itself was requested.
    public var fileRequested: Bool { logLines.contains { $0.hasSuffix("/files/data.bin/content") } }
}

/// Just enough of a registry (the v2 API over plain HTTP on 127.0.0.1) for a daemon to start pushing: every
/// blob is missing, an upload session is granted, and then the upload's body is read up to `readBytes` and no
/// further, so the push makes no more progress. The log has one "<METHOD> <path>" line per request and
/// "read <bytes>" when an upload stops being read.
public final class StallingRegistry: LoggingLoopbackServer {
    static let script = """
        import http.server, sys, time, uuid
        log_path, read_bytes = sys.argv[1], int(sys.argv[2])
        def log(line):
            with open(log_path, "a") as f:
                f.write(line + "\\n")
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def reply(self, status, headers=()):
                self.send_response(status)
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def do_GET(self):
                log("GET " + self.path)
                self.reply(200 if self.path == "/v2/" else 404)
            def do_HEAD(self):
                log("HEAD " + self.path)
                self.reply(404)
            def do_POST(self):
                log("POST " + self.path)
                name = self.path[len("/v2/"):].split("/blobs/uploads/")[0]
                location = "/v2/%s/blobs/uploads/%s" % (name, uuid.uuid4())
                self.reply(202, [("Location", location), ("Range", "0-0"), ("Docker-Upload-UUID", location.rsplit("/", 1)[1])])
            def do_PATCH(self):
                log("PATCH " + self.path)
                taken = 0
                while taken < read_bytes:
                    chunk = self.rfile.read1(min(65536, read_bytes - taken))
                    if not chunk:
                        break
                    taken += len(chunk)
                log("read %d" % taken)
                time.sleep(3600)
            do_PUT = do_PATCH
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    public init(readBytes: Int = 32 << 10) throws {
        try super.init(script: Self.script, arguments: [String(readBytes)])
    }

    /// `127.0.0.1:<port>`, the registry part of an image name.
    public var host: String { "127.0.0.1:\(port)" }

    /// Whether an upload began and was then left unread.
    public var uploadStalled: Bool { logLines.contains { $0.hasPrefix("read ") } }
}
