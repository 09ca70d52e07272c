import Foundation
import R2DGit
import R2DTestSupport
import Testing

@Suite("Git.cloneAndCheckout with submodules")
struct GitSubmoduleTests {
    /// outer → middle → inner, each submodule referenced by a file:// URL; outer's tag `with-sub` has the submodule,
    /// its first commit does not.
    struct NestedFixture {
        let inner: TemporaryGitRepository
        let middle: TemporaryGitRepository
        let outer: TemporaryGitRepository
        let withoutSubmodule: String

        init() throws {
            let repositories = try (0..<3).map { _ in try TemporaryGitRepository() }
            (inner, middle, outer) = (repositories[0], repositories[1], repositories[2])
            do {
                try inner.write("inner.txt", "inner\n")
                try inner.commit(message: "inner")
                try middle.write("middle.txt", "middle\n")
                try middle.commit(message: "middle")
                try GitCLI.run(["submodule", "add", inner.fileURL, "deps/inner"], in: middle.path)
                try GitCLI.run(["commit", "-m", "add inner"], in: middle.path)

                try outer.write("outer.txt", "outer\n")
                withoutSubmodule = try outer.commit(message: "outer")
                try GitCLI.run(["submodule", "add", middle.fileURL, "middle"], in: outer.path)
                try GitCLI.run(["commit", "-m", "add middle"], in: outer.path)
                try outer.tag(name: "with-sub")
            } catch {
                repositories.forEach { $0.remove() }
                throw error
            }
        }

        func remove() {
            [inner, middle, outer].forEach { $0.remove() }
        }
    }

    @Test("nested submodules are materialised", arguments: [nil, "with-sub"])
    func nestedSubmodules(ref: String?) throws {
        let fixture = try NestedFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let checkout = try Git.cloneAndCheckout(url: fixture.outer.fileURL, into: target.path, ref: ref, credentials: nil, progress: nil)

        #expect(checkout.commit == (try Git.resolve(ref: "with-sub", inRepositoryAt: fixture.outer.path)))
        #expect(contents(of: target.path + "/outer.txt") == "outer\n")
        #expect(contents(of: target.path + "/middle/middle.txt") == "middle\n")
        #expect(contents(of: target.path + "/middle/deps/inner/inner.txt") == "inner\n")
        // The git CLI agrees that every submodule sits at its recorded commit ("-" or "+" would mean not).
        let status = try GitCLI.run(["submodule", "status", "--recursive"], in: target.path)
        let lines = status.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix(" ") })
        // A submodule's git directory gives a canonical index too.
        #expect(try GitCanonicalIndexTests.canonicalIndex(gitDir: target.path + "/.git/modules/middle") != nil)
    }

    @Test("a ref without the submodule does not materialise it")
    func refWithoutSubmodule() throws {
        let fixture = try NestedFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let checkout = try Git.cloneAndCheckout(
            url: fixture.outer.fileURL, into: target.path, ref: fixture.withoutSubmodule, credentials: nil, progress: nil)

        #expect(checkout.commit == fixture.withoutSubmodule)
        #expect(!FileManager.default.fileExists(atPath: target.path + "/middle/middle.txt"))
        #expect(!FileManager.default.fileExists(atPath: target.path + "/.gitmodules"))
    }
}
