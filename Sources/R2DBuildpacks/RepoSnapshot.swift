import Foundation

/// A read-only view of the directory being analysed (the checkout, or checkout/<subdir>),
/// with repo2docker's binder-directory lookup rules.
public struct RepoSnapshot: Sendable {
    /// Absolute path of the repo dir on disk.
    public let root: String
    /// "", "binder" or ".binder".
    public let binderDirectory: String

    /// Fails when both `binder/` and `.binder/` exist, as repo2docker does.
    public init(root: String) throws {
        self.root = root
        let dotBinder = Self.isDirectory(root + "/.binder")
        let binder = Self.isDirectory(root + "/binder")
        if dotBinder && binder { throw BuildpackError.bothBinderDirectories(root: root) }
        binderDirectory = dotBinder ? ".binder" : (binder ? "binder" : "")
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
