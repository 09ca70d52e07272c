import Foundation
import R2DGit
import R2DTestSupport
import Synchronization
import Testing

/// How a case writes the submodule's URL in .gitmodules, given the host repository's path.
enum HostileSubmoduleURL: String, Sendable, CaseIterable {
    case absolutePath, fileURL, fileURLWithCredentials, homeRelative, bareRelativePath
    case dashOption, sshDashHost, scpDashHost, extHelper, fdHelper

    func url(hostPath: String) -> String {
        switch self {
        case .absolutePath: hostPath
        case .fileURL: "file://" + hostPath
        case .fileURLWithCredentials: "file://user:s3cret@localhost" + hostPath
        case .homeRelative: "~/r2d-no-such-repository"
        case .bareRelativePath: "r2d-no-such-directory/sub"
        case .dashOption: "-oProxyCommand=touch /tmp/r2d-pwned"
        case .sshDashHost: "ssh://-oProxyCommand=touch%20/tmp/r2d-pwned/repo.git"
        case .scpDashHost: "git@-oProxyCommand=touch:repo.git"
        case .extHelper: "ext::sh -c touch% /tmp/r2d-pwned"
        case .fdHelper: "fd::17"
        }
    }

    /// The URL the message names (credentials removed).
    func shownURL(hostPath: String) -> String {
        self == .fileURLWithCredentials ? "file://***@localhost" + hostPath : url(hostPath: hostPath)
    }

    var isLocal: Bool { [.absolutePath, .fileURL, .fileURLWithCredentials, .homeRelative, .bareRelativePath].contains(self) }

    /// Forms libgit2 can actually clone once allowed (it cannot read a file:// URL with user info, nor `~`).
    var clonesWhenAllowed: Bool { [.absolutePath, .fileURL].contains(self) }
}

/// The message texts, spelled out here so that a changed message fails the tests.
enum RefusalText {
    static let local =
        ": swift-r2d refuses submodules that point at the local file system when building a remote "
        + "repository; use a remote URL for the submodule, or pass --allow-local-submodules to build your own trusted checkout"
    static let unsafe =
        ": a submodule URL that starts with '-', has a host starting with '-' or names a remote helper "
        + "(such as ext:: or fd::) can run commands, so swift-r2d never fetches it; use an http(s), ssh or git:// URL for the submodule"
}

/// A remote superproject (served by ``GitHTTPServer`` as org/super.git) with the given submodules; the host
/// repository is also published as org/sub.git, for relative URLs.
struct RemoteSuperprojectFixture {
    let server: GitHTTPServer
    let host: HostRepository
    let url: String

    init(entries: (HostRepository) -> [SubmoduleEntry]) throws {
        server = try GitHTTPServer()
        do {
            host = try HostRepository()
        } catch {
            server.stop()
            throw error
        }
        do {
            try server.publish(host.repository, as: "org/sub.git")
            let superproject = try SuperprojectBuilder.make(entries(host))
            defer { superproject.remove() }
            url = try server.publish(superproject, as: "org/super.git")
        } catch {
            server.stop()
            host.remove()
            throw error
        }
    }

    /// One submodule, deps/sub, at the host repository's commit.
    init(submoduleURL: (HostRepository) -> String) throws {
        try self.init { host in [SubmoduleEntry(path: "deps/sub", url: submoduleURL(host), commit: host.commit)] }
    }

    func remove() {
        server.stop()
        host.remove()
    }
}

@Suite("Git.cloneAndCheckout refuses hostile submodule URLs of remote repositories")
struct GitSubmoduleRefusalTests {
    @Test("a remote superproject's hostile submodule is refused and the clone removed", arguments: HostileSubmoduleURL.allCases)
    func refused(form: HostileSubmoduleURL) throws {
        let fixture = try RemoteSuperprojectFixture { form.url(hostPath: $0.path) }
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }
        let recorder = PhaseRecorder()

