import NIOCore

/// One entry of `NO_PROXY`, with Go's `httpproxy` meaning (what dockerd and the docker CLI use): `*` matches
/// everything; `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only its subdomains; an IP address
/// matches itself and a CIDR block its addresses; any of these may carry `:port`.
public enum NoProxyRule: Sendable, Equatable {
    case everything
    case domain(String, subdomainsOnly: Bool, port: Int?)
    case address([UInt8], prefixBits: Int, port: Int?)

    /// Splits a `NO_PROXY` value at commas and spaces; entries that mean nothing are skipped.
    public static func parseList(_ text: String) -> [NoProxyRule] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).compactMap { parse(String($0)) }
    }

    static func parse(_ entry: String) -> NoProxyRule? {
        let text = entry.lowercased()
        if text == "*" { return .everything }
        if let slash = text.firstIndex(of: "/") {
            guard let bits = Int(text[text.index(after: slash)...]), let bytes = HostPort.addressBytes(String(text[..<slash])),
                (0...bytes.count * 8).contains(bits)
            else { return nil }
            return .address(bytes, prefixBits: bits, port: nil)
        }
        guard let (host, port) = HostPort.split(Substring(text), defaultPort: nil), !host.isEmpty else { return nil }
        if let bytes = HostPort.addressBytes(host) { return .address(bytes, prefixBits: bytes.count * 8, port: port) }
        var name = host
        var subdomainsOnly = false
        if name.hasPrefix("*.") { name.removeFirst() }
        if name.hasPrefix(".") {
            name.removeFirst()
            subdomainsOnly = true
        }
        return name.isEmpty ? nil : .domain(name, subdomainsOnly: subdomainsOnly, port: port)
    }

    /// Whether a request to `host` (lower case, no brackets) on `port` goes direct.
    public func matches(host: String, port: Int) -> Bool {
        switch self {
        case .everything:
            return true
        case .domain(let name, let subdomainsOnly, let rulePort):
            if let rulePort, rulePort != port { return false }
            return host.hasSuffix("." + name) || (!subdomainsOnly && host == name)
        case .address(let network, let prefixBits, let rulePort):
            if let rulePort, rulePort != port { return false }
            guard let bytes = HostPort.addressBytes(host), bytes.count == network.count else { return false }
            return Self.samePrefix(bytes, network, bits: prefixBits)
        }
    }

    static func samePrefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        for index in 0..<a.count {
            let remaining = bits - index * 8
            if remaining <= 0 { return true }
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a[index] & mask != b[index] & mask { return false }
        }
        return true
    }
}

/// Host and port text as URLs and proxy variables write them.
enum HostPort {
    /// `host`, `host:port`, `[v6]` or `[v6]:port`; nil when the port is not a number.
    static func split(_ text: Substring, defaultPort: Int?) -> (String, Int?)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
            return (host, port)
        }
        // More than one colon and no brackets: a bare IPv6 address without a port.
        if text.filter({ $0 == ":" }).count > 1 { return (String(text), defaultPort) }
        if let colon = text.lastIndex(of: ":") {
            guard let port = Int(text[text.index(after: colon)...]) else { return nil }
            return (String(text[..<colon]), port)
        }
        return (String(text), defaultPort)
    }

    /// Lower case, without IPv6 brackets or a trailing dot.
    static func normalized(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// `localhost`, its subdomains, 127.0.0.0/8 and ::1: never sent through a proxy.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        guard let bytes = addressBytes(host) else { return false }
        return bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The bytes of an IPv4 or IPv6 address literal; nil for a name.
    static func addressBytes(_ text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }
}
