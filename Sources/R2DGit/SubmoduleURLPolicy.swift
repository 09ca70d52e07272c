import CLibGit2
import Foundation
import R2DRedaction

/// Where a submodule URL makes libgit2 read from, as far as the host is concerned.
enum SubmoduleURLKind: Equatable, Sendable {
    /// Fetched over the network (http(s)://, git://, ssh://, scp-like `[user@]host:path`), or a form libgit2 has no
    /// transport for (it then fails without touching the file system).
    case remote
    /// Read from the host's file system: an absolute or relative path, `~…`, a file:// URL, or any string naming an
    /// existing directory.
    case local
    /// Could make git run a command: a leading `-` (read as an option), a host starting with `-` (an option to ssh),
    /// or git's `<helper>::<address>` remote-helper syntax (`ext::` runs a shell command, `fd::` uses descriptors).
    case unsafe

    /// Classifies `url` by the rules git (transport.c, connect.c) and libgit2 (clone.c, transport.c) use to pick a
    /// transport. `isDirectory` is the one file-system question asked: libgit2's git_clone clones locally from
    /// *any* string that names an existing directory (relative ones from the working directory), whatever it looks
    /// like, so that is a stat of the name — never a read of what is inside.
    static func classify(_ url: String, isDirectory: (String) -> Bool = SubmoduleURLKind.isExistingDirectory) -> Self {
        if url.hasPrefix("-") { return .unsafe }
        // git's transport_get: `[A-Za-z0-9+.-]*::` selects a remote helper (an empty name too, as ':' would then be scp).
        if url.firstMatch(of: /^[A-Za-z0-9+.\-]*::/) != nil { return .unsafe }
        if let match = url.firstMatch(of: /^([A-Za-z][A-Za-z0-9+.\-]*):\/\//) {
            if match.1.lowercased() == "file" { return .local }
            let authority = url[match.range.upperBound...].prefix { $0 != "/" }
            if startsWithDash(authority) { return .unsafe }
            return isDirectory(url) ? .local : .remote
        }
        // `~user/…` and `~/…` are home-relative paths to git (libgit2 would reject them as written, but they must
        // not become allowed if some rewriting produces them).
        if url.hasPrefix("/") || url.hasPrefix("~") { return .local }
        // scp-like `[user@]host:path`: a colon before any slash (git's url_is_local_not_ssh, on a non-Windows host).
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") {
            if startsWithDash(url[..<colon]) { return .unsafe }
            return isDirectory(url) ? .local : .remote
        }
        return .local
    }

    /// Whether the host of `user@host:port` (or of the whole authority) starts with '-', which git blocks because
    /// ssh would read it as an option (CVE-2017-1000117).
    private static func startsWithDash(_ authority: Substring) -> Bool {
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        return authority.hasPrefix("-") || host.hasPrefix("-")
    }

    /// stat(2), following symlinks, like libgit2's git_fs_path_isdir.
    static func isExistingDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// Which submodule URLs the submodules of one repository may use.
struct SubmoduleTrust: Sendable {
    /// The caller's `allowLocalSubmodules` (`--allow-local-submodules`): local submodules are allowed at every depth.
    let allowLocalSubmodules: Bool
    /// Whether this repository was read from the host: the user's own checkout, whose local submodules are the user's
    /// own too. A repository fetched from a remote names whatever its author chose, so it gets no such trust.
    let repositoryIsLocal: Bool

    var allowsLocalSubmodules: Bool { allowLocalSubmodules || repositoryIsLocal }

    /// The trust for the submodules of a submodule whose URL is of `kind`: local only if it was itself read from the
    /// host (which, having passed the check, means under a trusted or explicitly allowed superproject).
    func forSubmodule(of kind: SubmoduleURLKind) -> SubmoduleTrust {
        SubmoduleTrust(allowLocalSubmodules: allowLocalSubmodules, repositoryIsLocal: kind == .local)
    }

    /// The trust of a clone of `url`: local when the URL itself is local.
    static func forClone(of url: String, allowLocalSubmodules: Bool) -> SubmoduleTrust {
        SubmoduleTrust(allowLocalSubmodules: allowLocalSubmodules, repositoryIsLocal: SubmoduleURLKind.classify(url) == .local)
    }
}

