/// An image reference, parsed once: `[host[:port]/]path[:tag][@digest]`. The daemon's tag and push calls
/// take `name` and `tag`; the registry API takes `registry` and `repository`; `isValid` is repo2docker's grammar
/// for `--image-name` and `FROM`.
public struct ImageReference: Sendable, Equatable {
    /// The reference before its tag and digest, as written (`registry.example.org/team/i`, `python`).
    public var name: String
    /// The registry host (with port), e.g. "registry.example.org:5000"; "docker.io" for Docker Hub.
    public var registry: String
    /// The repository path inside the registry, e.g. "library/python" or "binder/i-abc".
    public var repository: String
    /// "latest" when the reference names none.
    public var tag: String
    /// `sha256:…` when the reference pins one.
    public var digest: String?

    public init(registry: String, repository: String, tag: String) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        name = registry == Self.dockerHub ? repository : registry + "/" + repository
    }

    /// Docker Hub's canonical host and the key `docker login` writes into config.json for it.
    public static let dockerHub = "docker.io"
    public static let dockerHubConfigKey = "https://index.docker.io/v1/"

    /// Parses `[host[:port]/]path[:tag][@digest]`. The tag is after the last `:` that follows the last `/` (a
    /// registry port is not a tag). The first component is a host when it contains "." or ":" or is
    /// "localhost" (Docker's rule); otherwise the image lives on Docker Hub.
    public init(parsing reference: String) {
        var name = Substring(reference)
        if let at = name.firstIndex(of: "@") {
            digest = String(name[name.index(after: at)...])
            name = name[..<at]
        }
        tag = "latest"
        let lastSlash = name.lastIndex(of: "/") ?? name.startIndex
        if let colon = name[lastSlash...].lastIndex(of: ":") {
            tag = String(name[name.index(after: colon)...])
            name = name[..<colon]
        }
        self.name = String(name)
        let parts = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = String(parts[0])
            repository = String(parts[1])
        } else {
            registry = Self.dockerHub
            repository = parts.count == 1 ? "library/" + name : String(name)
        }
    }

    /// repo2docker's stricter-than-Docker reference check (repo2docker's `__main__.py`, `validate_image_name`):
    /// `[registry/]component(/component)*[:tag][@digest]`, where the registry is `domain(.domain)*[:port]`
    /// (the first domain lower-case), a component is lower-case alphanumerics joined by `.`, `_`, `__` or
    /// runs of `-`, a tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` and a digest `algorithm:hex{32,}`.
    /// Hand-written rather than a regular expression: Foundation's regex engine loads ICU (megabytes of
    /// resident memory and milliseconds on every run).
    public static func isValid(_ name: String) -> Bool {
        var rest = Substring(name)
        if let at = rest.firstIndex(of: "@") {
            guard isDigest(rest[rest.index(after: at)...]) else { return false }
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest[(lastSlash ?? rest.startIndex)...].lastIndex(of: ":") {
            guard isTag(rest[rest.index(after: colon)...]) else { return false }
            rest = rest[..<colon]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        if parts.allSatisfy(isComponent) { return true }
        return parts.count >= 2 && isRegistry(parts[0]) && parts.dropFirst().allSatisfy(isComponent)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
    private static func isComponent(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else {
            return false
        }
        var index = 0
        while index < bytes.count {
            if isLowerAlphanumeric(bytes[index]) { index += 1; continue }
            // A separator: ".", "_", "__" or a run of "-", always followed by an alphanumeric (the last byte is one).
            var end = index
            while end < bytes.count && !isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let valid =
                separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard valid else { return false }
            index = end
        }
        return true
    }

    /// `domain(.domain)*[:port]`; a domain is alphanumerics and inner hyphens, the first one lower-case.
    private static func isRegistry(_ text: Substring) -> Bool {
        var host = text
        if let colon = text.firstIndex(of: ":") {
            let port = text[text.index(after: colon)...]
            guard !port.isEmpty, port.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
            host = text[..<colon]
        }
        let domains = host.split(separator: ".", omittingEmptySubsequences: false)
        for (position, domain) in domains.enumerated() {
            let bytes = Array(domain.utf8)
            func allowed(_ byte: UInt8) -> Bool { position == 0 ? isLowerAlphanumeric(byte) : isAlphanumeric(byte) }
            guard let first = bytes.first, let last = bytes.last, allowed(first), allowed(last),
                bytes.allSatisfy({ allowed($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return true
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
    private static func isTag(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128, isAlphanumeric(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
    private static func isDigest(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let hex = text[text.index(after: colon)...].utf8
        guard hex.count >= 32,
            hex.allSatisfy({
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0)
            })
        else { return false }
        let algorithm = Array(text[..<colon].utf8)
        var expectLetter = true
        for byte in algorithm {
            if expectLetter {
                guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                else { return false }
                expectLetter = false
            } else if [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: ".")].contains(byte) {
                expectLetter = true
            } else if !isAlphanumeric(byte) {
                return false
            }
        }
        return !algorithm.isEmpty && !expectLetter
    }
}
