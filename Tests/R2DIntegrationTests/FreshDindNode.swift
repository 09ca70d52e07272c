import Foundation
import R2DTestSupport

/// A Docker 26 daemon of this test's own, started empty in a container of the host dockerd the way
/// scripts/start-dind.sh starts the shared ones (host network, `--bridge=none`, its own socket directory), with
/// the test base image loaded and the test registry's CA trusted (`/etc/docker/certs.d/<host:port>/ca.crt`): a
/// BinderHub build node that has never built anything. `remove()` takes the container, its volume and its
/// socket directory away.
final class FreshDindNode {
    static let image = "swift-r2d/dind:trixie"
    static let baseImage = "swift-r2d/test-base:bookworm"

    struct Failure: Error, CustomStringConvertible { var description: String }

    let name: String
    let directory: String
    var socket: String { directory + "/docker.sock" }
    var dockerHost: String { "unix://" + socket }

    /// Starts the node and waits for it; `certificates` is a certs.d directory (Docker's layout) to trust.
    init(label: String, certificates: String) throws {
        name = "swift-r2d-envreuse-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        directory = "/run/\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try start(certificates: certificates)
            try waitUntilAnswering()
            try loadBaseImage()
        } catch {
            remove()
            throw error
        }
    }

    private func start(certificates: String) throws {
        let run = try runProgram(
            "/usr/bin/docker",
            [
                "run", "-d", "--name", name, "--label", "org.swift-r2d.dind=\(name)",
                "--network", "host", "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
                "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--cgroupns", "host",
                "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "-v", "\(directory):/sock", "-v", "\(name):/var/lib/docker",
                "-v", "\(certificates):/etc/docker/certs.d:ro", "--tmpfs", "/run", Self.image,
                "dockerd", "--host", "unix:///sock/docker.sock", "--iptables=false", "--ip6tables=false", "--bridge=none",
            ])
        guard run.status == 0 else { throw Failure(description: "docker run \(Self.image) failed: \(run.stderr)") }
    }

    private func waitUntilAnswering() throws {
        for _ in 0..<120 {
            if let ping = try? curl(["http://d/_ping"]), ping.stdout == "OK" { return }
            usleep(500_000)
        }
        let logs = try? runProgram("/usr/bin/docker", ["logs", "--tail", "20", name])
        throw Failure(description: "\(name) did not answer on \(socket) within 60 s: \(logs?.stderr ?? "")")
    }

    /// `docker save | POST /images/load`, as scripts/start-dind.sh loads it.
    private func loadBaseImage() throws {
        let load = try runProgram(
            "/bin/sh",
            [
                "-c",
                "docker save \(Self.baseImage) | curl -fsS --unix-socket \(socket) -X POST -H 'Content-Type: application/x-tar' "
                    + "--data-binary @- 'http://d/images/load?quiet=1'",
            ])
        guard load.status == 0, try inspect(Self.baseImage) != nil else {
            throw Failure(description: "loading \(Self.baseImage) into \(name) failed: \(load.stderr)")
        }
    }

    func curl(_ arguments: [String]) throws -> ProgramResult {
        try runProgram("/usr/bin/curl", ["-sS", "--max-time", "300", "--unix-socket", socket] + arguments)
    }

    /// `GET /images/{name}/json`, nil when the node does not have the image.
    func inspect(_ image: String) throws -> [String: Any]? {
        let result = try curl(["-f", "http://d/images/\(DaemonAPI.escaped(image))/json"])
        guard result.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }

    /// `POST /images/create` of `image` from a registry that takes `user` and `password`; true when it is there.
    func pull(_ image: String, user: String, password: String, registry: String) throws -> Bool {
        let auth = try JSONSerialization.data(withJSONObject: ["username": user, "password": password, "serveraddress": registry])
        let header =
            "X-Registry-Auth: "
            + auth.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        let result = try curl(["-f", "-X", "POST", "-H", header, "http://d/images/create?fromImage=\(DaemonAPI.escaped(image))"])
        guard result.status == 0 else { return false }
        return try inspect(image) != nil
    }

    /// The tags the node holds, for checks that nothing but layers is left behind.
    func repositoryTags() throws -> [String] {
        let result = try curl(["-f", "http://d/images/json"])
        let list = (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
        return list.flatMap { ($0["RepoTags"] as? [String]) ?? [] }
    }

    /// Runs `command` in `image` (through its entrypoint) with a terminal, so the logs are plain text; the
    /// container is removed afterwards.
    func runContainer(image: String, command: [String]) throws -> (status: Int, output: String) {
        let body = try JSONSerialization.data(withJSONObject: ["Image": image, "Cmd": command, "Tty": true])
        let create = try curl(
            [
                "-f", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", String(decoding: body, as: UTF8.self),
                "http://d/containers/create",
            ])
        guard create.status == 0, let created = try JSONSerialization.jsonObject(with: Data(create.stdout.utf8)) as? [String: Any],
            let id = created["Id"] as? String
        else { throw Failure(description: "creating a container of \(image) on \(name) failed: \(create.stdout) \(create.stderr)") }
        defer { _ = try? curl(["-X", "DELETE", "http://d/containers/\(id)?force=1"]) }
        _ = try curl(["-f", "-X", "POST", "http://d/containers/\(id)/start"])
        let wait = try curl(["-f", "-X", "POST", "http://d/containers/\(id)/wait"])
        let status = ((try? JSONSerialization.jsonObject(with: Data(wait.stdout.utf8))) as? [String: Any])?["StatusCode"] as? Int ?? -1
        let logs = try curl(["-f", "http://d/containers/\(id)/logs?stdout=1&stderr=1"])
        return (status, logs.stdout)
    }

    /// Removes the container, its volume and the socket directory (idempotent; also after a failed start).
    func remove() {
        _ = try? runProgram("/usr/bin/docker", ["rm", "-f", "-v", name])
        _ = try? runProgram("/usr/bin/docker", ["volume", "rm", "-f", name])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
