import Foundation
import R2DRedaction
import Testing

/// Registered build secrets are hidden in every redaction. The registry is the process's, shared with the other
/// suites, so each test registers values of its own that nothing else prints.
@Suite("Redaction of registered build secrets")
struct KnownSecretsTests {
    /// A value no other test (or fixture) contains.
    static func unique(_ stem: String) -> String { "\(stem)\(UInt64.random(in: 1_000_000_000...9_999_999_999))" }

    @Test("a registered value is hidden wherever it appears, also inside words and JSON")
    func wholeValue() {
        let token = Self.unique("tok")
        Redaction.registerSecret(token)
        #expect(Redaction.redactingCredentials(in: "token is \(token).") == "token is ***.")
        #expect(Redaction.redactingCredentials(in: "x\(token)y") == "x***y")
        #expect(Redaction.redactingCredentials(in: "\(token)\(token)") == "******")
        let json = Array("{\"message\":\"saw \(token)\\n\"}\n".utf8)
        #expect(String(decoding: Redaction.hidingRegisteredSecrets(in: json), as: UTF8.self) == "{\"message\":\"saw ***\\n\"}\n")
    }

    @Test("a URL's userinfo and password are hidden on their own, as written and percent-decoded")
    func urlParts() {
        let stem = Self.unique("")
        let password = "p%40ss" + stem
        let url = "http://builder:\(password)@127.0.0.1:8080/simple"
        Redaction.registerSecret(url + "\n")
        #expect(Redaction.redactingCredentials(in: "Looking in \(url)") == "Looking in ***")
        #expect(Redaction.redactingCredentials(in: "password \(password) rejected") == "password *** rejected")
        let decoded = "p@ss" + stem
        #expect(Redaction.redactingCredentials(in: "password \(decoded) rejected") == "password *** rejected")
        #expect(Redaction.redactingCredentials(in: "as builder:\(password)") == "as ***")
        // As an HTTP client sends it: `Authorization: Basic base64(user:password)`, the password decoded.
        let basic = Self.base64Encoded("builder:" + decoded)
        #expect(Redaction.redactingCredentials(in: "Authorization: Basic \(basic)") == "Authorization: Basic ***")
        // The user name alone is not the secret.
        #expect(Redaction.redactingCredentials(in: "user builder") == "user builder")
    }

    /// Foundation's base64, as a reference independent of the module's.
    static func base64Encoded(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("the Basic-auth form is hidden whatever the length of user:password", arguments: ["", "x", "xy"])
    func basicAuthPadding(extra: String) {
        let userinfo = "u:" + Self.unique("basic") + extra
        Redaction.registerSecret("https://\(userinfo)@index.example/simple")
        #expect(Redaction.redactingCredentials(in: "Basic \(Self.base64Encoded(userinfo))") == "Basic ***")
    }

    @Test("each line and each word of a value is hidden; surrounding space is not part of it")
    func linesAndWords() {
        let first = Self.unique("line-one-"), second = Self.unique("line-two-")
        Redaction.registerSecret("  \(first)\n\(second) \n")
        #expect(Redaction.redactingCredentials(in: "\(first) then \(second)") == "*** then ***")
    }

    @Test("a value shorter than four bytes is hidden only as a whole word")
    func shortValue() {
        // Three bytes no other suite prints as a word of their own.
        let short = "\u{3A9}z"
        Redaction.registerSecret(short)
        #expect(Redaction.redactingCredentials(in: "user \(short) logged in") == "user *** logged in")
        #expect(Redaction.redactingCredentials(in: "a\(short)b") == "a\(short)b")
    }

    @Test("redacting twice gives the same text; an empty or marker-only value hides nothing")
    func idempotent() {
        let token = Self.unique("idem")
        Redaction.registerSecret(token)
        Redaction.registerSecret("")
        Redaction.registerSecret("***")
        let once = Redaction.redactingCredentials(in: "a \(token) b https://u:p@host.example/x ***")
        #expect(once == "a *** b https://***@host.example/x ***")
        #expect(Redaction.redactingCredentials(in: once) == once)
    }

    @Test("bytes that are not UTF-8 around a secret stay as they are")
    func invalidUTF8() {
        let token = Self.unique("bin")
        Redaction.registerSecret(token)
        let bytes: [UInt8] = [0xFF, 0xFE] + Array(token.utf8) + [0xC3]
        #expect(Redaction.redactingCredentials(in: bytes) == [0xFF, 0xFE] + Array("***".utf8) + [0xC3])
    }
}
