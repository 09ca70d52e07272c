import Foundation

/// The directory a build or a `detect` analyses: the checkout, or `--subdir` inside it. One decision for both
/// commands, so `detect --subdir ../x` is refused exactly as `build` refuses it.
enum RepositoryDirectory {
    /// `checkout/subdir`, after checking that it exists and that it resolves inside the checkout (`..` or a
    /// committed symbolic link would otherwise analyse and build a directory of the host).
    static func resolve(checkout: String, subdir: String, repo: String) throws -> String {
        guard !subdir.isEmpty else { return checkout }
        let path = checkout + "/" + subdir
        guard isInside(path, checkout) else { throw CoreError.subdirectoryOutside(subdir: subdir, repo: repo) }
        guard directoryExists(path) else { throw CoreError.subdirectoryMissing(subdir: subdir, repo: repo) }
        return path
    }

    /// Whether `path`, with every symbolic link resolved, is `root` or below it. A path that does not resolve
    /// is judged by its `..` components alone.
    static func isInside(_ path: String, _ root: String) -> Bool {
        func real(_ path: String) -> String? {
            guard let pointer = realpath(path, nil) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        guard let base = real(root) else { return false }
        guard let resolved = real(path) else {
            var depth = 0
            for component in path.dropFirst(root.count).split(separator: "/") {
                if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
                if depth < 0 { return false }
            }
            return true
        }
        return resolved == base || resolved.hasPrefix(base == "/" ? "/" : base + "/")
    }
}
