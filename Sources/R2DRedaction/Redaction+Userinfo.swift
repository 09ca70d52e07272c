extension Redaction {
    /// Replaces the userinfo of `scheme://userinfo@host…` URLs and of scp-like `user:password@host:path` remotes
    /// by the marker, token by token (a URL or remote never holds a space or a control character).
    static func redactingUserinfo(in bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var index = 0
        while index < bytes.count {
            guard !ASCII.isTokenBoundary(bytes[index]) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, !ASCII.isTokenBoundary(bytes[end]) { end += 1 }
            appendRedactingUserinfo(of: bytes[index..<end], to: &output)
            index = end
        }
        return output
    }

    private static func appendRedactingUserinfo(of token: ArraySlice<UInt8>, to output: inout [UInt8]) {
        let separators = schemeSeparators(in: token)
        guard !separators.isEmpty else { return appendRedactingRemoteUserinfo(of: token, to: &output) }
        var copied = token.startIndex
        for (number, separator) in separators.enumerated() {
            let authority = separator + 3
            // One token may hold several URLs (`…?next=https://…`): each one's userinfo ends before the next URL.
            let regionEnd = number + 1 < separators.count ? separators[number + 1] : token.endIndex
            guard let at = urlUserinfoEnd(in: token[authority..<regionEnd]) else { continue }
            // ssh authenticates by key: `ssh://git@host/…` names a user, not a secret (a password still goes).
            if isSSHScheme(token[..<separator]), !token[authority..<at].contains(ASCII.colon) { continue }
            output += token[copied..<authority]
            output += markerBytes
            copied = at
        }
        output += token[copied...]
    }

    /// `beforeSeparator` ends in the scheme `ssh`, `git+ssh`, `svn+ssh` or the like.
    static func isSSHScheme(_ beforeSeparator: ArraySlice<UInt8>) -> Bool {
        let suffix = beforeSeparator.suffix(3)
        guard ASCII.equalsIgnoringCase(suffix, ssh) else { return false }
        guard let previous = beforeSeparator.dropLast(3).last else { return true }
        return previous == UInt8(ascii: "+") || !(ASCII.isWordByte(previous) || previous == UInt8(ascii: "-") || previous == ASCII.dot)
    }

    /// Where each "://" in `token` starts.
    static func schemeSeparators(in token: ArraySlice<UInt8>) -> [Int] {
        var found: [Int] = []
        var index = token.startIndex
        while index + 2 < token.endIndex {
            if token[index] == ASCII.colon, token[index + 1] == ASCII.slash, token[index + 2] == ASCII.slash {
                found.append(index)
                index += 3
            } else {
                index += 1
            }
        }
        return found
    }

    /// The "@" ending the userinfo of the URL whose authority starts `region`, or nil when it has none.
    /// A password may hold an unencoded "@", "/", "?", "#" or ":", so several "@" can qualify: the first one
    /// followed by a host that looks real wins; failing that the last one, which hides too much rather than
    /// too little.
    static func urlUserinfoEnd(in region: ArraySlice<UInt8>) -> Int? {
        // Found once, not per "@": a hostile token full of "@" must still take linear time.
        let pathStart = region.firstIndex(where: isAuthorityEnd) ?? region.endIndex
        let passwordBeforePath = hasPassword(region[..<pathStart])
        var lastCandidate: Int?
        for at in region.indices where region[at] == ASCII.at {
            // Userinfo that runs past a "/", "?" or "#" must have started as `user:password`.
            guard at > region.startIndex, at < pathStart || passwordBeforePath else { continue }
            if looksLikeURLHost(region[(at + 1)...]) { return at }
            lastCandidate = at
        }
        return lastCandidate
    }

    /// `head`, the URL's text before its first "/", "?" or "#", is `user:password…`: it has a colon followed by
    /// something other than a port. So `https://host/path@v1` and `https://host:8080/p@v1` hold no userinfo,
    /// and `https://u:p/w@host` does.
    static func hasPassword(_ head: ArraySlice<UInt8>) -> Bool {
        guard head.first != ASCII.openBracket, let colon = head.firstIndex(of: ASCII.colon) else { return false }
        return !head[(colon + 1)...].allSatisfy(ASCII.isDigit)
    }

    /// `rest`, what follows an "@", starts with a host unlikely to be the rest of a password: a dotted name or
    /// address, an IPv6 literal, localhost, or a name with a port; and no further "@" comes before its path.
    static func looksLikeURLHost(_ rest: ArraySlice<UInt8>) -> Bool {
        let end = rest.firstIndex(where: { isAuthorityEnd($0) || $0 == ASCII.at }) ?? rest.endIndex
        if end < rest.endIndex, rest[end] == ASCII.at { return false }
        return looksLikeHostName(rest[..<end])
    }

    static func looksLikeHostName(_ host: ArraySlice<UInt8>) -> Bool {
        guard let first = host.first else { return false }
        if first == ASCII.openBracket || host.contains(ASCII.dot) { return true }
        if let colon = host.firstIndex(of: ASCII.colon) {
            let port = host[(colon + 1)...]
            return colon > host.startIndex && !port.isEmpty && port.allSatisfy(ASCII.isDigit)
        }
        return ASCII.equalsIgnoringCase(host, localhost)
    }

    static func isAuthorityEnd(_ byte: UInt8) -> Bool {
        byte == ASCII.slash || byte == ASCII.question || byte == ASCII.hash
    }

    private static let localhost: [UInt8] = Array("localhost".utf8)
    private static let ssh: [UInt8] = Array("ssh".utf8)
}

