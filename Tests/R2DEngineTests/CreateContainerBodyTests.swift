import Foundation
@testable import R2DEngine
import Testing

/// The typed mounts and ports of ``RunOptions`` reach `POST /containers/create` as the Engine API's strings:
/// `HostConfig.Binds` entries, `HostConfig.PortBindings` grouped by container port, and `ExposedPorts`.
@Suite("CreateContainerBody: bind mounts and published ports")
struct CreateContainerBodyTests {
    static func encoded(_ options: RunOptions) throws -> [String: Any] {
        let data = try EngineClient.encoder.encode(CreateContainerBody(options))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func bindMountsBecomeBindsStringsInOrder() throws {
        let options = RunOptions(
            image: "i",
            bindMounts: [
                BindMount(source: "/home/me/repo", destination: "/home/jovyan"),
                BindMount(source: "/data", destination: "/mnt/data", readOnly: true),
            ])
        let hostConfig = try #require(try Self.encoded(options)["HostConfig"] as? [String: Any])
        #expect(hostConfig["Binds"] as? [String] == ["/home/me/repo:/home/jovyan:rw", "/data:/mnt/data:ro"])
    }

    @Test func portsSharingAContainerPortAreOneKeyWithBindingsInOrder() throws {
        let options = RunOptions(
            image: "i",
            publishedPorts: [
                PublishedPort(containerPort: 8888, hostIP: "127.0.0.1", hostPort: 9999),
                PublishedPort(containerPort: 53, transportProtocol: "udp", hostPort: 5353),
                PublishedPort(containerPort: 8888, hostPort: nil),
            ])
        let body = try Self.encoded(options)
        #expect((body["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["53/udp", "8888/tcp"])
        let hostConfig = try #require(body["HostConfig"] as? [String: Any])
        let bindings = try #require(hostConfig["PortBindings"] as? [String: [[String: String]]])
        #expect(
            bindings == [
                "8888/tcp": [["HostIp": "127.0.0.1", "HostPort": "9999"], ["HostIp": "", "HostPort": ""]],
                "53/udp": [["HostIp": "", "HostPort": "5353"]],
            ])
    }

    @Test func nothingToMountOrPublishLeavesTheFieldsOut() throws {
        let body = try Self.encoded(RunOptions(image: "i"))
        #expect(body["ExposedPorts"] == nil)
        let hostConfig = try #require(body["HostConfig"] as? [String: Any])
        #expect(hostConfig["Binds"] == nil)
        #expect(hostConfig["PortBindings"] == nil)
    }
}
