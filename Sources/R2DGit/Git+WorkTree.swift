import CLibGit2
import Foundation
import R2DBasics

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
    /// untracked or ignored entry means dirty. A checkout git's own index vouches for is recognised without a full
    /// status (see `CleanCheckout`); anything else gets libgit2's status with untracked and ignored files.
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
        var fastVerdict = CleanCheckVerdict.undecided("HEAD is unborn")
        if let head = try headCommit(of: repository, path: path) {
            defer { git_object_free(head) }
            commit = git_commit_id(head).map { hex($0) }
            commitTime = Int64(git_commit_time(head))
            if let tree = git_commit_tree_id(head), let gitDirectory = git_repository_path(repository) {
                fastVerdict = CleanCheckout.check(workTree: path, gitDirectory: String(cString: gitDirectory), headTree: tree)
            }
        }
        if fastVerdict == .clean {
            return WorkTreeState(commit: commit, commitTime: commitTime, isClean: true)
        }
        return WorkTreeState(commit: commit, commitTime: commitTime, isClean: try fullStatusIsClean(repository, path: path))
    }

    /// Both answers for the work tree at `path` (for tests): the fast check's verdict and the full status's.
    static func cleanlinessVerdicts(
        at path: String, parallelThreshold: Int = CleanCheckout.defaultParallelThreshold
    ) throws -> (fast: CleanCheckVerdict, fullStatusClean: Bool) {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }
        guard let head = try headCommit(of: repository, path: path) else {
            return (.undecided("HEAD is unborn"), try fullStatusIsClean(repository, path: path))
        }
        defer { git_object_free(head) }
        guard let tree = git_commit_tree_id(head), let gitDirectory = git_repository_path(repository) else {
            throw GitError.libgit2(operation: "reading HEAD of \(path)", message: "no tree id or git directory")
        }
        let fast = CleanCheckout.check(
            workTree: path, gitDirectory: String(cString: gitDirectory), headTree: tree, parallelThreshold: parallelThreshold)
        return (fast, try fullStatusIsClean(repository, path: path))
    }

    /// The reference answer: libgit2's status of index and work tree, untracked and ignored files included.
    static func fullStatusIsClean(_ repository: OpaquePointer, path: String) throws -> Bool {
        var options = git_status_options()
        try check(git_status_options_init(&options, 1), "initialising status options")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        // Untracked and ignored directories are reported as one entry each: existence is all that matters here.
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue
        var list: OpaquePointer?
        try check(git_status_list_new(&list, repository, &options), "reading the status of \(path)")
        defer { git_status_list_free(list) }
        return git_status_list_entrycount(list) == 0
    }

    /// Writes a canonical index file for the git dir at `gitDir` (a `.git` directory or `.git/modules/<name>`)
    /// to `indexPath`: HEAD's tree as index entries with zeroed stat data, so the same HEAD tree gives
    /// byte-identical files. False if HEAD is unborn. The file is written, not returned: a 200,000-file tree
    /// gives 23 MB, which the build context reads from disk when it packs.
    public static func writeCanonicalIndex(gitDir: String, to indexPath: String) throws -> Bool {
        initialize()
        defer {
            // The ~100k small blocks libgit2 frees here would otherwise stay resident in this thread's malloc
            // arena for the whole build.
            releaseFreedMemory()
        }
        var opened: OpaquePointer?
        // Opened bare: only the object database and HEAD are needed, not the work tree that core.worktree names.
        let openCode = git_repository_open_bare(&opened, gitDir)
        if openCode == GIT_ENOTFOUND.rawValue { throw GitError.notARepository(path: gitDir) }
        try check(openCode, "opening the git directory \(gitDir)")
        guard let repository = opened else { throw GitError.notARepository(path: gitDir) }
        defer { git_repository_free(repository) }

        guard let head = try headCommit(of: repository, path: gitDir) else { return false }
        defer { git_object_free(head) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, head), "reading HEAD's tree in \(gitDir)")
        defer { git_tree_free(tree) }

        var index: OpaquePointer?
        try check(git_index_open(&index, indexPath), "creating an index file at \(indexPath)")
        defer { git_index_free(index) }
        // read_tree fills only mode, id and path: every stat field stays zero, so git re-checks contents on use.
        try check(git_index_read_tree(index, tree), "reading HEAD's tree into an index for \(gitDir)")
        try check(git_index_write(index), "writing the index file \(indexPath)")
        return true
    }

    /// glibc's `malloc_trim(0)` (not exported by the Glibc module), looked up once; a no-op on other C libraries.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// Returns free pages of every malloc arena to the system.
    static func releaseFreedMemory() {
        _ = mallocTrim?(0)
    }

    /// `path` with symlinks resolved and no trailing slash, for comparing directories.
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