extension Git {
    /// Judges the URL that git_submodule_update will fetch `submodule` from, and throws
    /// `.localSubmoduleRefused` / `.unsafeSubmoduleURL` before anything is fetched. Returns the URL's kind.
    ///
    /// Initialises the submodule (`git submodule init`: writes the resolved URL to submodule.<name>.url) because
    /// git_submodule_update clones from exactly that config value; the URL judged is therefore the URL used.
    static func checkSubmoduleURL(
        _ submodule: OpaquePointer, path: String, in repository: OpaquePointer, trust: SubmoduleTrust
    ) throws -> SubmoduleURLKind {
        let written =
            git_submodule_url(submodule).map { String(cString: $0) }
            ?? gitmodulesURL(of: submodule, in: repository) ?? ""
        let judge = SubmoduleURLJudge(path: path, written: written, trust: trust)
        // Forms that libgit2 resolves (./, ../; backslashes count as slashes) are judged once resolved. The rest are
        // judged as written too: `-x`, `~/x` or `x` would otherwise surface as libgit2's "invalid format" error.
        let slashed = written.replacingOccurrences(of: "\\", with: "/")
        if !(slashed.hasPrefix("./") || slashed.hasPrefix("../")) {
            _ = try judge.check(written)
        }
        try check(git_submodule_init(submodule, 0), "git submodule update of \(path) from \(Redaction.redactingCredentials(in: written))")
        let configured = try configuredURL(of: submodule, in: repository, path: path)
        // libgit2 applies url.<base>.insteadOf when it creates the submodule's remote; the clone itself decides
        // "local" from the configured URL, the transport from the rewritten one, so both are judged.
        let fetched = try rewrittenURL(configured, in: repository, path: path)
        let configuredKind = try judge.check(configured)
        let fetchedKind = try judge.check(fetched)
        return configuredKind == .local || fetchedKind == .local ? .local : .remote
    }

    /// The URL .gitmodules gives a submodule for which libgit2 has none: it drops URLs that start with '-' (so it
    /// would only fail with "no URL configured"), and the refusal should say why such a URL is never fetched.
    private static func gitmodulesURL(of submodule: OpaquePointer, in repository: OpaquePointer) -> String? {
        guard let workdir = git_repository_workdir(repository), let name = git_submodule_name(submodule) else { return nil }
        var config: OpaquePointer?
        let file = (String(cString: workdir) as NSString).appendingPathComponent(".gitmodules")
        guard git_config_open_ondisk(&config, file) == 0 else { return nil }
        defer { git_config_free(config) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_config_get_string_buf(&buffer, config, "submodule.\(String(cString: name)).url") == 0,
            let pointer = buffer.ptr
        else { return nil }
        return String(cString: pointer)
    }

    /// submodule.<name>.url from a fresh snapshot of the repository's configuration, as git_submodule_update reads it.
    private static func configuredURL(of submodule: OpaquePointer, in repository: OpaquePointer, path: String) throws -> String {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, repository), "reading the configuration of \(path)'s superproject")
        defer { git_config_free(config) }
        let name = git_submodule_name(submodule).map { String(cString: $0) } ?? path
        var value: UnsafePointer<CChar>?
        try check(git_config_get_string(&value, config, "submodule.\(name).url"), "reading submodule.\(name).url")
        return value.map { String(cString: $0) } ?? ""
    }

    /// `url` after libgit2's url.<base>.insteadOf rewriting, through an anonymous remote (which opens no connection).
    private static func rewrittenURL(_ url: String, in repository: OpaquePointer, path: String) throws -> String {
        var remote: OpaquePointer?
        try check(
            git_remote_create_anonymous(&remote, repository, url),
            "git submodule update of \(path) from \(Redaction.redactingCredentials(in: url))")
        defer { git_remote_free(remote) }
        return git_remote_url(remote).map { String(cString: $0) } ?? url
    }

    /// Judges the submodule URLs of the repository at `path` as a clone of it would (so the submodules get
    /// initialised, as `git submodule init` does); for tests, which cannot build the libgit2 handles themselves.
    static func checkSubmoduleURLs(inRepositoryAt path: String, trust: SubmoduleTrust) throws {
        let repository = try openRepository(at: path)
        defer { git_repository_free(repository) }
        _ = try checkSubmodules(of: repository, displayPath: path, trust: trust)
    }
}

/// Throws the refusal for one submodule, naming the URL as written and, when different, the one judged.
private struct SubmoduleURLJudge {
    let path: String
    let written: String
    let trust: SubmoduleTrust

    func check(_ url: String) throws -> SubmoduleURLKind {
        let kind = SubmoduleURLKind.classify(url)
        let shownURL = Redaction.redactingCredentials(in: written)
        let resolvedURL = url == written ? nil : Redaction.redactingCredentials(in: url)
        switch kind {
        case .unsafe:
            throw GitError.unsafeSubmoduleURL(path: path, url: shownURL, resolvedURL: resolvedURL)
        case .local where !trust.allowsLocalSubmodules:
            throw GitError.localSubmoduleRefused(path: path, url: shownURL, resolvedURL: resolvedURL)
        case .local, .remote:
            return kind
        }
    }
}
