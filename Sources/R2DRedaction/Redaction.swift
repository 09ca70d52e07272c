/// The one place that hides secrets in text before it is shown: every log line, error message and label that
/// may carry a URL goes through `redactingCredentials(in:)`. README.md beside this file lists the forms.
public enum Redaction {
    /// What a hidden secret is replaced by.
    public static let marker = "***"

    /// `text` with every credential found in it, and every secret registered with `registerSecret(_:)`,
    /// replaced by `marker`; scheme, host, path and the other query values stay, so the message still says
    /// where. Idempotent: redacting twice gives the same text.
    public static func redactingCredentials(in text: String) -> String {
        // Most log lines carry neither form; answer those without copying.
        guard mayHoldCredentials(text.utf8) || !KnownSecrets.shared.current.isEmpty else { return text }
        return String(decoding: redactingCredentials(in: Array(text.utf8)), as: UTF8.self)
    }

    /// The byte form, for output that need not be UTF-8 (a C library's line on stderr). Only ASCII runs are
    /// cut or inserted, so valid UTF-8 stays valid.
    public static func redactingCredentials(in bytes: [UInt8]) -> [UInt8] {
        // Registered secrets first: the other forms could cut one in two and leave a part of it showing.
        let known = KnownSecrets.shared.current
        var result = known.isEmpty ? bytes : maskingKnownSecrets(in: bytes, forms: known)
        if result.contains(ASCII.at) { result = redactingUserinfo(in: result) }
        if result.contains(ASCII.equals) { result = redactingSecretValues(in: result) }
        return result
    }

    /// Every form needs an "@" (userinfo) or an "=" (a secret parameter).
    static func mayHoldCredentials(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 == ASCII.at || $0 == ASCII.equals }
    }

    static let markerBytes: [UInt8] = Array(marker.utf8)
}

/// The bytes the scanners look for, by name.
enum ASCII {
    static let at = UInt8(ascii: "@")
    static let equals = UInt8(ascii: "=")
    static let colon = UInt8(ascii: ":")
    static let slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?")
    static let hash = UInt8(ascii: "#")
    static let ampersand = UInt8(ascii: "&")
    static let dot = UInt8(ascii: ".")
    static let backslash = UInt8(ascii: "\\")
    static let openBracket = UInt8(ascii: "[")

    /// Space, control characters and DEL end a token: no URL or remote can contain them unencoded.
    static func isTokenBoundary(_ byte: UInt8) -> Bool { byte <= 0x20 || byte == 0x7F }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Letters, digits and every non-ASCII byte: parts of a word, so no parameter name starts after them.
    static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte >= 0x80
    }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// `slice` equals the lowercase ASCII `word`, ignoring case.
    static func equalsIgnoringCase(_ slice: ArraySlice<UInt8>, _ word: [UInt8]) -> Bool {
        slice.count == word.count && zip(slice, word).allSatisfy { lowercased($0) == $1 }
    }
}
