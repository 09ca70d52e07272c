import Testing
@testable import R2DCore

@Suite("Which repository arguments are local paths (checked before any clone)")
struct RepositoryPathTests {
    @Test(arguments: [
        ("/srv/repo", "/srv/repo"), ("relative/dir", "relative/dir"), ("./a:b", "./a:b"), ("repo", "repo"),
        ("file:///tmp/a%20b", "/tmp/a b"),
    ])
    func local(argument: String, path: String) {
        #expect(Pipeline.localPath(of: argument) == path)
    }

    @Test(arguments: ["https://github.com/org/repo", "ssh://git@host/repo.git", "git@github.com:org/repo.git", "host:repo"])
    func remote(argument: String) {
        #expect(Pipeline.localPath(of: argument) == nil)
    }

    @Test func missingRepositoryIsOneLine() {
        let message = CoreError.repositoryMissing("/no/such\ndir").description
        #expect(!message.contains("\n") && message.contains("/no/such\\ndir"))
    }
}
