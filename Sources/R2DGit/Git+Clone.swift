import CLibGit2
import Foundation
import R2DRedaction

/// One progress report of a clone: `phase` says what is counted ("Receiving objects", "Checking out files", …).
public struct GitProgress: Sendable {
    public var phase: String
    public var current: Int
    public var total: Int
    public var bytes: Int

    public init(phase: String, current: Int, total: Int, bytes: Int) {
        self.phase = phase
        self.current = current
        self.total = total
        self.bytes = bytes
    }
}

/// The commit a clone ended up at.
public struct GitCheckout: Sendable {
    /// 40 hex digits.
    public var commit: String
    /// Committer time, unix seconds.
    public var commitTime: Int64

    public init(commit: String, commitTime: Int64) {
        self.commit = commit
        self.commitTime = commitTime
    }
}

extension Git {
    /// How often the server may reject offered credentials before we give up (libgit2 would otherwise ask forever).
    static let maximumCredentialAttempts = 3

    /// repo2docker's git content provider: clone `url` (local path, file://, http(s)://, ssh://, user@host:path) into
    /// `directory` (must not exist or be empty); if ref is nil or "HEAD" check out the default HEAD; otherwise clone
    /// without checkout, resolve the ref, `reset --hard` to it; then recursive submodule update.
    ///
    /// Submodules are hostile input when the repository comes from a remote: a submodule URL that points at the host's
    /// file system (an absolute or relative path, `~`, file://, also once resolved against the superproject's remote
    /// or rewritten by `url.<base>.insteadOf`) would build the host's files into the image, and libgit2, unlike git
    /// since CVE-2022-39253 (protocol.file.allow=user), fetches it. Such a submodule throws
    /// ``GitError/localSubmoduleRefused(path:url:resolvedURL:)`` before anything is read from the path, unless
    /// `url` is itself local (the user's own checkout: its local submodules keep working, and so do theirs) or
    /// `allowLocalSubmodules` is true. The trust is per repository: the submodules of a submodule fetched from a
    /// remote are judged like a remote superproject's. URLs that could run commands (a leading `-`, a host starting
    /// with `-`, `ext::`/`fd::` and other `<helper>::` forms) always throw ``GitError/unsafeSubmoduleURL(path:url:resolvedURL:)``.
    ///
    /// - Parameter allowLocalSubmodules: `--allow-local-submodules`: also clone local-path submodules of a remote
    ///   repository (for a trusted checkout whose submodules live on this machine). Default false.
    ///
    /// On failure the contents of `directory` are removed, and `directory` itself too if this call created it.
    public static func cloneAndCheckout(
        url: String,
        into directory: String,
        ref: String?,
        credentials: GitCredentials?,
        allowLocalSubmodules: Bool = false,
        progress: (@Sendable (GitProgress) -> Void)?
    ) throws -> GitCheckout {
        // Any clone may reach an https remote (the URL itself or a submodule's).
        initializeTLS()
        let fileManager = FileManager.default
        let directoryExisted = fileManager.fileExists(atPath: directory)
        if directoryExisted, let contents = try? fileManager.contentsOfDirectory(atPath: directory), !contents.isEmpty {
            throw GitError.libgit2(
                operation: "git clone of \(Redaction.redactingCredentials(in: url))",
                message: "destination \(directory) exists and is not an empty directory")
        }
        let trust = SubmoduleTrust.forClone(of: url, allowLocalSubmodules: allowLocalSubmodules)
        do {
            return try cloneAndCheckoutUnchecked(
                url: url, into: directory, ref: ref, credentials: credentials, trust: trust, progress: progress)
        } catch {
            removeClone(at: directory, keepingDirectory: directoryExisted)
            throw error
        }
    }

    private static func removeClone(at directory: String, keepingDirectory: Bool) {
        let fileManager = FileManager.default
        if keepingDirectory {
            for entry in (try? fileManager.contentsOfDirectory(atPath: directory)) ?? [] {
                try? fileManager.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
            }
        } else {
            try? fileManager.removeItem(atPath: directory)
        }
    }

