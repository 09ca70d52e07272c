import Foundation
import R2DEngine

/// Runs the built image as repo2docker does: Jupyter on a free port by default, or the given command.
struct ContainerRunner {
    let request: BuildRequest
    let reporter: Reporter
    let engine: any ContainerEngine

    func run(image: String, repoDirectory: String) async throws -> Int32 {
        var options = RunOptions(image: image)
        options.networkMode = request.network
        options.environment = expandedEnvironment()
        options.publishAll = request.publishAll
        var ports = request.ports
        if request.runCommand.isEmpty {
            let mapping: PortMapping
            if ports.count == 1 {
                mapping = ports[0]
            } else {
                let port = try Self.freePort()
                mapping = PortMapping(hostPort: port, containerPort: port)
                ports = [mapping]
            }
            let host = mapping.hostIP ?? displayHost()
            options.command = [
                "jupyter", "notebook", "--ip=0.0.0.0", "--port=\(mapping.containerPort)",
                "--ServerApp.custom_display_url=http://\(host):\(mapping.hostPort)",
                "--ServerApp.default_url=/lab",
            ]
        } else {
            options.command = request.runCommand
        }
        // Host networking shares the host's ports: there is nothing to publish.
        if request.network != "host" {
            options.publishedPorts = ports.map { mapping in
                PublishedPort(
                    containerPort: mapping.containerPort, transportProtocol: mapping.proto,
                    hostIP: mapping.hostIP, hostPort: mapping.hostPort)
            }
        }
        options.bindMounts = try await bindMounts(image: image)
        let reporter = self.reporter
        let code = try await engine.runContainer(options) { _, text in
            reporter.log(text.hasSuffix("\n") ? text : text + "\n", phase: .running)
        }
        reporter.log("CONTAINER FINISHED RUNNING.\n", phase: .running)
        return code
    }

    /// Docker semantics: `KEY` alone takes the host's value, and is dropped when the host has none.
    func expandedEnvironment() -> [String] {
        request.environment.compactMap { item in
            if item.contains("=") { return item }
            return request.processEnvironment[item].map { "\(item)=\($0)" }
        }
    }

    /// The `--volume` mappings (and the repository itself with `--editable`), relative destinations resolved
    /// against the image's working directory; all read-write, as repo2docker mounts them.
    func bindMounts(image: String) async throws -> [BindMount] {
        var volumes = request.volumes
        if request.editable { volumes.append(VolumeMapping(source: request.repo, destination: ".")) }
        guard !volumes.isEmpty else { return [] }
        let workingDirectory = try await engine.inspectImage(image)?.workingDir ?? ""
        return volumes.map { volume in
            let source = RepositoryLocation.absolute(volume.source)
            let destination =
                volume.destination.hasPrefix("/")
                ? volume.destination
                : URL(
                    fileURLWithPath: volume.destination, relativeTo: URL(fileURLWithPath: workingDirectory.isEmpty ? "/" : workingDirectory)
                ).standardizedFileURL.path
            return BindMount(source: source, destination: destination, readOnly: false)
        }
    }

    func displayHost() -> String {
        guard let host = request.processEnvironment["DOCKER_HOST"], !host.hasPrefix("unix://"), !host.isEmpty,
            let parsed = URL(string: host)?.host
        else { return "127.0.0.1" }
        return parsed
    }

    /// Binds port 0 on the host to learn a free port number.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CoreError.fileSystem("Cannot open a socket to find a free port: \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Int32 in
                guard bind(fd, sa, length) == 0 else { return -1 }
                return getsockname(fd, sa, &length)
            }
        }
        guard bound == 0 else { throw CoreError.fileSystem("Cannot find a free port: \(String(cString: strerror(errno))).") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
