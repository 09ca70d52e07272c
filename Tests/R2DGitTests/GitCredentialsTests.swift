import R2DGit
import Testing

// Redaction of URLs in messages is tested in Tests/R2DRedactionTests (R2DRedaction).
@Suite("GitCredentials and error descriptions")
struct GitCredentialsTests {
    struct CredentialCase: Sendable, CustomTestStringConvertible {
        let label: String
        let env: String
        let expected: GitCredentials?
        var testDescription: String { label }
    }

    static let credentialCases: [CredentialCase] = [
        .init(
            label: "literal backslash-n (BinderHub)", env: #"username=abc123\npassword=x-oauth-basic"#,
            expected: GitCredentials(username: "abc123", password: "x-oauth-basic")),
        .init(
            label: "real newline", env: "username=binderhub\npassword=s3cret",
            expected: GitCredentials(username: "binderhub", password: "s3cret")),
        .init(
            label: "CRLF and trailing newline", env: "username=u\r\npassword=p\r\n",
            expected: GitCredentials(username: "u", password: "p")),
        .init(
            label: "extra credential-protocol keys", env: #"protocol=https\nhost=github.com\nusername=u\npassword=p"#,
            expected: GitCredentials(username: "u", password: "p")),
        .init(
            label: "password containing '='", env: #"username=u\npassword=a=b"#,
            expected: GitCredentials(username: "u", password: "a=b")),
        .init(
            label: "escaped backslash kept as one backslash", env: #"username=u\npassword=a\\b"#,
            expected: GitCredentials(username: "u", password: #"a\b"#)),
        .init(label: "password only", env: "password=tok", expected: GitCredentials(username: "", password: "tok")),
        .init(label: "missing password", env: #"username=u"#, expected: nil),
        .init(label: "empty password", env: #"username=u\npassword="#, expected: nil),
        .init(label: "empty string", env: "", expected: nil),
    ]

    @Test("GIT_CREDENTIAL_ENV parsing", arguments: credentialCases)
    func parsesCredentialEnv(_ testCase: CredentialCase) {
        #expect(GitCredentials(credentialEnv: testCase.env) == testCase.expected)
    }

    @Test("error descriptions are one line and never contain the secret")
    func errorDescriptions() {
        let errors: [GitError] = [
            .libgit2(operation: "git clone of https://host/x", message: "boom"),
            .refNotFound(ref: "v9"),
            .authenticationFailed(url: "https://host/x"),
            .notARepository(path: "/tmp/x"),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
        }
        #expect(
            GitError.libgit2(operation: "git clone of https://host/x", message: "boom").description
                == "git clone of https://host/x failed: boom")
        #expect(GitError.authenticationFailed(url: "https://host/x").description.contains("GIT_CREDENTIAL_ENV"))
    }
}
