import R2DBasics
import R2DCore

// How the command line spells a published port and a bind mount (`-p`, `-v`); the request holds them typed.

extension PortMapping {
    /// Parses a `-p` value; the error names the flag and the accepted forms.
    static func parse(_ spec: String) throws -> PortMapping {
        func invalid() -> CommandLineFailure {
            CommandLineFailure(
                description:
                    "Port specification \(spec.quotedSingleLine) is invalid; use PORT, HOSTPORT:CONTAINERPORT or HOSTIP:HOSTPORT:CONTAINERPORT[/tcp|udp] with ports 1-65535",
                exitCode: 1)
        }
        var body = Substring(spec)
        var proto = "tcp"
        if let slash = body.lastIndex(of: "/") {
            proto = String(body[body.index(after: slash)...])
            body = body[..<slash]
            guard proto == "tcp" || proto == "udp" else { throw invalid() }
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func port(_ text: String) throws -> Int {
            guard let value = Int(text), (1...65535).contains(value) else { throw invalid() }
            return value
        }
        switch parts.count {
        case 1:
            let p = try port(parts[0])
            return PortMapping(hostPort: p, containerPort: p, proto: proto)
        case 2:
            return PortMapping(hostPort: try port(parts[0]), containerPort: try port(parts[1]), proto: proto)
        case 3:
            guard !parts[0].isEmpty else { throw invalid() }
            return PortMapping(hostIP: parts[0], hostPort: try port(parts[1]), containerPort: try port(parts[2]), proto: proto)
        default:
            throw invalid()
        }
    }
}

extension VolumeMapping {
    /// Parses a `-v` value: `SOURCE:DESTINATION`.
    static func parse(_ spec: String) throws -> VolumeMapping {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CommandLineFailure(
                description: "Volume specification \(spec.quotedSingleLine) is invalid; use SOURCE:DESTINATION", exitCode: 1)
        }
        return VolumeMapping(source: parts[0], destination: parts[1])
    }
}
