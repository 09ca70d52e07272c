import CLibGit2
import Foundation
import R2DGit

/// Small authoring operations: making fixture repositories for tests without the git CLI.
///
/// Kept out of R2DGit so the shipped binary cannot create commits, branches or tags: swift-r2d clones and reads
/// repositories, it never authors them.
extension Git {
    /// The identity recorded on commits and annotated tags made by these helpers.
    static let authorName = "swift-r2d"
    static let authorEmail = "swift-r2d@localhost"

    /// Creates an empty non-bare repository at `path` (creating directories as needed) whose HEAD names `initialBranch`.
    public static func initRepository(at path: String, initialBranch: String = "main") throws {
        initialize()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, 1), "initialising repository options")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        var repository: OpaquePointer?
        let code = initialBranch.withCString { branch in
            options.initial_head = branch
            return git_repository_init_ext(&repository, path, &options)
        }
        try check(code, "git init \(path)")
        git_repository_free(repository)
    }

    /// Stages every change in the work tree (like `git add -A`, honouring .gitignore) and commits it on HEAD with
    /// author and committer time `authorTime` (unix seconds, UTC). Returns the new commit's 40-hex id.
    @discardableResult
    public static func commitAll(in path: String, message: String, authorTime: Int64 = 1_700_000_000) throws -> String {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }

        var index: OpaquePointer?
        try check(git_repository_index(&index, repository), "opening the index of \(path)")
        defer { git_index_free(index) }
        var everything = git_strarray(strings: nil, count: 0)
        try check(git_index_add_all(index, &everything, GIT_INDEX_ADD_DEFAULT.rawValue, nil, nil), "git add -A in \(path)")
        try check(git_index_update_all(index, &everything, nil, nil), "staging removals in \(path)")
        var treeID = git_oid()
        try check(git_index_write_tree(&treeID, index), "writing the tree of \(path)")
        // Written after the tree, so the index file carries the cache tree (as after `git commit`).
        try check(git_index_write(index), "writing the index of \(path)")
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, repository, &treeID), "looking up the tree of \(path)")
        defer { git_tree_free(tree) }

        let signature = try makeSignature(time: authorTime)
        defer { git_signature_free(signature) }

        var parents: [OpaquePointer?] = []
        if let head = try headCommit(of: repository, path: path) { parents.append(head) }
        defer { parents.forEach { git_object_free($0) } }

        var commitID = git_oid()
        let code = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&commitID, repository, "HEAD", signature, signature, "UTF-8", message, tree, buffer.count, buffer.baseAddress)
        }
        try check(code, "git commit in \(path)")
        return hex(&commitID)
    }

    /// Creates branch `name` at `revision` (anything rev-parse understands) without checking it out.
    public static func createBranch(named name: String, in path: String, at revision: String = "HEAD") throws {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }
        let commit = try lookupCommit(revision, in: repository, path: path)
        defer { git_object_free(commit) }
        var reference: OpaquePointer?
        try check(git_branch_create(&reference, repository, name, commit, 0), "git branch \(name) in \(path)")
        git_reference_free(reference)
    }

    /// Creates tag `name` at `revision`: annotated if `message` is given, lightweight otherwise.
    public static func createTag(named name: String, in path: String, at revision: String = "HEAD", message: String? = nil) throws {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }
        let commit = try lookupCommit(revision, in: repository, path: path)
        defer { git_object_free(commit) }
        var tagID = git_oid()
        if let message {
            let signature = try makeSignature(time: 1_700_000_000)
            defer { git_signature_free(signature) }
            try check(git_tag_create(&tagID, repository, name, commit, signature, message, 0), "git tag -a \(name) in \(path)")
        } else {
            try check(git_tag_create_lightweight(&tagID, repository, name, commit, 0), "git tag \(name) in \(path)")
        }
    }

    /// Checks out the existing local branch `name` (overwriting local changes to tracked files) and points HEAD at it.
    public static func checkoutBranch(named name: String, in path: String) throws {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }
        let commit = try lookupCommit("refs/heads/\(name)", in: repository, path: path)
        defer { git_object_free(commit) }
        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, 1), "initialising checkout options")
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try check(git_checkout_tree(repository, commit, &options), "git checkout \(name) in \(path)")
        try check(git_repository_set_head(repository, "refs/heads/\(name)"), "pointing HEAD at \(name) in \(path)")
    }

    private static func lookupCommit(_ revision: String, in repository: OpaquePointer, path: String) throws -> OpaquePointer {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, repository, revision + "^{commit}"), "resolving \(revision) in \(path)")
        guard let object else { throw GitError.refNotFound(ref: revision) }
        return object
    }

    private static func makeSignature(time: Int64) throws -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&signature, authorName, authorEmail, git_time_t(time), 0), "creating a git signature")
        guard let signature else { throw GitError.libgit2(operation: "creating a git signature", message: "no signature returned") }
        return signature
    }
}
