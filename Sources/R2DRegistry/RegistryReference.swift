/// An image reference split the way Docker splits it: registry host, repository path and tag.
public struct RegistryReference: Sendable, Equatable {
    /// The registry host (with port), e.g. "registry.example.org:5000"; "docker.io" for Docker Hub.
    public var registry: String
    /// The repository path inside the registry, e.g. "library/python" or "binder/i-abc".
    public var repository: String
    public var tag: String

    public init(registry: String, repository: String, tag: String) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
    }

    /// Docker Hub's canonical host and the key `docker login` writes into config.json for it.
    public static let dockerHub = "docker.io"
    public static let dockerHubConfigKey = "https://index.docker.io/v1/"

    /// Parses `[host[:port]/]path[:tag][@digest]`. The first component is a host when it contains "." or ":"
    /// or is "localhost" (Docker's rule); otherwise the image lives on Docker Hub.
    public init(parsing reference: String) {
        var name = reference
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        var tag = "latest"
        let lastSlash = name.lastIndex(of: "/") ?? name.startIndex
        if let colon = name[lastSlash...].lastIndex(of: ":") {
            tag = String(name[name.index(after: colon)...])
            name = String(name[..<colon])
        }
        let parts = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = String(parts[0])
            repository = String(parts[1])
        } else {
            registry = Self.dockerHub
            repository = parts.count == 1 ? "library/" + name : name
        }
        self.tag = tag
    }

    /// The host the registry API answers on (Docker Hub's API host differs from its name).
    public var apiHost: String {
        registry == Self.dockerHub ? "registry-1.docker.io" : registry
    }

    /// Whether the host is this machine, which Docker treats as an insecure registry by default.
    public var isLoopback: Bool {
        let host = Self.hostWithoutPort(registry)
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The registry named by a config.json key or a `registry` value: "https://host:port/v1/" → "host:port".
    public static func normalizedHost(_ text: String) -> String {
        var host = Substring(text.trimmingCharactersInSet(" \t\n"))
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host = host.dropFirst(scheme.count) }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        let lowered = host.lowercased()
        switch lowered {
        case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "docker.io": return dockerHub
        default: return lowered
        }
    }

    static func hostWithoutPort(_ registry: String) -> String {
        if registry.hasPrefix("[") , let close = registry.firstIndex(of: "]") {
            return String(registry[...close])
        }
        return String(registry.split(separator: ":", maxSplits: 1).first ?? "")
    }
}

extension String {
    func trimmingCharactersInSet(_ set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
