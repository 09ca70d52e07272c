import Foundation
import R2DGit

/// A superproject whose .gitmodules names arbitrary URLs. `git submodule add` would fetch each URL (or refuse the
/// hostile ones), so .gitmodules is written by hand and each gitlink put straight into the index.
public struct SubmoduleEntry {
    public var path: String
    public var url: String
    /// The commit the gitlink records.
    public var commit: String

    public init(path: String, url: String, commit: String) {
        self.path = path
        self.url = url
        self.commit = commit
    }
}

public enum SuperprojectBuilder {
    /// A new repository with `outer.txt` and `entries` as submodules, committed once.
    public static func make(_ entries: [SubmoduleEntry]) throws -> TemporaryGitRepository {
        let repository = try TemporaryGitRepository(files: ["outer.txt": "outer\n"], prefix: "r2d-super-")
        do {
            try repository.write(".gitmodules", entries.map(section).joined())
            try GitCLI.run(["add", "outer.txt", ".gitmodules"], in: repository.path)
            for entry in entries {
                try GitCLI.run(["update-index", "--add", "--cacheinfo", "160000,\(entry.commit),\(entry.path)"], in: repository.path)
            }
            try GitCLI.run(["commit", "--quiet", "-m", "superproject"], in: repository.path)
            return repository
        } catch {
            repository.remove()
            throw error
        }
    }

    /// One [submodule] section; the URL quoted so that spaces, '#' and ';' survive git's config syntax.
    private static func section(_ entry: SubmoduleEntry) -> String {
        let quoted = entry.url.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "[submodule \"\(entry.path)\"]\n\tpath = \(entry.path)\n\turl = \"\(quoted)\"\n"
    }
}

/// A repository on the host (the files a hostile submodule URL would build in), with one commit.
public struct HostRepository {
    public let repository: TemporaryGitRepository
    public let commit: String

    public init(file: String = "sub.txt", contents: String = "host file\n") throws {
        repository = try TemporaryGitRepository(files: [file: contents], prefix: "r2d-host-")
        do {
            commit = try repository.commit(message: "host")
        } catch {
            repository.remove()
            throw error
        }
    }

    public var path: String { repository.path }
    public func remove() { repository.remove() }
}
