import Foundation
import R2DTestSupport
import Testing
@testable import R2DCore

@Suite("Which repository arguments are local paths (checked before any clone)")
struct RepositoryPathTests {
    @Test(arguments: [
        ("/srv/repo", "/srv/repo"), ("relative/dir", "relative/dir"), ("./a:b", "./a:b"), ("repo", "repo"),
        ("file:///tmp/a%20b", "/tmp/a b"),
    ])
    func local(argument: String, path: String) {
        #expect(RepositoryLocation.localPath(of: argument) == path)
    }

    @Test(arguments: ["https://github.com/org/repo", "ssh://git@host/repo.git", "git@github.com:org/repo.git", "host:repo"])
    func remote(argument: String) {
        #expect(RepositoryLocation.localPath(of: argument) == nil)
        #expect(RepositoryLocation.classify(argument) == .remote(argument))
    }

    @Test("an existing directory is local, a file:// URL of one is cloned, a missing path is refused")
    func classification() throws {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(RepositoryLocation.classify(directory) == .localDirectory(directory))
        #expect(RepositoryLocation.classify(directory + "/.") == .localDirectory(directory))
        #expect(RepositoryLocation.classify("file://" + directory) == .remote("file://" + directory))
        #expect(RepositoryLocation.classify(directory + "/missing") == .missingLocalPath(directory + "/missing"))
        #expect(RepositoryLocation.classify("file://" + directory + "/missing") == .missingLocalPath(directory + "/missing"))
    }

    @Test func missingRepositoryIsOneLine() {
        let message = CoreError.repositoryMissing("/no/such\ndir").description
        #expect(!message.contains("\n") && message.contains("/no/such\\ndir"))
    }
}
