import R2DBuildContext
import Testing

@testable import R2DBuildKitSession

/// The DiffCopy metadata the daemon's Dockerfile frontend sends: followpaths for the Dockerfile, the
/// .dockerignore's patterns as excludes.
@Suite struct FileSyncFilterTests {
    static let entries: [ContextEntry] = ["Dockerfile", "a", "a/b.txt", "a/c", "a/c/d.txt", "e.txt", "z"].map { path in
        let isDirectory = path == "a" || path == "a/c" || path == "z"
        return ContextEntry(
            path: path, kind: isDirectory ? .directory : .file, mode: 0o644, uid: 1000, gid: 1000, mtime: 0, size: 0)
    }

    static func selected(_ metadata: [String: [String]]) -> [String] {
        FileSyncFilter(metadata: metadata).select(entries).map { entries[$0].path }
    }

    @Test(
        arguments: [
            ([:], ["Dockerfile", "a", "a/b.txt", "a/c", "a/c/d.txt", "e.txt", "z"]),
            (["followpaths": ["Dockerfile", "Dockerfile.dockerignore"]], ["Dockerfile"]),
            (["followpaths": ["a/c/d.txt"]], ["a", "a/c", "a/c/d.txt"]),
            (["followpaths": ["a/c"]], ["a", "a/c", "a/c/d.txt"]),
            (["exclude-patterns": ["a", "!a/c/d.txt"]], ["Dockerfile", "a", "a/c", "a/c/d.txt", "e.txt", "z"]),
            (["exclude-patterns": ["*.txt", "Dockerfile"]], ["a", "a/b.txt", "a/c", "a/c/d.txt", "z"]),
            (["include-patterns": ["a/b.txt"]], ["a", "a/b.txt"]),
            (["followpaths": ["%C3%A9.txt"], "followpaths-encoded": ["true"]], []),
        ] as [([String: [String]], [String])])
    func selects(_ metadata: [String: [String]], _ expected: [String]) {
        #expect(Self.selected(metadata) == expected)
    }

    /// The calls Docker 26's frontend makes, as recorded: only its own read of the ignore file is not the build's.
    @Test(
        arguments: [
            ([:], false),
            (["followpaths": [".dockerignore"]], true),
            (["followpaths": ["Dockerfile.dockerignore", ".dockerignore"]], true),
            (["followpaths": ["data.bin"]], false),
            (["followpaths": [".dockerignore", "src"]], false),
            (["exclude-patterns": ["*.txt"]], false),
        ] as [([String: [String]], Bool)])
    func ignoreFileReads(_ metadata: [String: [String]], _ expected: Bool) {
        #expect(FileSyncFilter(metadata: metadata).readsOnlyIgnoreFiles == expected)
    }

    @Test func encodedValuesArePercentDecoded() {
        #expect(FileSyncFilter.values(["k": ["%C3%A9 x"], "k-encoded": ["true"]], "k") == ["é x"])
        #expect(FileSyncFilter.values(["k": ["%41"]], "k") == ["%41"])
    }
}
