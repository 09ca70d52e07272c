import Foundation
import R2DTestSupport
import Testing

/// The tests' second, newer engine: two Docker 26 daemons that `make deps` (scripts/start-dind.sh) runs in
/// containers of the host dockerd, each on its own unix socket. A daemon that does not answer fails the tests.
enum DindEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The classic image store (overlay2): BuildKit builds with a tar context work.
    case overlay2
    /// The containerd image store: BuildKit cannot read a tar context there (moby/moby #47717).
    case containerd

    var socket: String { "/run/swift-r2d-dind/\(rawValue)/docker.sock" }
    var testDescription: String { "Docker 26 (\(rawValue))" }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The swift-r2d binary with DOCKER_HOST naming this daemon.
    func swiftR2D(_ arguments: [String]) throws -> ProgramResult {
        try runProgram(ProjectPaths.binary, arguments, environment: ["DOCKER_HOST": "unix://" + socket])
    }

    /// An Engine API call through curl (unversioned paths: the daemon's own API version), as status and body.
    func request(_ method: String, _ path: String) throws -> (Int, Data) {
        let result = try runProgram(
            "/usr/bin/curl", ["-sS", "--unix-socket", socket, "-X", method, "-w", "\n%{http_code}", "http://localhost" + path])
        guard result.status == 0, let newline = result.stdout.lastIndex(of: "\n"),
            let status = Int(result.stdout[result.stdout.index(after: newline)...])
        else {
            throw Failure("curl \(method) \(path) on \(socket) failed (is make deps run?): \(result.stderr)")
        }
        return (status, Data(result.stdout[..<newline].utf8))
    }

    /// A GET answered with a JSON object; nil on 404.
    func object(_ path: String) throws -> [String: Any]? {
        let (status, body) = try request("GET", path)
        if status == 404 { return nil }
        guard status == 200, let json = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Failure("GET \(path) on \(rawValue) gave HTTP \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return json
    }

    /// `GET /images/{name}/json`, nil when the daemon does not know the image.
    func inspectImage(_ name: String) throws -> [String: Any]? {
        try object("/images/\(DaemonAPI.escaped(name))/json")
    }

    /// IDs of all containers (running or not) created from `image`.
    func containers(ancestor image: String) throws -> [String] {
        let filter = DaemonAPI.escaped("{\"ancestor\":[\"\(image)\"]}")
        let (status, body) = try request("GET", "/containers/json?all=1&filters=\(filter)")
        guard status == 200, let list = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] else {
            throw Failure("listing containers on \(rawValue) gave HTTP \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return list.compactMap { $0["Id"] as? String }
    }

    /// The TCP sockets in LISTEN state (local address as /proc/net/tcp writes it) that a process of the daemon's
    /// container holds: dockerd, containerd and the shims share the host's network namespace and must bind none.
    func listeningTCPSockets() throws -> [String] {
        let top = try runProgram("/usr/bin/docker", ["top", "swift-r2d-dind-\(rawValue)", "-eo", "pid"])
        guard top.status == 0 else { throw Failure("docker top swift-r2d-dind-\(rawValue) failed: \(top.stderr)") }
        var inodes = Set<String>()
        for pid in top.stdout.split(separator: "\n").dropFirst() {
            let fds = "/proc/\(pid.trimmingCharacters(in: .whitespaces))/fd"
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? [] {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + fd),
                    target.hasPrefix("socket:[")
                else { continue }
                inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
            }
        }
        guard !inodes.isEmpty else { throw Failure("no sockets found for the processes of \(rawValue): \(top.stdout)") }
        return try ["/proc/net/tcp", "/proc/net/tcp6"].flatMap { table in
            try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line in
                let fields = line.split(separator: " ")
                return fields.count > 9 && fields[3] == "0A" && inodes.contains(String(fields[9])) ? String(fields[1]) : nil
            }
        }
    }

    /// Takes the tag away and keeps the layers: the classic builder's cache lives in the untagged parents, and
    /// BuildKit's apart from images, so reruns and the next fixture build from cache.
    func untagKeepingCache(_ image: String) {
        _ = try? request("DELETE", "/images/\(DaemonAPI.escaped(image))?force=1&noprune=1")
    }
}

/// What a swift-r2d run printed about the builder it used.
enum BuilderOutput {
    /// BuildKit's plain progress ("#3 DONE 0.4s") and none of the classic builder's "Step 1/9 :" lines.
    static func isBuildKit(_ output: String) -> Bool {
        let lines = output.split(separator: "\n")
        return lines.contains { $0.contains("#") && $0.contains(" DONE ") } && !isClassic(output)
    }

    static func isClassic(_ output: String) -> Bool {
        output.split(separator: "\n").contains { $0.contains("Step 1/") }
    }
}
