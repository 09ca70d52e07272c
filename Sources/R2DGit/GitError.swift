/// Errors from the git content provider and the other libgit2 operations.
public enum GitError: Error, CustomStringConvertible, Equatable {
    /// A libgit2 call failed; `operation` names what we were doing (URLs already redacted).
    case libgit2(operation: String, message: String)
    /// No candidate of the ref (`<ref>`, `origin/<ref>`, last path component) resolved to a commit.
    case refNotFound(ref: String)
    /// The server rejected the credentials offered (or asked for some when none were given).
    case authenticationFailed(url: String)
    /// The path is not a git repository (or git directory).
    case notARepository(path: String)

    public var description: String {
        switch self {
        case .libgit2(let operation, let message):
            let detail = message.isEmpty ? "unknown libgit2 error" : message
            return "\(operation) failed: \(detail)"
        case .refNotFound(let ref):
            var text = "Failed to check out ref \(ref): no branch, tag or commit of that name exists in the repository"
            if ref == "master" || ref == "main" {
                // Many repositories renamed master to main (or the other way), as repo2docker also hints.
                text += " (the default branch may be named differently, e.g. 'main' instead of 'master')"
            }
            return text + "; pass an existing branch, tag or commit with --ref"
        case .authenticationFailed(let url):
            return "Authentication failed for \(url): the server rejected the credentials or none were given; "
                + "set GIT_CREDENTIAL_ENV to \"username=<user>\\npassword=<token>\" for private repositories"
        case .notARepository(let path):
            return "\(path) is not a git repository"
        }
    }
}
