import AsyncHTTPClient
import Foundation
import NIOCore

extension EngineClient {
    /// Creates, starts and follows a container until it exits, then removes it; returns its exit code.
    /// Output lines (without their trailing newline) reach `onOutput` as they arrive. A cancelled task removes
    /// the container too.
    public func runContainer(
        _ options: RunOptions,
        onOutput: @escaping @Sendable (OutputStream, String) -> Void
    ) async throws -> Int32 {
        struct Created: Decodable { var Id: String }
        let created: Created = try await json(.POST, "/containers/create", body: CreateContainerBody(options))
        let id = created.Id
        do {
            try await expectSuccess(.POST, "/containers/\(id)/start")
            let exitCode = try await followUntilExit(id, onOutput: onOutput)
            try Task.checkCancellation()
            try await removeContainer(id)
            return exitCode
        } catch {
            // The task may be cancelled; a detached task still gets to remove the container.
            await Task.detached { [self] in try? await self.removeContainer(id) }.value
            throw error
        }
    }

    private enum RunEvent: Sendable {
        case logsEnded
        case exited(Int32)
        case graceOver
    }

    /// Follows the output and waits for the exit at once: Podman 4.3 can keep a followed log stream open
    /// after a container that exited at once (a run seen hanging for 26 minutes after `verify` exited 0).
    /// The exit status decides; the logs then get a short grace period to drain.
    private func followUntilExit(_ id: String, onOutput: @escaping @Sendable (OutputStream, String) -> Void) async throws
        -> Int32
    {
        try await withThrowingTaskGroup(of: RunEvent.self) { group in
            group.addTask {
                try await self.followLogs(id, onOutput: onOutput); return .logsEnded
            }
            group.addTask { .exited(try await self.waitForExit(id)) }
            var exitCode: Int32?
            var logsEnded = false
            while let event = try await group.next() {
                switch event {
                case .logsEnded: logsEnded = true
                case .exited(let code):
                    exitCode = code
                    if !logsEnded {
                        group.addTask {
                            try await Task.sleep(for: .seconds(2)); return .graceOver
                        }
                    }
                case .graceOver: logsEnded = true
                }
                if logsEnded, let exitCode {
                    group.cancelAll()
                    return exitCode
                }
            }
            throw EngineError.protocolError("container \(id.prefix(12)) ended with no exit status")
        }
    }

    /// Follows stdout/stderr of a non-TTY container until it stops.
    private func followLogs(_ id: String, onOutput: @Sendable (OutputStream, String) -> Void) async throws {
        let response = try await send(
            .GET, "/containers/\(id)/logs", query: [("follow", "1"), ("stdout", "1"), ("stderr", "1")],
            deadline: .distantFuture)
        try await requireSuccess(response)
        var demultiplexer = StreamDemultiplexer()
        var stdoutLines = LineSplitter()
        var stderrLines = LineSplitter()
        func deliver(_ line: [UInt8], _ stream: OutputStream) {
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.hasSuffix("\r") { text.removeLast() }
            onOutput(stream, text)
        }
        do {
            for try await chunk in response.body {
                for (kind, payload) in demultiplexer.append(chunk) {
                    switch kind {
                    case .stdout, .stdin:
                        stdoutLines.append(payload)
                        while let line = stdoutLines.nextLine() { deliver(line, .stdout) }
                    case .stderr:
                        stderrLines.append(payload)
                        while let line = stderrLines.nextLine() { deliver(line, .stderr) }
                    }
                }
            }
        } catch {
            throw mapStreamingError(error)
        }
        if let rest = stdoutLines.finish() { deliver(rest, .stdout) }
        if let rest = stderrLines.finish() { deliver(rest, .stderr) }
    }

    private func waitForExit(_ id: String) async throws -> Int32 {
        struct WaitError: Decodable { var Message: String? }
        struct Answer: Decodable {
            var StatusCode: Int
            var Error: WaitError?
        }
        let response = try await send(.POST, "/containers/\(id)/wait", deadline: .distantFuture)
        try await requireSuccess(response)
        let bytes = try await collectBody(response)
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(bytes)) else {
            throw EngineError.protocolError("waiting for container \(id.prefix(12)) gave no exit status")
        }
        if let message = answer.Error?.Message, !message.isEmpty {
            throw EngineError.daemon(status: 200, message: message)
        }
        return Int32(truncatingIfNeeded: answer.StatusCode)
    }

    /// Removes a container, killing it first if it still runs; a container already gone is fine.
    func removeContainer(_ id: String) async throws {
        do {
            try await expectSuccess(.DELETE, "/containers/\(id)", query: [("force", "1"), ("v", "1")])
        } catch EngineError.daemon(status: 404, _) {
            return
        }
    }

    /// IDs of containers, optionally including stopped ones and filtered by a "key" or "key=value" label.
    public func listContainers(all: Bool, labelFilter: String?) async throws -> [String] {
        struct Summary: Decodable { var Id: String }
        var query: [(String, String)] = []
        if all { query.append(("all", "1")) }
        if let labelFilter { query.append(("filters", try Self.jsonString(["label": [labelFilter]]))) }
        let containers: [Summary] = try await json(.GET, "/containers/json", query: query)
        return containers.map(\.Id)
    }
}

/// The `POST /containers/create` body.
struct CreateContainerBody: Encodable {
    struct Empty: Encodable {}
    struct HostBinding: Encodable {
        var HostIp: String
        var HostPort: String
    }
    struct HostConfigBody: Encodable {
        var Binds: [String]?
        var PortBindings: [String: [HostBinding]]?
        var PublishAllPorts: Bool
        var NetworkMode: String?
    }

    var Image: String
    var Cmd: [String]?
    var Env: [String]?
    var User: String?
    var WorkingDir: String?
    var Labels: [String: String]?
    var ExposedPorts: [String: Empty]?
    var Tty = false
    var AttachStdout = true
    var AttachStderr = true
    var HostConfig: HostConfigBody

    init(_ options: RunOptions) {
        Image = options.image
        Cmd = options.command
        Env = options.environment.isEmpty ? nil : options.environment
        User = options.user
        WorkingDir = options.workingDir
        Labels = options.labels.isEmpty ? nil : options.labels
        let portBindings = Self.portBindings(options.publishedPorts)
        ExposedPorts = portBindings.isEmpty ? nil : portBindings.mapValues { _ in Empty() }
        HostConfig = .init(
            Binds: options.bindMounts.isEmpty ? nil : options.bindMounts.map(\.bindsEntry),
            PortBindings: portBindings.isEmpty ? nil : portBindings,
            PublishAllPorts: options.publishAll,
            NetworkMode: options.networkMode)
    }

    /// `HostConfig.PortBindings`: the published ports grouped by container port ("8888/tcp"), each group in the
    /// order given; a missing host IP or port is sent as "" (all interfaces, a port the daemon chooses).
    static func portBindings(_ ports: [PublishedPort]) -> [String: [HostBinding]] {
        var bindings: [String: [HostBinding]] = [:]
        for port in ports {
            bindings[port.engineKey, default: []].append(
                HostBinding(HostIp: port.hostIP ?? "", HostPort: port.hostPort.map(String.init) ?? ""))
        }
        return bindings
    }
}