        let error = #expect(throws: GitError.self) {
            try Git.cloneAndCheckout(url: fixture.url, into: target.path, ref: nil, credentials: nil, progress: recorder.record)
        }

        let shown = form.shownURL(hostPath: fixture.host.path)
        let expected: GitError =
            form.isLocal
            ? .localSubmoduleRefused(path: "deps/sub", url: shown, resolvedURL: nil)
            : .unsafeSubmoduleURL(path: "deps/sub", url: shown, resolvedURL: nil)
        #expect(error == expected)
        #expect(
            error?.description == "Refusing submodule 'deps/sub' (URL '\(shown)')" + (form.isLocal ? RefusalText.local : RefusalText.unsafe)
        )
        #expect(error?.description.contains("s3cret") == false)
        #expect(!FileManager.default.fileExists(atPath: target.path))
        // The superproject itself was fetched over http; nothing was fetched for the submodule.
        #expect(fixture.server.requestedPaths().contains("/org/super.git/info/refs"))
        #expect(!recorder.phases().contains { $0.hasPrefix("Submodule ") })
    }

    @Test(
        "allowLocalSubmodules clones a remote superproject's local submodules",
        arguments: HostileSubmoduleURL.allCases.filter(\.clonesWhenAllowed))
    func allowed(form: HostileSubmoduleURL) throws {
        let fixture = try RemoteSuperprojectFixture { form.url(hostPath: $0.path) }
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }
        let recorder = PhaseRecorder()

        _ = try Git.cloneAndCheckout(
            url: fixture.url, into: target.path, ref: nil, credentials: nil, allowLocalSubmodules: true,
            progress: recorder.record)

        #expect(contents(of: target.path + "/outer.txt") == "outer\n")
        #expect(contents(of: target.path + "/deps/sub/sub.txt") == "host file\n")
        // The same observation that shows nothing was fetched in the refused case does see this fetch.
        #expect(recorder.phases().contains { $0.hasPrefix("Submodule deps/sub: ") })
    }

    @Test(
        "URLs that could run commands are refused even with allowLocalSubmodules",
        arguments: HostileSubmoduleURL.allCases.filter { !$0.isLocal })
    func unsafeEvenWhenAllowed(form: HostileSubmoduleURL) throws {
        let fixture = try RemoteSuperprojectFixture { form.url(hostPath: $0.path) }
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        #expect(throws: GitError.unsafeSubmoduleURL(path: "deps/sub", url: form.url(hostPath: fixture.host.path), resolvedURL: nil)) {
            try Git.cloneAndCheckout(
                url: fixture.url, into: target.path, ref: nil, credentials: nil, allowLocalSubmodules: true, progress: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test("a relative submodule URL of a remote superproject resolves on the same server and clones", arguments: [nil, "main"])
    func relativeRemoteSubmodule(ref: String?) throws {
        let fixture = try RemoteSuperprojectFixture { _ in "../sub.git" }
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        _ = try Git.cloneAndCheckout(url: fixture.url, into: target.path, ref: ref, credentials: nil, progress: nil)

        #expect(contents(of: target.path + "/deps/sub/sub.txt") == "host file\n")
        #expect(fixture.server.requestedPaths().contains("/org/sub.git/info/refs"))
        let status = try GitCLI.run(["submodule", "status"], in: target.path)
        #expect(status.hasPrefix(" \(fixture.host.commit) deps/sub"))
    }

    @Test("every submodule URL is judged before any submodule is fetched")
    func judgedBeforeFetching() throws {
        // "a" sorts before "deps/sub", so a check-as-you-go loop would fetch it before meeting the local one.
        let fixture = try RemoteSuperprojectFixture { host in
            [
                SubmoduleEntry(path: "a", url: "../sub.git", commit: host.commit),
                SubmoduleEntry(path: "deps/sub", url: host.path, commit: host.commit),
            ]
        }
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        #expect(throws: GitError.localSubmoduleRefused(path: "deps/sub", url: fixture.host.path, resolvedURL: nil)) {
            try Git.cloneAndCheckout(url: fixture.url, into: target.path, ref: nil, credentials: nil, progress: nil)
        }
        #expect(fixture.server.requestedPaths().contains("/org/super.git/info/refs"))
        #expect(!fixture.server.requestedPaths().contains { $0.hasPrefix("/org/sub.git") })
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }
}

/// Collects the progress phases a clone reports.
final class PhaseRecorder: Sendable {
    private let collected = Mutex<[String]>([])

    var record: @Sendable (GitProgress) -> Void {
        { [self] report in self.collected.withLock { $0.append(report.phase) } }
    }

    func phases() -> [String] { collected.withLock { $0 } }
}

@Suite("Git.cloneAndCheckout keeps local submodules of local superprojects")
struct GitLocalSubmoduleTests {
    @Test(
        "a local superproject's local submodule still clones",
        arguments: [false, true], [HostileSubmoduleURL.absolutePath, .fileURL])
    func localSuperproject(superprojectAsFileURL: Bool, form: HostileSubmoduleURL) throws {
        let host = try HostRepository()
        defer { host.remove() }
        let superproject = try SuperprojectBuilder.make([
            SubmoduleEntry(path: "deps/sub", url: form.url(hostPath: host.path), commit: host.commit)
        ])
        defer { superproject.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let url = superprojectAsFileURL ? superproject.fileURL : superproject.path
        _ = try Git.cloneAndCheckout(url: url, into: target.path, ref: nil, credentials: nil, progress: nil)

        #expect(contents(of: target.path + "/deps/sub/sub.txt") == "host file\n")
    }

    @Test("a remote submodule of a local superproject is judged as remote: its local submodules are refused")
    func remoteSubmoduleOfLocalSuperproject() throws {
        let fixture = try RemoteSuperprojectFixture { $0.path }
        defer { fixture.remove() }
        let middleCommit = try GitCLI.run(["rev-parse", "HEAD"], in: fixture.server.root + "/org/super.git")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let outer = try SuperprojectBuilder.make([SubmoduleEntry(path: "middle", url: fixture.url, commit: middleCommit)])
        defer { outer.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let refusal = GitError.localSubmoduleRefused(path: "middle/deps/sub", url: fixture.host.path, resolvedURL: nil)
        #expect(throws: refusal) {
            try Git.cloneAndCheckout(url: outer.path, into: target.path, ref: nil, credentials: nil, progress: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))

        _ = try Git.cloneAndCheckout(
            url: outer.path, into: target.path, ref: nil, credentials: nil, allowLocalSubmodules: true, progress: nil)
        #expect(contents(of: target.path + "/middle/deps/sub/sub.txt") == "host file\n")
    }
}
