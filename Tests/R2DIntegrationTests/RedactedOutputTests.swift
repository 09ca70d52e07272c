import Foundation
import R2DTestSupport
import Testing

/// The real binary given repositories whose URL carries a secret: the clone fails (nothing listens on port 1),
/// and neither the progress lines nor the final error, plain or JSON, may show the secret.
@Suite("Secrets in a repository URL never reach the output")
struct RedactedOutputTests {
    static let secret = "hunter2-in-the-url"
    static let repositories = [
        "https://user:\(secret)@127.0.0.1:1/org/repo",
        "https://u:p@ss/\(secret)@127.0.0.1:1/org/repo",
        "https://127.0.0.1:1/org/repo?access_token=\(secret)",
        "user:\(secret)@127.0.0.1:org/repo",
        "file://user:\(secret)@localhost/nonexistent",
    ]
    static let commandLines: [[String]] = [["build", "--no-build"], ["build", "--json-logs", "--no-build"], ["detect"]]

    @Test("build, build --json-logs and detect", arguments: repositories)
    func secretNeverShown(repository: String) throws {
        for command in Self.commandLines {
            let result = try runProgram(ProjectPaths.binary, command + [repository], environment: ["GIT_TERMINAL_PROMPT": "0"])
            let shown = command.joined(separator: " ")
            #expect(result.status == 1, "\(shown): status \(result.status)")
            // Booleans first, so a failure report does not print the secret again.
            let inStdout = result.stdout.contains(Self.secret), inStderr = result.stderr.contains(Self.secret)
            #expect(!inStdout, "\(shown): stdout shows the secret")
            #expect(!inStderr, "\(shown): stderr shows the secret")
            #expect(result.stderr.contains("***"), "\(shown): the error no longer says which URL failed")
        }
    }
}
