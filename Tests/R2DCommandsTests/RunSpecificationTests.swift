import Testing
@testable import R2DCommands
import R2DCore

@Suite("Port and volume specifications")
struct RunSpecTests {
    @Test(
        "valid -p values",
        arguments: [
            ("8000", PortMapping(hostPort: 8000, containerPort: 8000)),
            ("8000:9000", PortMapping(hostPort: 8000, containerPort: 9000)),
            ("127.0.0.1:8000:9000", PortMapping(hostIP: "127.0.0.1", hostPort: 8000, containerPort: 9000)),
            ("8000:9000/udp", PortMapping(hostPort: 8000, containerPort: 9000, proto: "udp")),
        ])
    func validPorts(spec: String, mapping: PortMapping) throws {
        #expect(try PortMapping.parse(spec) == mapping)
    }

    @Test("invalid -p values", arguments: ["0", "65536", "abc", "80:90/sctp", "1:2:3:4", ":80:90", "80:", ""])
    func invalidPorts(spec: String) {
        #expect(throws: CommandLineFailure.self) { try PortMapping.parse(spec) }
    }

    @Test("volumes")
    func volumes() throws {
        #expect(try VolumeMapping.parse("/a:/b") == VolumeMapping(source: "/a", destination: "/b"))
        #expect(throws: CommandLineFailure.self) { try VolumeMapping.parse("/a:/b:ro") }
        #expect(throws: CommandLineFailure.self) { try VolumeMapping.parse("/a") }
    }
}
