/// Image references (`FROM` of generated Dockerfiles, `--image-name`), in repo2docker's grammar.
public enum ImageReference {
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
            let valid = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
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
                  bytes.allSatisfy({ allowed($0) || $0 == UInt8(ascii: "-") }) else { return false }
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
        guard hex.count >= 32, hex.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }) else { return false }
        let algorithm = Array(text[..<colon].utf8)
        var expectLetter = true
        for byte in algorithm {
            if expectLetter {
                guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) else { return false }
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