    private static func cloneAndCheckoutUnchecked(
        url: String,
        into directory: String,
        ref: String?,
        credentials: GitCredentials?,
        trust: SubmoduleTrust,
        progress: (@Sendable (GitProgress) -> Void)?
    ) throws -> GitCheckout {
        let displayURL = Redaction.redactingCredentials(in: url)
        let context = TransferContext(credentials: credentials, progress: progress)
        let payload = Unmanaged.passUnretained(context).toOpaque()
        let checkoutDefaultHead = ref == nil || ref == "HEAD"

        var options = git_clone_options()
        try check(git_clone_options_init(&options, 1), "initialising clone options")
        context.install(into: &options.fetch_opts, payload: payload)
        context.install(into: &options.checkout_opts, payload: payload)
        if !checkoutDefaultHead {
            // Like `git clone --no-checkout`: HEAD's files (and submodules) are not materialised before the reset.
            options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE.rawValue
        }

        var cloned: OpaquePointer?
        let code = withExtendedLifetime(context) { git_clone(&cloned, url, directory, &options) }
        if code < 0 {
            if context.cancelled { throw CancellationError() }
            if context.gaveUpOnCredentials || code == GIT_EAUTH.rawValue {
                throw GitError.authenticationFailed(url: displayURL)
            }
            throw GitError.libgit2(operation: "git clone of \(displayURL)", message: lastErrorMessage())
        }
        guard let repository = cloned else {
            throw GitError.libgit2(operation: "git clone of \(displayURL)", message: "libgit2 returned no repository")
        }
        defer { git_repository_free(repository) }

        if let ref, !checkoutDefaultHead {
            try resetHard(repository, to: ref, directory: directory, context: context, payload: payload)
        }

        let location = SubmoduleLocation(directory: directory, relativePath: "")
        try updateSubmodules(of: repository, at: location, trust: trust, context: context, payload: payload)

        guard let head = try headCommit(of: repository, path: directory) else {
            throw GitError.libgit2(operation: "git clone of \(displayURL)", message: "the repository has no commits")
        }
        defer { git_object_free(head) }
        guard let headID = git_commit_id(head) else {
            throw GitError.libgit2(operation: "reading HEAD of \(directory)", message: "commit without id")
        }
        return GitCheckout(commit: hex(headID), commitTime: Int64(git_commit_time(head)))
    }

    /// `git reset --hard <ref>` after a clone without checkout, with the ref resolved by repo2docker's rules.
    private static func resetHard(
        _ repository: OpaquePointer, to ref: String, directory: String, context: TransferContext,
        payload: UnsafeMutableRawPointer
    ) throws {
        let sha = try resolve(ref: ref, in: repository)
        var oid = git_oid()
        try check(git_oid_fromstr(&oid, sha), "parsing commit id \(sha)")
        var commit: OpaquePointer?
        try check(git_object_lookup(&commit, repository, &oid, GIT_OBJECT_COMMIT), "looking up commit \(sha)")
        defer { git_object_free(commit) }
        var checkoutOptions = git_checkout_options()
        try check(git_checkout_options_init(&checkoutOptions, 1), "initialising checkout options")
        context.install(into: &checkoutOptions, payload: payload)
        checkoutOptions.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        let resetCode = withExtendedLifetime(context) { git_reset(repository, commit, GIT_RESET_HARD, &checkoutOptions) }
        try check(resetCode, "git reset --hard \(sha) in \(directory)")
    }

    /// `git submodule update --init --recursive`: every submodule with a gitlink in the index is cloned (or fetched)
    /// and checked out at that commit, then its own submodules likewise.
    private static func updateSubmodules(
        of repository: OpaquePointer,
        at location: SubmoduleLocation,
        trust: SubmoduleTrust,
        context: TransferContext,
        payload: UnsafeMutableRawPointer
    ) throws {
        // Every URL of this repository is judged before any is fetched: a refusal leaves no submodule half-fetched.
        let planned = try checkSubmodules(
            of: repository, displayPath: location.directory, relativePath: location.relativePath, trust: trust)
        for (name, submoduleTrust) in planned {
            try withSubmodule(named: name, in: repository, displayPath: location.directory) { submodule in
                try updateSubmodule(submodule, in: location, trust: submoduleTrust, context: context, payload: payload)
            }
        }
    }

    /// Judges the URL of every submodule that has a gitlink in the index (``checkSubmoduleURL(_:path:in:trust:)``);
    /// returns their names, in order, with the trust their own submodules get.
    static func checkSubmodules(
        of repository: OpaquePointer, displayPath: String, relativePath: String = "", trust: SubmoduleTrust
    ) throws -> [(name: String, trust: SubmoduleTrust)] {
        let names = NameCollector()
        // Looking submodules up inside git_submodule_foreach would mutate the list being walked, so names come first.
        try check(
            git_submodule_foreach(repository, collectSubmoduleName, Unmanaged.passUnretained(names).toOpaque()),
            "listing submodules of \(displayPath)")
        var planned: [(name: String, trust: SubmoduleTrust)] = []
        for name in names.names {
            try withSubmodule(named: name, in: repository, displayPath: displayPath) { submodule in
                // Submodules only named in .gitmodules (no gitlink in the index) are skipped, as git does.
                guard git_submodule_index_id(submodule) != nil else { return }
                let path = relativePath + (git_submodule_path(submodule).map { String(cString: $0) } ?? name)
                let kind = try checkSubmoduleURL(submodule, path: path, in: repository, trust: trust)
                planned.append((name, trust.forSubmodule(of: kind)))
            }
        }
        return planned
    }

