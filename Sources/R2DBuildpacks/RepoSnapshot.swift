import Foundation
import Synchronization

/// A read-only view of the directory being analysed (the checkout, or checkout/<subdir>),
/// with repo2docker's binder-directory lookup rules. Every file it reads resolves inside `repositoryRoot`
/// (symbolic links that stay inside the repository are followed; links out of it are refused), is a regular
/// file, and is read only up to its kind's size limit (`FileSizeLimit`).
public struct RepoSnapshot: Sendable {
    /// Absolute path of the repo dir on disk.
    public let root: String
    /// The checkout the repo dir belongs to (`root` itself, or its ancestor when building a `--subdir`):
    /// nothing outside it is read.
    public let repositoryRoot: String
    /// "", "binder" or ".binder".
    public let binderDirectory: String
    /// `repositoryRoot` with its links resolved once (every read is checked against it).
    let resolvedRepositoryRoot: String?
    /// The root pyproject.toml once read and parsed (detection, the version rules, the notes and the fragments
    /// all ask for it); copies of the snapshot share it.
    let parsedPyproject = ParsedOnce<TOMLFile?>()

    /// Fails when both `binder/` and `.binder/` exist, as repo2docker does, and when a binder directory or an
    /// environment file is a symbolic link loop or a link out of the repository (its content would come from
    /// the host).
    public init(root: String, repositoryRoot: String? = nil) throws {
        let boundary = repositoryRoot ?? root
        let resolved = Self.resolved(boundary)
        func checkInside(_ name: String) throws { try Self.checkInside(name, root: root, resolvedRoot: resolved) }
        self.root = root
        self.repositoryRoot = boundary
        resolvedRepositoryRoot = resolved
        for name in [".binder", "binder"] { try checkInside(name) }
        let dotBinder = Self.isDirectory(root + "/.binder")
        let binder = Self.isDirectory(root + "/binder")
        if dotBinder && binder { throw BuildpackError.bothBinderDirectories(root: root) }
        binderDirectory = dotBinder ? ".binder" : (binder ? "binder" : "")
        for name in Self.environmentFiles {
            try checkInside(name)
            if !binderDirectory.isEmpty { try checkInside(binderDirectory + "/" + name) }
        }
    }

    /// The files detection and rendering read (root or binder directory).
    static let environmentFiles = [
        "runtime.txt", "apt.txt", "environment.yml", "environment.yaml", "requirements.txt", "requirements3.txt",
        "Pipfile", "Pipfile.lock", "pyproject.toml", "setup.py", "Project.toml", "JuliaProject.toml", "REQUIRE",
        "Manifest.toml", "JuliaManifest.toml", "default.nix", "DESCRIPTION", "install.R", "postBuild", "start",
        "Dockerfile", ".dockerignore", ".containerignore", "uv.lock", "pylock.toml", ".python-version", "pixi.toml",
        "pixi.lock",
    ]

    /// Throws when `relativePath` (or a directory on its way) is a symbolic link that loops or resolves outside
    /// the repository; a dangling link stays a missing file.
    func checkInside(_ relativePath: String) throws {
        try Self.checkInside(relativePath, root: root, resolvedRoot: resolvedRepositoryRoot)
    }

    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    static func checkInside(_ relativePath: String, root: String, resolvedRoot: String?) throws {
        let path = root + "/" + relativePath
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard let resolved = realpath(path, nil) else {
            if errno == ELOOP { throw BuildpackError.symlinkLoop(file: relativePath) }
            return
        }
        defer { free(resolved) }
        guard let base = resolvedRoot else { return }
        let target = String(cString: resolved)
        if target != base && !target.hasPrefix(base == "/" ? "/" : base + "/") {
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? target
            throw BuildpackError.symlinkOutside(file: relativePath, target: link)
        }
    }

    /// `<binder dir>/name`, or `name` when there is no binder dir (relative to `root`).
    public func binderPath(_ name: String) -> String {
        binderDirectory.isEmpty ? name : binderDirectory + "/" + name
    }

    /// Whether something that is not a directory exists at a path relative to `root` (following links);
    /// `readText` then says whether it is a readable regular file.
    public func fileExists(_ relativePath: String) -> Bool {
        var info = stat()
        return stat(absolutePath(relativePath), &info) == 0 && info.st_mode & S_IFMT != S_IFDIR
    }

    /// Whether `binderPath(name)` exists as a file.
    public func binderFileExists(_ name: String) -> Bool { fileExists(binderPath(name)) }

    /// The text of a file relative to `root`, or nil when it does not exist. UTF-8, then UTF-16 (with BOM), then
    /// Latin-1. The file must resolve inside the repository, be a regular file (a FIFO would block the run, a
    /// device would be read from the host) and be within its kind's size limit.
    public func readText(_ relativePath: String) throws -> String? {
        guard let bytes = try readBytes(relativePath) else { return nil }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]), let text = String(data: Data(bytes), encoding: .utf16) {
            return text
        }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of a file relative to `root` (nil when it does not exist), under the rules of `readText`.
    public func readBytes(_ relativePath: String) throws -> [UInt8]? {
        guard fileExists(relativePath) else { return nil }
        try checkInside(relativePath)
        return try readBounded(relativePath, limit: FileSizeLimit.bytes(for: relativePath))
    }

    /// At most `limit` bytes of a regular file, opened without blocking (a FIFO would wait for a writer).
    func readBounded(_ relativePath: String, limit: Int) throws -> [UInt8] {
        let fd = open(absolutePath(relativePath), O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw BuildpackError.unreadable(file: relativePath, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BuildpackError.unreadable(file: relativePath, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw BuildpackError.notARegularFile(file: relativePath, kind: Self.kindName(info.st_mode))
        }
        guard Int(info.st_size) <= limit else {
            throw BuildpackError.fileTooLarge(file: relativePath, size: Int(info.st_size), limit: limit)
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw BuildpackError.unreadable(file: relativePath, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            filled += count
        }
        // A file that grew while it was read is held to the same limit.
        guard filled <= limit else { throw BuildpackError.fileTooLarge(file: relativePath, size: filled, limit: limit) }
        return Array(bytes[..<filled])
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "named pipe (FIFO)"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFSOCK: return "socket"
        case S_IFDIR: return "directory"
        default: return "special file"
        }
    }

    public func absolutePath(_ relativePath: String) -> String { root + "/" + relativePath }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}

/// A value computed at most once, on first use, and shared by every copy of what holds it. A failure is kept
/// too, so that each caller sees the same error the first one did.
final class ParsedOnce<Value: Sendable>: Sendable {
    private let state = Mutex<Result<Value, any Error>?>(nil)

    func value(_ compute: () throws -> Value) throws -> Value {
        try state.withLock { cached -> Result<Value, any Error> in
            if let cached { return cached }
            let result = Result { try compute() }
            cached = result
            return result
        }.get()
    }
}

/// How much of each kind of repository file swift-r2d reads (Docs/limits.md). Environment, requirement and
/// configuration files are written by hand and stay small; lock files are generated and can be large.
public enum FileSizeLimit {
    public static let environmentFile = 1 << 20
    public static let lockFile = 64 << 20

    /// Lock files by name (`Pipfile.lock`, `Manifest.toml`, `uv.lock`, `pixi.lock`, `pylock*.toml`, …).
    public static func isLockFile(_ name: String) -> Bool {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        if base.hasSuffix(".lock") || base == "Manifest.toml" || base == "JuliaManifest.toml" { return true }
        return base.hasPrefix("pylock.") && base.hasSuffix(".toml")
    }

    public static func bytes(for path: String) -> Int { isLockFile(path) ? lockFile : environmentFile }
}
