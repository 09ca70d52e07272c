import Foundation
import R2DGit
import R2DTestSupport

/// A source repository with two commits on main, a feature branch, tags and a `feature/x` vs `x` pair for the
/// "last candidate wins" rule.
struct SourceFixture {
    let repository: TemporaryGitRepository
    let first: String
    let second: String
    let feature: String
    let featureSlashX: String
    let tagX: String

    static let firstTime: Int64 = 1_600_000_000
    static let secondTime: Int64 = 1_600_000_100

    init() throws {
        let repository = try TemporaryGitRepository(files: ["README.md": "first\n", "src/app.py": "print(1)\n"])
        self.repository = repository
        do {
            try repository.write("run.sh", "#!/bin/sh\necho hi\n", executable: true)
            try repository.symlink("link-to-readme", to: "README.md")
            first = try repository.commit(message: "first", time: Self.firstTime)
            try repository.tag(name: "v1", message: "release 1")
            try repository.tag(name: "light")

            try repository.write("README.md", "second\n")
            second = try repository.commit(message: "second", time: Self.secondTime)

            try repository.branch(name: "topic", at: first)
            try repository.checkoutBranch("topic")
            try repository.write("README.md", "feature\n")
            feature = try repository.commit(message: "feature", time: 1_600_000_200)

            try repository.branch(name: "feature/x", at: first)
            try repository.checkoutBranch("feature/x")
            try repository.write("README.md", "feature/x\n")
            featureSlashX = try repository.commit(message: "feature/x", time: 1_600_000_300)

            try repository.branch(name: "tagged", at: first)
            try repository.checkoutBranch("tagged")
            try repository.write("README.md", "tag x\n")
            tagX = try repository.commit(message: "tag x", time: 1_600_000_400)
            try repository.tag(name: "x")

            try repository.checkoutBranch("main")
        } catch {
            repository.remove()
            throw error
        }
    }

    func remove() { repository.remove() }
}

/// A fresh path (not yet created) for a clone, inside a temporary parent that `cleanup` removes.
struct CloneTarget {
    let parent: String
    let path: String

    init() throws {
        parent = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-clone-")
        path = (parent as NSString).appendingPathComponent("checkout")
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: parent) }
}