    private static func withSubmodule(
        named name: String, in repository: OpaquePointer, displayPath: String, _ body: (OpaquePointer) throws -> Void
    ) throws {
        var submodule: OpaquePointer?
        try check(git_submodule_lookup(&submodule, repository, name), "looking up submodule \(name) in \(displayPath)")
        defer { git_submodule_free(submodule) }
        guard let submodule else { return }
        try body(submodule)
    }

    /// Clones (or fetches) one submodule, checks out its recorded commit, then updates its own submodules.
    private static func updateSubmodule(
        _ submodule: OpaquePointer,
        in location: SubmoduleLocation,
        trust: SubmoduleTrust,
        context: TransferContext,
        payload: UnsafeMutableRawPointer
    ) throws {
        let submodulePath = git_submodule_path(submodule).map { String(cString: $0) } ?? ""
        var options = git_submodule_update_options()
        try check(git_submodule_update_options_init(&options, 1), "initialising submodule options")
        context.install(into: &options.fetch_opts, payload: payload)
        context.install(into: &options.checkout_opts, payload: payload)
        options.allow_fetch = 1
        context.phasePrefix = "Submodule \(submodulePath): "
        let code = withExtendedLifetime(context) { git_submodule_update(submodule, 1, &options) }
        context.phasePrefix = ""
        if code < 0 {
            let url = git_submodule_url(submodule).map { Redaction.redactingCredentials(in: String(cString: $0)) } ?? "?"
            if context.gaveUpOnCredentials || code == GIT_EAUTH.rawValue {
                throw GitError.authenticationFailed(url: url)
            }
            throw GitError.libgit2(operation: "git submodule update of \(submodulePath) from \(url)", message: lastErrorMessage())
        }

        let child = location.child(submodulePath)
        var subrepository: OpaquePointer?
        try check(git_submodule_open(&subrepository, submodule), "opening submodule \(child.directory)")
        guard let subrepository else { return }
        defer { git_repository_free(subrepository) }
        try updateSubmodules(of: subrepository, at: child, trust: trust, context: context, payload: payload)
    }
}

/// Where a repository of a clone sits: on disk, and relative to the top-level checkout (for messages).
private struct SubmoduleLocation {
    let directory: String
    /// "" for the top level, else the submodule's path from the top, ending in "/".
    let relativePath: String

    func child(_ path: String) -> SubmoduleLocation {
        SubmoduleLocation(
            directory: (directory as NSString).appendingPathComponent(path), relativePath: relativePath + path + "/")
    }
}

/// Collects submodule names during git_submodule_foreach.
private final class NameCollector {
    var names: [String] = []
}

private func collectSubmoduleName(
    _ submodule: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let name, let payload else { return 0 }
    Unmanaged<NameCollector>.fromOpaque(payload).takeUnretainedValue().names.append(String(cString: name))
    return 0
}

// MARK: - Callbacks shared by clone, fetch and checkout

/// State for the C callbacks of one clone, passed to them as the payload pointer.
///
/// libgit2 calls the callbacks synchronously on the cloning thread, so no locking is needed.
final class TransferContext {
    let credentials: GitCredentials?
    let progress: (@Sendable (GitProgress) -> Void)?
    var credentialAttempts = 0
    var gaveUpOnCredentials = false
    /// Set when the transfer was aborted because the calling task was cancelled.
    var cancelled = false
    var sshKeyCandidates: [String]
    var offeredSSHAgent = false
    /// Upper bound on credential requests of any kind, so a rejecting server cannot make libgit2 loop.
    let credentialAttemptLimit: Int
    var phasePrefix = ""
    private var lastReport: ContinuousClock.Instant?
    private let clock = ContinuousClock()
    /// Progress is delivered at most this often, except for the final report of each phase.
    private let reportInterval = Duration.milliseconds(100)

