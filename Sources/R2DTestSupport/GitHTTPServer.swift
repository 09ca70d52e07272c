import Foundation

/// A Python server on 127.0.0.1 (port chosen by the kernel, printed on its first line) running `script`.
public enum LoopbackPythonServer {
    public static func launch(script: String, arguments: [String]) throws -> (process: Process, port: Int) {
        let process = Process()
        let outputPipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardOutput = outputPipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = outputPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw CocoaError(.fileReadCorruptFile)
        }
        return (process, port)
    }
}

/// git's smart HTTP protocol on 127.0.0.1: a Python server runs `git http-backend` (CGI) per request for the
/// repositories under a temporary root, so tests get a real remote transport without leaving the machine.
public final class GitHTTPServer {
    public let root: String
    public let port: Int
    private let process: Process
    /// One "METHOD /path" line per request; a file, as a pipe's end could leak into other tests' child processes.
    private let logPath: String

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    static let script = """
        import http.server, os, subprocess, sys, time
        root, log_path = sys.argv[1], sys.argv[2]
        rate = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self): self.serve()
            def do_POST(self): self.serve()
            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                    return self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return body
                    body += self.rfile.read(size)
                    self.rfile.readline()
            def serve(self):
                path, _, query = self.path.partition("?")
                with open(log_path, "a") as log:
                    log.write("%s %s\\n" % (self.command, path))
                body = self.read_body()
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": root, "GIT_CONFIG_NOSYSTEM": "1",
                       "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1", "REQUEST_METHOD": self.command,
                       "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                       "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1"}
                output = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
                head, _, payload = output.partition(b"\\r\\n\\r\\n")
                headers = [line.split(b":", 1) for line in head.split(b"\\r\\n") if b":" in line]
                status = next((int(value.split()[0]) for name, value in headers if name.lower() == b"status"), 200)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in (b"status", b"content-length"):
                        self.send_header(name.decode(), value.strip().decode())
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if rate <= 0 or self.command != "POST":
                    self.wfile.write(payload)
                    return
                # A slow link: the pack in tenths of the rate, ten a second.
                piece = max(1, rate // 10)
                try:
                    for start in range(0, len(payload), piece):
                        self.wfile.write(payload[start:start + piece])
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// `bytesPerSecond`: send packs (the answers to POSTs) at about that rate, a slow link for timeout tests.
    public init(bytesPerSecond: Int? = nil) throws {
        root = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-http-root-")
        logPath = root + ".log"
        do {
            let rate = bytesPerSecond.map { [String($0)] } ?? []
            (process, port) = try LoopbackPythonServer.launch(script: Self.script, arguments: [root, logPath] + rate)
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    /// Publishes `repository` as the bare repository `<root>/<name>` and returns its URL.
    @discardableResult
    public func publish(_ repository: TemporaryGitRepository, as name: String) throws -> String {
        try GitCLI.run(["clone", "--quiet", "--bare", repository.path, root + "/" + name], in: root)
        return baseURL + "/" + name
    }

    /// The paths requested so far.
    public func requestedPaths() -> [String] {
        let log = FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return log.split(separator: "\n").compactMap { $0.split(separator: " ", maxSplits: 1).last.map(String.init) }
    }

    /// Stops the server (SIGKILL: the child may inherit a signal mask that blocks SIGTERM) and removes its files.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
