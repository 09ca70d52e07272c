import R2DBasics

/// What the registry client needs of an image reference besides its parts.
extension ImageReference {
    /// The host the registry API answers on (Docker Hub's API host differs from its name).
    public var apiHost: String {
        registry == ImageReference.dockerHub ? "registry-1.docker.io" : registry
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
        case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "docker.io": return ImageReference.dockerHub
        default: return lowered
        }
    }

    static func hostWithoutPort(_ registry: String) -> String {
        if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") {
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
