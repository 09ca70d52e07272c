import Foundation
import R2DGit
import R2DTestSupport
import Testing

@Suite("Git.workTreeState")
struct GitWorkTreeTests {
    @Test("a plain directory is not a work tree")
    func plainDirectory() throws {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try Git.workTreeState(at: directory) == nil)
    }

    @Test("a subdirectory or the .git directory of a repository is not the top of a work tree", arguments: ["src", ".git"])
    func insideRepository(subdirectory: String) throws {
        let repository = try TemporaryGitRepository(files: ["src/app.py": "x\n"])
        defer { repository.remove() }
        try repository.commit()
        #expect(try Git.workTreeState(at: repository.absolutePath(subdirectory)) == nil)
    }

    @Test("an unborn repository has no commit")
    func unborn() throws {
        let repository = try TemporaryGitRepository()
        defer { repository.remove() }
        #expect(try Git.workTreeState(at: repository.path) == WorkTreeState(commit: nil, commitTime: nil, isClean: true))
        try repository.write("new.txt", "x")
        #expect(try Git.workTreeState(at: repository.path)?.isClean == false)
    }

    enum Change: String, CaseIterable, Sendable {
        case none, modified, staged, untracked, untrackedDirectory, ignored, deleted
    }

    @Test("cleanliness", arguments: Change.allCases)
    func cleanliness(change: Change) throws {
        let repository = try TemporaryGitRepository(files: ["a.txt": "a\n", ".gitignore": "*.log\n"])
        defer { repository.remove() }
        let sha = try repository.commit(time: 1_650_000_000)

        switch change {
        case .none: break
        case .modified: try repository.write("a.txt", "changed\n")
        case .staged:
            try repository.write("b.txt", "b\n")
            try GitCLI.run(["add", "b.txt"], in: repository.path)
        case .untracked: try repository.write("b.txt", "b\n")
        case .untrackedDirectory: try repository.write("deep/dir/b.txt", "b\n")
        case .ignored: try repository.write("debug.log", "noise\n")
        case .deleted: try repository.delete("a.txt")
        }

        let state = try #require(try Git.workTreeState(at: repository.path))
        #expect(state.commit == sha)
        #expect(state.commitTime == 1_650_000_000)
        #expect(state.isClean == (change == .none))
    }
}

@Suite("Git.writeCanonicalIndex")
struct GitCanonicalIndexTests {
    /// The canonical index of `gitDir`, written to a temporary file and read back; nil when HEAD is unborn.
    static func canonicalIndex(gitDir: String) throws -> [UInt8]? {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-index-test-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard try Git.writeCanonicalIndex(gitDir: gitDir, to: directory + "/index") else { return nil }
        return try #require(FileManager.default.contents(atPath: directory + "/index")).map { $0 }
    }

    @Test("same HEAD tree gives identical bytes, and git sees a clean tree with them")
    func identicalAndClean() throws {
        let source = try TemporaryGitRepository(files: ["a.txt": "a\n", "dir/b.txt": "b\n", "dir/sub/c.txt": "c\n"])
        defer { source.remove() }
        try source.write("run.sh", "#!/bin/sh\n", executable: true)
        try source.symlink("link", to: "a.txt")
        try source.commit()
        let first = try CloneTarget()
        defer { first.cleanup() }
        let second = try CloneTarget()
        defer { second.cleanup() }
        _ = try Git.cloneAndCheckout(url: source.fileURL, into: first.path, ref: nil, credentials: nil, progress: nil)
        _ = try Git.cloneAndCheckout(url: source.path, into: second.path, ref: "main", credentials: nil, progress: nil)
        for (offset, file) in ["a.txt", "dir/b.txt", "dir/sub/c.txt", "run.sh"].enumerated() {
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_000_000 + Double(offset) * 1000)],
                ofItemAtPath: second.path + "/" + file)
        }

        let firstIndex = try #require(try Self.canonicalIndex(gitDir: first.path + "/.git"))
        let secondIndex = try #require(try Self.canonicalIndex(gitDir: second.path + "/.git"))
        #expect(firstIndex == secondIndex)
        #expect(firstIndex.starts(with: Array("DIRC".utf8)))
        // The clone's own index carries real stat data, so it differs from the canonical one.
        let ownIndex = try #require(FileManager.default.contents(atPath: second.path + "/.git/index"))
        #expect([UInt8](ownIndex) != secondIndex)

        try Data(secondIndex).write(to: URL(fileURLWithPath: second.path + "/.git/index"))
        #expect(try GitCLI.run(["status", "--porcelain"], in: second.path) == "")
    }

    @Test("unborn HEAD gives nil; a plain directory throws notARepository")
    func unbornAndNotARepository() throws {
        let repository = try TemporaryGitRepository()
        defer { repository.remove() }
        #expect(try Self.canonicalIndex(gitDir: repository.path + "/.git") == nil)
        let directory = try TemporaryGitRepository.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: GitError.notARepository(path: directory)) { try Self.canonicalIndex(gitDir: directory) }
    }
}
