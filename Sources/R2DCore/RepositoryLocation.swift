import Foundation

/// What a repository argument names, decided once from its spelling and the file system, so that validation,
/// the head start on a local checkout's git state, and the fetch all ask one answer.
public enum RepositoryLocation: Equatable, Sendable {
    /// An existing directory (absolute, standardised path): used in place, never copied, never removed.
    case localDirectory(String)
    /// A path or `file://` URL naming nothing on disk. A build refuses it before anything else, because
    /// libgit2's own error for it does not say what to do.
    case missingLocalPath(String)
    /// Anything else: a data repository, Mercurial or git (a `file://` URL of a repository included).
    case remote(String)

    public static func classify(_ repo: String) -> RepositoryLocation {
        if directoryExists(repo) { return .localDirectory(absolute(repo)) }
        if let path = localPath(of: repo), !FileManager.default.fileExists(atPath: path) { return .missingLocalPath(path) }
        return .remote(repo)
    }

    /// Whether the argument names an existing local directory (`--editable` needs one).
    public static func isLocalDirectory(_ repo: String) -> Bool {
        if case .localDirectory = classify(repo) { return true }
        return false
    }

    /// The file system path a repository argument names: a path (no scheme, and no `host:` before the first
    /// `/`) or a file:// URL; nil for remote URLs.
    static func localPath(of repo: String) -> String? {
        if repo.hasPrefix("file://") { return URL(string: repo)?.path ?? String(repo.dropFirst("file://".count)) }
        if repo.contains("://") { return nil }
        if let colon = repo.firstIndex(of: ":"), repo.firstIndex(of: "/").map({ colon < $0 }) ?? true { return nil }
        return repo
    }

    /// `path` made absolute against the current directory, `.` and `..` resolved (symbolic links kept).
    static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }
}

/// Whether `path` names a directory (following symbolic links): a local repository, a subdirectory, a git dir.
func directoryExists(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}
