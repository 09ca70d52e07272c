import Foundation
import R2DBasics

/// `--max-repo-size` for what is already on disk: the checked-out files of a clone, a local directory or a
/// data repository's fetched content, counted as the bytes of their regular files, without git's and
/// Mercurial's own directories (`.git`, `.hg`), whose packs the build context does not grow with. Downloads
/// are held to the same cap while they stream (R2DContentProviders' `DownloadBudget`); this is the check for
/// everything a download budget does not see (a clone, an extracted archive, `hg`).
enum RepositorySize {
    /// Directory names whose contents are not counted, at any depth (a submodule's `.git` is a file, so small).
    static let versionControlDirectories: Set<String> = [".git", ".hg"]

    /// The bytes of the regular files under `root`, without version-control directories. Symbolic links count
    /// as themselves (their target may be outside the repository); nothing is followed.
    static func measure(_ root: String) throws -> Int64 {
        var total: Int64 = 0
        var pending = [root]
        while let directory = pending.popLast() {
            guard let handle = opendir(directory) else {
                if directory == root {
                    throw CoreError.fileSystem("Cannot read \(root) to measure its size: \(String(cString: strerror(errno))).")
                }
                continue
            }
            defer { closedir(handle) }
            let descriptor = dirfd(handle)
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                // A directory needs no stat of its own (the file system says what it is); a file's size does.
                if entry.pointee.d_type == UInt8(DT_DIR) {
                    if !versionControlDirectories.contains(name) { pending.append(directory + "/" + name) }
                    continue
                }
                var status = stat()
                guard fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR where !versionControlDirectories.contains(name): pending.append(directory + "/" + name)
                case S_IFREG, S_IFLNK: total += Int64(status.st_size)
                default: break
                }
            }
        }
        return total
    }

    /// Refuses content whose size passes `limit` (nil: no cap), in one line naming both sizes.
    static func check(_ fetched: FetchedRepository, limit: Int64?, repo: String) throws {
        guard let limit else { return }
        let size = try measure(fetched.path)
        if size > limit { throw CoreError.repositoryTooLarge(repo: repo, size: size, limit: limit) }
    }
}
