import Foundation

/// A read-only view of the directory being analysed (the checkout, or checkout/<subdir>),
/// with repo2docker's binder-directory lookup rules.
public struct RepoSnapshot: Sendable {
    /// Absolute path of the repo dir on disk.
    public let root: String
    /// "", "binder" or ".binder".
    public let binderDirectory: String

    /// Fails when both `binder/` and `.binder/` exist, as repo2docker does, and when a binder directory or an
    /// environment file is a symbolic link loop or a link out of `root` (its content would come from the host).
    public init(root: String) throws {
        self.root = root
        for name in [".binder", "binder"] { try Self.checkSymlink(root: root, name) }
        let dotBinder = Self.isDirectory(root + "/.binder")
        let binder = Self.isDirectory(root + "/binder")
        if dotBinder && binder { throw BuildpackError.bothBinderDirectories(root: root) }
        binderDirectory = dotBinder ? ".binder" : (binder ? "binder" : "")
        for name in Self.environmentFiles {
            try Self.checkSymlink(root: root, name)
            if !binderDirectory.isEmpty { try Self.checkSymlink(root: root, binderDirectory + "/" + name) }
        }
    }

    /// The files detection and rendering read (root or binder directory).
    static let environmentFiles = [
        "runtime.txt", "apt.txt", "environment.yml", "environment.yaml", "requirements.txt", "requirements3.txt",
        "Pipfile", "Pipfile.lock", "pyproject.toml", "setup.py", "Project.toml", "JuliaProject.toml", "REQUIRE",
        "default.nix", "DESCRIPTION", "install.R", "postBuild", "start", "Dockerfile", ".dockerignore", ".containerignore",
    ]

    /// Throws when `relativePath` is a symbolic link that loops or resolves outside `root`; a dangling link
    /// stays a missing file, as before.
    static func checkSymlink(root: String, _ relativePath: String) throws {
        let path = root + "/" + relativePath
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return }
        guard let resolved = realpath(path, nil) else {
            if errno == ELOOP { throw BuildpackError.symlinkLoop(file: relativePath) }
            return
        }
        defer { free(resolved) }
        guard let resolvedRoot = realpath(root, nil) else { return }
        defer { free(resolvedRoot) }
        let target = String(cString: resolved), base = String(cString: resolvedRoot)
        if target != base && !target.hasPrefix(base == "/" ? "/" : base + "/") {
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? target
            throw BuildpackError.symlinkOutside(file: relativePath, target: link)
        }
    }

    /// `<binder dir>/name`, or `name` when there is no binder dir (relative to `root`).
    public func binderPath(_ name: String) -> String {
        binderDirectory.isEmpty ? name : binderDirectory + "/" + name
    }

    /// Whether a regular file (or a symlink to one) exists at a path relative to `root`.
    public func fileExists(_ relativePath: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: absolutePath(relativePath), isDirectory: &isDir) && !isDir.boolValue
    }

    /// Whether `binderPath(name)` exists as a file.
    public func binderFileExists(_ name: String) -> Bool { fileExists(binderPath(name)) }

    /// The text of a file relative to `root`, or nil when it does not exist. UTF-8, then UTF-16 (with BOM), then Latin-1.
    public func readText(_ relativePath: String) throws -> String? {
        guard fileExists(relativePath) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: absolutePath(relativePath))) } catch {
            throw BuildpackError.unreadable(file: relativePath, reason: "\(error.localizedDescription)")
        }
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]), let text = String(data: data, encoding: .utf16) {
            return text
        }
        if let text = String(data: data, encoding: .utf8) { return text }
        return String(decoding: data, as: UTF8.self)
    }

    public func absolutePath(_ relativePath: String) -> String { root + "/" + relativePath }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
