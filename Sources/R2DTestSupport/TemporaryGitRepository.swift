import Foundation
import R2DGit
import R2DGitTestSupport

/// A git repository in a fresh temporary directory, built through R2DGit (libgit2), for tests.
///
/// Call `remove()` when done (e.g. in a `defer`); the directory is not removed automatically.
public final class TemporaryGitRepository: Sendable {
    /// Absolute path of the work tree.
    public let path: String

    /// The repository as a `file://` URL (a clone through it uses the smart transport, not a local copy).
    public var fileURL: String { "file://" + path }

    /// Creates the directory, runs `git init` (HEAD on `initialBranch`) and writes `files` (not yet committed).
    public init(files: [String: String] = [:], initialBranch: String = "main", prefix: String = "r2d-git-") throws {
        path = try Self.makeTemporaryDirectory(prefix: prefix)
        do {
            try Git.initRepository(at: path, initialBranch: initialBranch)
            try write(files)
        } catch {
            remove()
            throw error
        }
    }

    /// Writes `contents` to `relativePath`, creating parent directories; `executable` sets mode 0755 (else 0644).
    public func write(_ relativePath: String, _ contents: String, executable: Bool = false) throws {
        let fullPath = absolutePath(relativePath)
        try FileManager.default.createDirectory(
            atPath: (fullPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: fullPath))
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: fullPath)
    }

    /// Writes several files (relative path → contents).
    public func write(_ files: [String: String]) throws {
        for (relativePath, contents) in files.sorted(by: { $0.key < $1.key }) {
            try write(relativePath, contents)
        }
    }

    /// Creates a symbolic link at `relativePath` pointing at `target` (stored verbatim, usually relative).
    public func symlink(_ relativePath: String, to target: String) throws {
        let fullPath = absolutePath(relativePath)
        try FileManager.default.createDirectory(
            atPath: (fullPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fullPath, withDestinationPath: target)
    }

    /// Deletes a file or directory from the work tree.
    public func delete(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: absolutePath(relativePath))
    }

    /// Commits every change (`git add -A` + `git commit`) with author/committer `time`; returns the commit sha.
    @discardableResult
    public func commit(message: String = "commit", time: Int64 = 1_700_000_000) throws -> String {
        try Git.commitAll(in: path, message: message, authorTime: time)
    }

    /// Creates branch `name` at `revision` without checking it out.
    public func branch(name: String, at revision: String = "HEAD") throws {
        try Git.createBranch(named: name, in: path, at: revision)
    }

    /// Creates a tag: annotated when `message` is given, lightweight otherwise.
    public func tag(name: String, at revision: String = "HEAD", message: String? = nil) throws {
        try Git.createTag(named: name, in: path, at: revision, message: message)
    }

    /// Checks out an existing local branch (work tree and HEAD).
    public func checkoutBranch(_ name: String) throws {
        try Git.checkoutBranch(named: name, in: path)
    }

    /// The absolute path of `relativePath` inside the work tree.
    public func absolutePath(_ relativePath: String) -> String {
        (path as NSString).appendingPathComponent(relativePath)
    }

    /// Deletes the whole temporary directory.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A new empty directory under the system temporary directory, with symlinks resolved (e.g. /tmp on macOS).
    public static func makeTemporaryDirectory(prefix: String = "r2d-test-") throws -> String {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        let directory = base.appendingPathComponent(prefix + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.path
    }
}
