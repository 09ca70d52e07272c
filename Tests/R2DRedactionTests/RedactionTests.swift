import R2DRedaction
import Testing

/// One input and the exact text it must become.
struct RedactionCase: Sendable, CustomTestStringConvertible {
    let label: String
    let input: String
    let expected: String
    var testDescription: String { label }

    init(_ label: String, _ input: String, _ expected: String) {
        self.label = label
        self.input = input
        self.expected = expected
    }
}

@Suite("Redaction of credentials")
struct RedactionTests {
    static let urlUserinfoCases: [RedactionCase] = [
        .init("user and password", "https://user:pass@github.com/org/repo", "https://***@github.com/org/repo"),
        .init("token as user name", "https://ghp_abc123@github.com/org/repo.git", "https://***@github.com/org/repo.git"),
        .init("password with '@'", "clone of https://u:p@ss@host/x failed", "clone of https://***@host/x failed"),
        .init("password with '/'", "https://u:p/w@host/x", "https://***@host/x"),
        .init("password with '/' and '@'", "https://u:p/w@rd@host/x", "https://***@host/x"),
        .init("password with ':'", "https://u:p:w@host/x", "https://***@host/x"),
        .init("password with '#'", "https://u:p#w@host/x", "https://***@host/x"),
        .init("password with '?'", "https://u:p?w@host/x", "https://***@host/x"),
        .init(
            "host with port", "http://user:s3cret@127.0.0.1:8443/org/repo.git",
            "http://***@127.0.0.1:8443/org/repo.git"),
        .init("no path", "https://u:p@host", "https://***@host"),
        .init("nothing after the '@'", "https://u:p@", "https://***@"),
        .init(
            "'@' in the path after real userinfo", "git+https://u:tok@github.com/org/pkg@v1.0",
            "git+https://***@github.com/org/pkg@v1.0"),
        .init("file:// URL", "file://user:pw@server/share/repo", "file://***@server/share/repo"),
        .init("ssh:// URL with a password", "ssh://git:pw@host:22/org/repo", "ssh://***@host:22/org/repo"),
        .init("a user name alone is a secret outside ssh", "http://u@host.example/x", "http://***@host.example/x"),
        .init("upper-case scheme", "HTTPS://U:P@HOST.example/X", "HTTPS://***@HOST.example/X"),
        .init("two URLs in one line", "a http://a:b@h1/x and https://c:d@h2/y", "a http://***@h1/x and https://***@h2/y"),
        .init("two URLs in one token", "https://a:b@h1/x?next=https://c:d@h2/y", "https://***@h1/x?next=https://***@h2/y"),
        .init("quoted", "'https://u:p@host/x'", "'https://***@host/x'"),
        .init("in JSON text", #"{"url":"https://u:p@host.example/x"}"#, #"{"url":"https://***@host.example/x"}"#),
        .init("non-ASCII password", "https://u:pässwörd@host/x", "https://***@host/x"),
        .init("already redacted", "https://***@host/x", "https://***@host/x"),
    ]

    static let remoteCases: [RedactionCase] = [
        .init("scp-like with password", "user:pw@host:org/repo.git", "***@host:org/repo.git"),
        .init("scp-like, password with '@'", "remote user:p@ss@github.com:org/repo", "remote ***@github.com:org/repo"),
        .init("scp-like, password with ':' and '/'", "user:p:a/b@host:org/repo", "***@host:org/repo"),
        .init("scp-like in quotes", "'user:pw@host:org/repo' not found", "'***@host:org/repo' not found"),
        .init("user:password@host without a path", "proxy u:pw@proxy.example.com", "proxy ***@proxy.example.com"),
        // Deliberate: prose shaped like `word:user@host:` cannot be told from a remote, and hiding it costs little.
        .init("prose shaped like a remote", "error:someone@example.com: failed", "***@example.com: failed"),
    ]

    static let secretValueCases: [RedactionCase] = [
        .init("?token=", "https://host/x?token=abc123", "https://host/x?token=***"),
        .init("access_token= among others", "https://host/x?a=1&access_token=abc&b=2#top", "https://host/x?a=1&access_token=***&b=2#top"),
        .init("api_key=", "GET /v1?api_key=k1", "GET /v1?api_key=***"),
        .init("apikey=", "?apikey=k1", "?apikey=***"),
        .init("password=", "?user=u&password=hunter2", "?user=u&password=***"),
        .init("secret= via client_secret=", "?client_secret=s1", "?client_secret=***"),
        .init(
            "sig= (Azure SAS)", "https://acct.blob.core.windows.net/c/b?sv=2020&sig=AbC%2Bd",
            "https://acct.blob.core.windows.net/c/b?sv=2020&sig=***"),
        .init(
            "X-Amz-Signature, any case",
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef",
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***"),
        .init("upper-case TOKEN", "?TOKEN=abc", "?TOKEN=***"),
        .init("private_token (GitLab)", "?private_token=glpat-1", "?private_token=***"),
        .init("environment assignment in a build log", "Step 4/9 : ENV API_TOKEN=abc123", "Step 4/9 : ENV API_TOKEN=***"),
        .init("flag", "--password=hunter2 given", "--password=*** given"),
        .init("GIT_CREDENTIAL_ENV with literal \\n", #"username=u\npassword=p4ss"#, #"username=u\npassword=***"#),
        .init("empty value stays empty", "?token=&a=1", "?token=&a=1"),
        .init("userinfo and a query token", "https://u:p@host.example/x?token=t", "https://***@host.example/x?token=***"),
    ]

    /// Text that holds no secret and must come out byte for byte.
    static let untouchedTexts: [String] = [
        "https://github.com/org/repo",
        "git@github.com:org/repo.git",
        "ssh://git@github.com/org/repo.git",
        "git+ssh://git@github.com/org/repo.git",
        "https://host/path@v1",
        "https://host:8080/path@v1",
        "https://[::1]:8080/pkg@v1",
        "write to someone@example.com if it breaks",
        "python:3.11@sha256:0123abcd",
        "localhost:5000/image:tag@sha256:0123abcd",
        "tokens=3 and --no-secret and mytoken=",
        "no url here",
        "a = b, c == d",
        "",
        "Step 1/3 : FROM docker.io/library/buildpack-deps:jammy",
    ]

    @Test("URL userinfo is replaced", arguments: urlUserinfoCases)
    func urlUserinfo(_ testCase: RedactionCase) {
        #expect(Redaction.redactingCredentials(in: testCase.input) == testCase.expected)
    }

    @Test("scp-like remotes with a password are redacted", arguments: remoteCases)
    func remotes(_ testCase: RedactionCase) {
        #expect(Redaction.redactingCredentials(in: testCase.input) == testCase.expected)
    }

    @Test("secret parameters lose their value", arguments: secretValueCases)
    func secretValues(_ testCase: RedactionCase) {
        #expect(Redaction.redactingCredentials(in: testCase.input) == testCase.expected)
    }

    @Test("text without secrets is left as it is", arguments: untouchedTexts)
    func untouched(_ text: String) {
        #expect(Redaction.redactingCredentials(in: text) == text)
    }

    @Test("redacting twice changes nothing more", arguments: urlUserinfoCases + remoteCases + secretValueCases)
    func idempotent(_ testCase: RedactionCase) {
        let once = Redaction.redactingCredentials(in: testCase.input)
        #expect(Redaction.redactingCredentials(in: once) == once)
    }

    @Test("the byte form handles bytes that are not UTF-8 and keeps them")
    func bytesThatAreNotUTF8() {
        let input: [UInt8] = [0xFF, 0x20] + Array("https://u:p@host/x".utf8) + [0x20, 0xFE]
        let expected: [UInt8] = [0xFF, 0x20] + Array("https://***@host/x".utf8) + [0x20, 0xFE]
        #expect(Redaction.redactingCredentials(in: input) == expected)
    }

    @Test("no secret survives in any position of a long line")
    func secretsAnywhere() {
        let secret = "S3CR3T-value"
        let forms = ["https://u:\(secret)@host/x", "u:\(secret)@host:org/r", "?token=\(secret)", "https://\(secret)@h.example/x"]
        for form in forms {
            let line = String(repeating: "padding ", count: 50) + form + " trailing text"
            let redacted = Redaction.redactingCredentials(in: line)
            #expect(!redacted.contains(secret), "\(form) leaked")
            #expect(redacted.hasSuffix(" trailing text"))
        }
    }
}

@Suite("Redaction of hostile input")
struct RedactionHostileInputTests {
    /// The bytes the scanners care about, plus ordinary ones, so random text hits every branch.
    static let alphabet: [UInt8] = Array("@:/?#=&'\"[]( .\\ntokesigpaswrdh1".utf8) + [0x0A, 0xC3, 0xA9]

    @Test("random text over the scanners' alphabet never traps and redacting it twice changes nothing more")
    func randomText() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 48)
            let bytes = (0..<length).map { _ in Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))] }
            let once = Redaction.redactingCredentials(in: bytes)
            let twice = Redaction.redactingCredentials(in: once)
            #expect(twice == once, "not idempotent: \(String(decoding: bytes, as: UTF8.self))")
            if twice != once { return }
        }
    }
}

extension RedactionHostileInputTests {
    /// Tokens of 200 000 bytes built to make a per-"@" rescan quadratic (minutes); a linear scan takes
    /// milliseconds, so the bound is generous for a debug build on a loaded machine.
    @Test("a long token full of '@' takes linear time", arguments: ["https://", "https://u:p/", "", "u/x:"])
    func longTokens(prefix: String) {
        let token = prefix + String(repeating: "a@", count: 100_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = Redaction.redactingCredentials(in: token) }
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }
}

/// A small deterministic generator, so a failure can be reproduced.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