extension Redaction {
    /// scp-like git remotes, `user:password@host:path`, redacted only when a password is there, so
    /// `git@github.com:org/repo` stays as it is. As for URLs, the first "@" followed by a real-looking host
    /// ends the userinfo, else the last one that can.
    private static func appendRedactingRemoteUserinfo(of token: ArraySlice<UInt8>, to output: inout [UInt8]) {
        // Quotes or brackets around a remote in prose are not part of its user name.
        let start = token.firstIndex(where: { !isOpeningPunctuation($0) }) ?? token.endIndex
        let userinfo = RemoteUserinfoRule(token[start...])
        var chosen: Int?
        for at in token[start...].indices where token[at] == ASCII.at {
            guard userinfo.canEnd(at: at), let host = remoteHost(token[(at + 1)...]) else { continue }
            chosen = at
            if looksLikeHostName(host) { break }
        }
        guard let at = chosen else {
            output += token
            return
        }
        output += token[..<start]
        output += markerBytes
        output += token[at...]
    }

    /// Which "@" can end a remote's userinfo: a user name without "/", then ":" and a password (which may hold
    /// anything); or the marker, so that a second redaction ends the userinfo where the first did. Worked out
    /// once per token, so a token full of "@" takes linear time.
    struct RemoteUserinfoRule {
        let firstColon: Int?
        let userHasSlash: Bool
        let markerEnd: Int?

        init(_ text: ArraySlice<UInt8>) {
            firstColon = text.firstIndex(of: ASCII.colon)
            userHasSlash = text[..<(firstColon ?? text.endIndex)].contains(ASCII.slash)
            markerEnd = text.starts(with: markerBytes) ? text.startIndex + markerBytes.count : nil
        }

        func canEnd(at index: Int) -> Bool {
            if index == markerEnd { return true }
            guard let firstColon else { return false }
            return firstColon < index && !userHasSlash
        }
    }

    /// The host after a remote's "@" (up to ":", "/" or the token's end), or nil when there is none or it is a
    /// digest algorithm: `name:tag@sha256:…` is an image reference pinned to a digest, not a remote.
    static func remoteHost(_ rest: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let end = rest.firstIndex(where: { $0 == ASCII.colon || $0 == ASCII.slash || $0 == ASCII.at }) ?? rest.endIndex
        let host = rest[..<end]
        guard !host.isEmpty, end == rest.endIndex || rest[end] != ASCII.at else { return nil }
        let endsInColon = end < rest.endIndex && rest[end] == ASCII.colon
        if endsInColon, digestAlgorithms.contains(where: { ASCII.equalsIgnoringCase(host, $0) }) { return nil }
        return host
    }

    static func isOpeningPunctuation(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`")
            || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: "[")
    }

    private static let digestAlgorithms: [[UInt8]] = ["sha256", "sha384", "sha512"].map { Array($0.utf8) }
}
