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
    /// A submodule's URL points at the host's file system (a path, `~`, file://) while the repository naming it was
    /// fetched from a remote: refused before anything was read from that path. `path` is the submodule's path in its
    /// superproject, `url` its URL as written in .gitmodules, `resolvedURL` the URL it resolved to (relative URLs,
    /// `url.<base>.insteadOf`) when that differs; URLs are redacted.
    case localSubmoduleRefused(path: String, url: String, resolvedURL: String?)
    /// A submodule's URL could make git run a command (a leading `-`, a host starting with `-`, a `<helper>::`
    /// remote-helper URL such as ext:: or fd::): always refused, whatever the repository's origin. Fields as above.
    case unsafeSubmoduleURL(path: String, url: String, resolvedURL: String?)

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
        case .localSubmoduleRefused(let path, let url, let resolvedURL):
            return Self.naming(submodule: path, url: url, resolvedURL: resolvedURL)
                + ": swift-r2d refuses submodules that point at the local file system when building a remote repository; "
                + "use a remote URL for the submodule, or pass --allow-local-submodules to build your own trusted checkout"
        case .unsafeSubmoduleURL(let path, let url, let resolvedURL):
            return Self.naming(submodule: path, url: url, resolvedURL: resolvedURL)
                + ": a submodule URL that starts with '-', has a host starting with '-' or names a remote helper "
                + "(such as ext:: or fd::) can run commands, so swift-r2d never fetches it; "
                + "use an http(s), ssh or git:// URL for the submodule"
        }
    }

    /// "Refusing submodule 'p' (URL 'u', resolved to 'r')", on one line whatever .gitmodules contains.
    private static func naming(submodule path: String, url: String, resolvedURL: String?) -> String {
        var text = "Refusing submodule '\(printable(path))' (URL '\(printable(url))'"
        if let resolvedURL { text += ", resolved to '\(printable(resolvedURL))'" }
        return text + ")"
    }

    /// `text` with control, format and line-separator characters written as \u{…}: .gitmodules is hostile input, and
    /// a newline or a terminal escape in a path or URL must not forge or hide lines of the message.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
