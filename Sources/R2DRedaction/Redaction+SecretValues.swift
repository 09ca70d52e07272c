extension Redaction {
    /// Names whose value is a secret, lowercase. A name counts only at the start of a word and with "=" right
    /// after it, so `private_token=` and `X-Amz-Signature=` are found through `token` and `signature`, while
    /// `tokens=` or `--no-secret` are not.
    static let secretNames: [[UInt8]] = [
        "access_token", "token", "api_key", "apikey", "api-key", "password", "passwd", "secret",
        "sig", "signature", "x-amz-signature", "x-amz-credential", "credential",
    ].map { Array($0.utf8) }

    /// Replaces the value of every `name=value` whose name is a secret's, anywhere in the text: query strings,
    /// but also flags and environment assignments in a build log (`ENV API_TOKEN=…`).
    static func redactingSecretValues(in bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard let valueStart = secretValueStart(in: bytes, at: index) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            output += bytes[index..<valueStart]
            var valueEnd = valueStart
            while valueEnd < bytes.count, !endsValue(bytes[valueEnd]) { valueEnd += 1 }
            if valueEnd > valueStart { output += markerBytes }
            index = valueEnd
        }
        return output
    }

    /// Where the value starts when a secret's name and "=" begin at `index`.
    static func secretValueStart(in bytes: [UInt8], at index: Int) -> Int? {
        guard startsWord(bytes, at: index) else { return nil }
        for name in secretNames {
            let nameEnd = index + name.count
            guard nameEnd < bytes.count, bytes[nameEnd] == ASCII.equals,
                ASCII.equalsIgnoringCase(bytes[index..<nameEnd], name)
            else { continue }
            return nameEnd + 1
        }
        return nil
    }

    static func startsWord(_ bytes: [UInt8], at index: Int) -> Bool {
        guard ASCII.isWordByte(bytes[index]) else { return false }
        guard index > 0, ASCII.isWordByte(bytes[index - 1]) else { return true }
        // A literal "\n" separates words too: GIT_CREDENTIAL_ENV is often written "username=u\npassword=p".
        let escapes: [UInt8] = [UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t")]
        return index >= 2 && bytes[index - 2] == ASCII.backslash && escapes.contains(bytes[index - 1])
    }

    /// A value runs to the next parameter ("&"), the fragment ("#") or the end of the token.
    static func endsValue(_ byte: UInt8) -> Bool {
        ASCII.isTokenBoundary(byte) || byte == ASCII.ampersand || byte == ASCII.hash
    }
}
