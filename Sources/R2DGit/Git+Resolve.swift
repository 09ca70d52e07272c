import CLibGit2

extension Git {
    /// repo2docker ref rules on an opened repo: candidates `<ref>`, `origin/<ref>`, and the last `/`-separated
    /// component of ref; each is tried (peeled to a commit); the LAST one that resolves wins. Throws .refNotFound.
    public static func resolve(ref: String, inRepositoryAt path: String) throws -> String {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }
        return try resolve(ref: ref, in: repository)
    }

    /// The candidates repo2docker passes to `git rev-parse`, in order.
    static func refCandidates(for ref: String) -> [String] {
        var candidates = [ref, "origin/\(ref)"]
        if let last = ref.split(separator: "/", omittingEmptySubsequences: false).last {
            candidates.append(String(last))
        }
        return candidates
    }

    static func resolve(ref: String, in repository: OpaquePointer) throws -> String {
        var resolved: String?
        // Every candidate is tried and the last that resolves wins, as in repo2docker (a quirk kept on purpose).
        for candidate in refCandidates(for: ref) where !candidate.isEmpty {
            if let sha = commitID(of: candidate, in: repository) { resolved = sha }
        }
        guard let resolved else { throw GitError.refNotFound(ref: ref) }
        return resolved
    }

    /// The commit `spec` names (tags peeled), or nil if it names nothing or something that is not a commit.
    static func commitID(of spec: String, in repository: OpaquePointer) -> String? {
        var object: OpaquePointer?
        guard git_revparse_single(&object, repository, spec) == 0, let object else { return nil }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else { return nil }
        defer { git_object_free(commit) }
        guard let id = git_object_id(commit) else { return nil }
        return hex(id)
    }
}
