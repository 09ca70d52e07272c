import Foundation
@testable import R2DGit
import R2DTestSupport
import Testing

@Suite("Submodule URL classification")
struct SubmoduleURLKindTests {
    static let cases: [(String, SubmoduleURLKind)] = [
        ("https://github.com/org/repo.git", .remote),
        ("HTTP://host/org/repo.git", .remote),
        ("git://host/repo.git", .remote),
        ("ssh://git@host:22/repo.git", .remote),
        ("git+ssh://host/repo.git", .remote),
        ("git@github.com:org/repo.git", .remote),
        ("host:repo.git", .remote),
        ("[::1]:repo.git", .remote),
        ("/srv/repo.git", .local),
        ("file:///srv/repo.git", .local),
        ("FILE:///srv/repo.git", .local),
        ("file://localhost/srv/repo.git", .local),
        ("~/repo.git", .local),
        ("~user/repo.git", .local),
        ("../repo.git", .local),
        ("./repo.git", .local),
        ("repo.git", .local),
        ("dir/a:b", .local),  // a slash before the colon: a path to git, not scp-like
        ("", .local),
        ("-oProxyCommand=touch /tmp/x", .unsafe),
        ("--upload-pack=touch /tmp/x", .unsafe),
        ("ext::sh -c touch% /tmp/x", .unsafe),
        ("EXT::sh", .unsafe),
        ("fd::17", .unsafe),
        ("persistent-https::https://host/repo.git", .unsafe),
        ("::host/repo.git", .unsafe),
        ("ssh://-oProxyCommand=x/repo.git", .unsafe),
        ("ssh://user@-oProxyCommand=x/repo.git", .unsafe),
        ("git@-oProxyCommand=x:repo.git", .unsafe),
    ]

    @Test("git's and libgit2's transport rules", arguments: cases)
    func classifies(url: String, expected: SubmoduleURLKind) {
        #expect(SubmoduleURLKind.classify(url, isDirectory: { _ in false }) == expected)
    }

    @Test(
        "anything naming an existing directory is local, as libgit2's git_clone clones it locally",
        arguments: ["https://host/repo.git", "host:repo.git", "repo.git"])
    func existingDirectory(url: String) {
        #expect(SubmoduleURLKind.classify(url, isDirectory: { $0 == url }) == .local)
    }

    @Test("the refusal is one line whatever .gitmodules contains")
    func oneLine() {
        let error = GitError.localSubmoduleRefused(path: "deps/\nFAKE line\u{1B}[2K", url: "/etc\r\u{202E}", resolvedURL: "/x\u{2028}")
        #expect(!error.description.contains { $0.isNewline })
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" })
        #expect(
            error.description.hasPrefix(
                "Refusing submodule 'deps/\\u{A}FAKE line\\u{1B}[2K' (URL '/etc\\u{D}\\u{202E}', resolved to '/x\\u{2028}'): "))
    }
}

/// A repository with an `origin` remote and one submodule `deps/x` whose URL is given, for judging URLs as a clone
/// would without fetching anything (the gitlink's commit need not exist).
struct OriginFixture {
    let repository: TemporaryGitRepository

    init(origin: String, submoduleURL: String, config: [(String, String)] = []) throws {
        let entry = SubmoduleEntry(path: "deps/x", url: submoduleURL, commit: String(repeating: "1", count: 40))
        repository = try SuperprojectBuilder.make([entry])
        do {
            try GitCLI.run(["remote", "add", "origin", origin], in: repository.path)
            for (key, value) in config {
                try GitCLI.run(["config", key, value], in: repository.path)
            }
        } catch {
            repository.remove()
            throw error
        }
    }

    func check(repositoryIsLocal: Bool = false) throws {
        try Git.checkSubmoduleURLs(
            inRepositoryAt: repository.path,
            trust: SubmoduleTrust(allowLocalSubmodules: false, repositoryIsLocal: repositoryIsLocal))
    }

    func configuredURL() throws -> String {
        try GitCLI.run(["config", "submodule.deps/x.url"], in: repository.path).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func remove() { repository.remove() }
}

@Suite("Submodule URLs are judged as libgit2 resolves and rewrites them")
struct SubmoduleURLResolutionTests {
    @Test(
        "relative URLs resolve against the remote as git resolves them",
        arguments: [
            ("https://host/org/repo.git", "../other.git", "https://host/org/other.git"),
            ("http://127.0.0.1:9/org/super.git", "../sub.git", "http://127.0.0.1:9/org/sub.git"),
            ("https://host/org/repo.git", "./nested.git", "https://host/org/repo.git/nested.git"),
            ("git@host:org/repo.git", "../other.git", "git@host:org/other.git"),
        ])
    func relativeRemote(origin: String, submoduleURL: String, resolved: String) throws {
        let fixture = try OriginFixture(origin: origin, submoduleURL: submoduleURL)
        defer { fixture.remove() }

        try fixture.check()
        #expect(try fixture.configuredURL() == resolved)
    }

    // libgit2 (not git) strips an scp-like remote's host like a path segment, leaving a path on the host.
    @Test(
        "relative URLs that resolve to a local path are refused, naming both URLs",
        arguments: [
            ("git@host:org/repo.git", "../../x.git", "x.git"),
            ("git@host:org/repo.git", "../../../x.git", "../x.git"),
            ("/srv/org/repo.git", "../x.git", "/srv/org/x.git"),
            // libgit2 1.5 loses file://'s third slash here; still a file:// URL, still refused.
            ("file:///srv/org/repo.git", "../x.git", "file://srv/org/x.git"),
        ])
    func relativeLocal(origin: String, submoduleURL: String, resolved: String) throws {
        let fixture = try OriginFixture(origin: origin, submoduleURL: submoduleURL)
        defer { fixture.remove() }

        let error = #expect(throws: GitError.self) { try fixture.check() }
        #expect(error == .localSubmoduleRefused(path: "deps/x", url: submoduleURL, resolvedURL: resolved))
        #expect(
            error?.description == "Refusing submodule 'deps/x' (URL '\(submoduleURL)', resolved to '\(resolved)')"
                + RefusalText.local)
        // The same URLs are the user's own when the superproject was read from the host.
        try fixture.check(repositoryIsLocal: true)
    }

    @Test(
        "url.<base>.insteadOf rewriting is judged too",
        arguments: [
            ("/srv/mirror/", "/srv/mirror/x.git", false),
            ("file:///srv/mirror/", "file:///srv/mirror/x.git", false),
            ("ext::sh -c touch% /tmp/r2d-pwned% ", "ext::sh -c touch% /tmp/r2d-pwned% x.git", true),
        ])
    func insteadOf(base: String, rewritten: String, unsafe: Bool) throws {
        let url = "https://mirror.example/x.git"
        let fixture = try OriginFixture(
            origin: "https://host/org/repo.git", submoduleURL: url, config: [("url.\(base).insteadOf", "https://mirror.example/")])
        defer { fixture.remove() }

        let expected: GitError =
            unsafe
            ? .unsafeSubmoduleURL(path: "deps/x", url: url, resolvedURL: rewritten)
            : .localSubmoduleRefused(path: "deps/x", url: url, resolvedURL: rewritten)
        #expect(throws: expected) { try fixture.check() }
    }
}