    init(credentials: GitCredentials?, progress: (@Sendable (GitProgress) -> Void)?) {
        self.credentials = credentials
        self.progress = progress
        let sshDirectory = (NSHomeDirectory() as NSString).appendingPathComponent(".ssh")
        sshKeyCandidates = ["id_ed25519", "id_ecdsa", "id_rsa"]
            .map { (sshDirectory as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.isReadableFile(atPath: $0) }
        credentialAttemptLimit = Git.maximumCredentialAttempts + sshKeyCandidates.count + 1
    }

    func report(phase: String, current: Int, total: Int, bytes: Int) {
        guard let progress else { return }
        let now = clock.now
        let isFinal = total > 0 && current >= total
        if !isFinal, let lastReport, lastReport.duration(to: now) < reportInterval { return }
        lastReport = now
        progress(GitProgress(phase: phasePrefix + phase, current: current, total: total, bytes: bytes))
    }

    func install(into options: inout git_fetch_options, payload: UnsafeMutableRawPointer) {
        options.callbacks.credentials = acquireCredential
        options.callbacks.transfer_progress = reportTransferProgress
        options.callbacks.payload = payload
        options.proxy_opts.type = GIT_PROXY_AUTO
    }

    func install(into options: inout git_checkout_options, payload: UnsafeMutableRawPointer) {
        options.progress_cb = reportCheckoutProgress
        options.progress_payload = payload
    }
}

private func reportTransferProgress(_ stats: UnsafePointer<git_indexer_progress>?, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let stats, let payload else { return 0 }
    let context = Unmanaged<TransferContext>.fromOpaque(payload).takeUnretainedValue()
    // A cancelled task (SIGINT/SIGTERM) aborts the transfer: libgit2 stops and the clone is removed.
    if Task.isCancelled {
        context.cancelled = true
        return -1
    }
    let progress = stats.pointee
    if progress.total_deltas > 0 && progress.received_objects >= progress.total_objects {
        context.report(
            phase: "Resolving deltas", current: Int(progress.indexed_deltas), total: Int(progress.total_deltas),
            bytes: progress.received_bytes)
    } else {
        context.report(
            phase: "Receiving objects", current: Int(progress.received_objects), total: Int(progress.total_objects),
            bytes: progress.received_bytes)
    }
    return 0
}

private func reportCheckoutProgress(
    _ path: UnsafePointer<CChar>?, _ completed: Int, _ total: Int, _ payload: UnsafeMutableRawPointer?
) {
    guard let payload else { return }
    Unmanaged<TransferContext>.fromOpaque(payload).takeUnretainedValue()
        .report(phase: "Checking out files", current: completed, total: total, bytes: 0)
}

/// libgit2 asks again after every rejection, so each credential kind is offered a bounded number of times.
private func acquireCredential(
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
    _ url: UnsafePointer<CChar>?,
    _ usernameFromURL: UnsafePointer<CChar>?,
    _ allowedTypes: UInt32,
    _ payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
    let context = Unmanaged<TransferContext>.fromOpaque(payload).takeUnretainedValue()
    let allowed = { (type: git_credential_t) in allowedTypes & type.rawValue != 0 }
    let urlUsername = usernameFromURL.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }

    context.credentialAttempts += 1
    if context.credentialAttempts > context.credentialAttemptLimit {
        context.gaveUpOnCredentials = true
        return GIT_EAUTH.rawValue
    }

    if allowed(GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
        guard let credentials = context.credentials else {
            // Nothing to offer: libgit2 then reports that authentication is required.
            context.gaveUpOnCredentials = true
            return GIT_PASSTHROUGH.rawValue
        }
        if context.credentialAttempts > Git.maximumCredentialAttempts {
            context.gaveUpOnCredentials = true
            return GIT_EAUTH.rawValue
        }
        let username = credentials.username.isEmpty ? (urlUsername ?? "") : credentials.username
        return git_credential_userpass_plaintext_new(out, username, credentials.password)
    }

    let sshUsername = urlUsername ?? context.credentials?.username ?? "git"
    if allowed(GIT_CREDENTIAL_USERNAME) {
        return git_credential_username_new(out, sshUsername)
    }
    if allowed(GIT_CREDENTIAL_SSH_KEY) {
        if !context.offeredSSHAgent, ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] != nil {
            context.offeredSSHAgent = true
            return git_credential_ssh_key_from_agent(out, sshUsername)
        }
        if !context.sshKeyCandidates.isEmpty {
            let key = context.sshKeyCandidates.removeFirst()
            let publicKey = key + ".pub"
            let hasPublicKey = FileManager.default.isReadableFile(atPath: publicKey)
            return git_credential_ssh_key_new(out, sshUsername, hasPublicKey ? publicKey : nil, key, nil)
        }
    }
    if allowed(GIT_CREDENTIAL_DEFAULT), context.credentialAttempts == 1 {
        return git_credential_default_new(out)
    }
    context.gaveUpOnCredentials = true
    return GIT_PASSTHROUGH.rawValue
}
