import CLibGit2
import Foundation

/// What a local directory's git metadata says about it.
public struct WorkTreeState: Sendable, Equatable {
    /// HEAD commit (40 hex), nil if HEAD is unborn.
    public var commit: String?
    /// HEAD's committer time (unix seconds), nil if HEAD is unborn.
    public var commitTime: Int64?
    /// True when nothing is modified, staged, untracked or ignored.
    public var isClean: Bool

    public init(commit: String?, commitTime: Int64?, isClean: Bool) {
        self.commit = commit
        self.commitTime = commitTime
        self.isClean = isClean
    }
}

extension Git {
    /// For a local directory: nil if `path` is not the top of a git work tree (parent repositories are not searched).
    /// Otherwise HEAD commit (nil fields if unborn), its time, and whether the work tree is clean: any modified, staged,
    /// untracked or ignored entry means dirty.
    public static func workTreeState(at path: String) throws -> WorkTreeState? {
        let repository: OpaquePointer
        do {
            repository = try openRepository(at: path)
        } catch GitError.notARepository {
            return nil
        }
        defer { git_repository_free(repository) }

        // Opening `<repo>/.git` also succeeds; only the work tree's own top counts.
        guard let workdir = git_repository_workdir(repository),
            canonicalPath(String(cString: workdir)) == canonicalPath(path)
        else { return nil }

        var commit: String?
        var commitTime: Int64?
        if let head = try headCommit(of: repository, path: path) {
            defer { git_object_free(head) }
            commit = git_commit_id(head).map { hex($0) }
            commitTime = Int64(git_commit_time(head))
        }

        var options = git_status_options()
        try check(git_status_options_init(&options, 1), "initialising status options")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        // Untracked and ignored directories are reported as one entry each: existence is all that matters here.
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue
        var list: OpaquePointer?
        try check(git_status_list_new(&list, repository, &options), "reading the status of \(path)")
        defer { git_status_list_free(list) }
        let isClean = git_status_list_entrycount(list) == 0
        return WorkTreeState(commit: commit, commitTime: commitTime, isClean: isClean)
    }

    /// Bytes of a canonical index file for the git dir at `gitDir` (a `.git` directory or `.git/modules/<name>`):
    /// HEAD's tree as index entries with zeroed stat data, so the same HEAD tree gives byte-identical output.
    /// nil if HEAD is unborn.
    public static func canonicalIndex(gitDir: String) throws -> [UInt8]? {
        initialize()
        var opened: OpaquePointer?
        // Opened bare: only the object database and HEAD are needed, not the work tree that core.worktree names.
        let openCode = git_repository_open_bare(&opened, gitDir)
        if openCode == GIT_ENOTFOUND.rawValue { throw GitError.notARepository(path: gitDir) }
        try check(openCode, "opening the git directory \(gitDir)")
        guard let repository = opened else { throw GitError.notARepository(path: gitDir) }
        defer { git_repository_free(repository) }

        guard let head = try headCommit(of: repository, path: gitDir) else { return nil }
        defer { git_object_free(head) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, head), "reading HEAD's tree in \(gitDir)")
        defer { git_tree_free(tree) }

        let temporaryDirectory = try makeTemporaryDirectory(prefix: "r2d-index-")
        defer { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
        let indexPath = (temporaryDirectory as NSString).appendingPathComponent("index")

        var index: OpaquePointer?
        try check(git_index_open(&index, indexPath), "creating an index file in \(temporaryDirectory)")
        defer { git_index_free(index) }
        // read_tree fills only mode, id and path: every stat field stays zero, so git re-checks contents on use.
        try check(git_index_read_tree(index, tree), "reading HEAD's tree into an index for \(gitDir)")
        try check(git_index_write(index), "writing the index file \(indexPath)")

        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw GitError.libgit2(operation: "reading the index file \(indexPath)", message: "file missing after write")
        }
        return [UInt8](data)
    }

    /// A new, empty, private directory under the system temporary directory.
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent(prefix + "XXXXXX")
        var bytes = Array(template.utf8CString)
        let created = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let created else {
            throw GitError.libgit2(operation: "creating a temporary directory from \(template)", message: String(cString: strerror(errno)))
        }
        return created
    }

    /// `path` with symlinks resolved and no trailing slash, for comparing directories.
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
