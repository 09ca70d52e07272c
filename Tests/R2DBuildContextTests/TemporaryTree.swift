import Foundation
import R2DArchive
import R2DArchiveTestSupport
import R2DBuildContext

#if canImport(Glibc)
    import Glibc
#endif

/// A scratch directory tree removed when the value goes away.
final class TemporaryTree {
    let root: String

    init(_ label: String = "tree") throws {
        let base = FileManager.default.temporaryDirectory.path
        root = base + "/r2d-ctx-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Writes a file (creating parents) with the given mode.
    @discardableResult
    func file(_ relative: String, _ contents: String, mode: UInt32 = 0o644) throws -> String {
        try file(relative, bytes: Array(contents.utf8), mode: mode)
    }

    @discardableResult
    func file(_ relative: String, bytes: [UInt8], mode: UInt32 = 0o644) throws -> String {
        let full = path(relative)
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else {
            throw TestFailure("could not create \(full)")
        }
        guard chmod(full, mode_t(mode)) == 0 else { throw TestFailure("chmod failed on \(full)") }
        return full
    }

    func directory(_ relative: String, mode: UInt32 = 0o755) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        guard chmod(full, mode_t(mode)) == 0 else { throw TestFailure("chmod failed on \(full)") }
    }

    func symlink(_ relative: String, to target: String) throws {
        let full = path(relative)
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        guard Glibc.symlink(target, full) == 0 else { throw TestFailure("symlink failed at \(full)") }
    }

    /// Sets access and modification time of an entry (without following symlinks).
    func touch(_ relative: String, seconds: Int) throws {
        var times = [
            timespec(tv_sec: seconds, tv_nsec: 0),
            timespec(tv_sec: seconds, tv_nsec: 0),
        ]
        guard utimensat(AT_FDCWD, path(relative), &times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw TestFailure("utimensat failed on \(relative)")
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects the whole stream into memory.
func collect(_ stream: BuildContextStream) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    for try await chunk in stream {
        bytes += chunk
    }
    return bytes
}

/// Packs the spec through the streaming path and reads the tar back.
func packAndRead(_ spec: BuildContextSpec) async throws -> (bytes: [UInt8], entries: [TarEntry]) {
    let bytes = try await collect(BuildContext.stream(spec))
    return (bytes, try TarReader.entries(in: bytes))
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in the bytes.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        while index <= count - needle.count {
            if self[index] == first && self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
