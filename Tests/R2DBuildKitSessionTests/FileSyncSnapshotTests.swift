import Foundation
import R2DArchiveTestSupport
import R2DBuildContext
import Testing

@testable import R2DBuildKitSession

/// What file sync serves is the tar, entry for entry: path, type, mode, owner, time, link target and bytes.
@Suite struct FileSyncSnapshotTests {
    /// A repository with ignore rules (an exception under an excluded directory, a kept Dockerfile), an executable,
    /// a symlink and a large file, packed for a generated Dockerfile under `src/`.
    static func fixture() throws -> (tree: ScratchDirectory, spec: BuildContextSpec) {
        let tree = try ScratchDirectory()
        try tree.write("README.md", "hello\n")
        try tree.write("run.sh", "#!/bin/sh\necho hi\n", mode: 0o750)
        try tree.write("data/big.bin", bytes: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try tree.write("build/out.o", "object\n")
        try tree.write("build/keep/me.txt", "kept by an exception\n")
        try tree.write("secret.env", "TOKEN=x\n")
        try tree.write(".dockerignore", "build\n!build/keep\nsecret.env\n")
        try FileManager.default.createSymbolicLink(atPath: tree.path("link"), withDestinationPath: "README.md")
        let spec = BuildContextSpec(
            root: tree.root, prefix: "src/", ignore: IgnoreRules(patterns: ["build", "!build/keep", "secret.env"]),
            keepAlways: ["Dockerfile"],
            generatedFiles: [
                ContextFile(path: "Dockerfile", contents: Array("FROM scratch\n".utf8)),
                ContextFile(path: "repo2docker-entrypoint", contents: Array("#!/bin/sh\n".utf8), mode: 0o755),
            ], uid: 1000, mtime: 1_700_000_000, emptyRootDirectory: true)
        return (tree, spec)
    }

    @Test func servedStatsAndBytesEqualTheTarEntries() async throws {
        let (tree, spec) = try Self.fixture()
        defer { _ = tree }
        var tar: [UInt8] = []
        for try await chunk in BuildContext.stream(spec) { tar += chunk }
        let tarEntries = try TarReader.entries(in: tar)
        let snapshot = try BuildContext.snapshot(spec)

        #expect(snapshot.entries.map(\.path) == tarEntries.map { $0.kind == .directory ? String($0.name.dropLast()) : $0.name })
        #expect(!snapshot.entries.contains { $0.path.hasPrefix("src/build/out") || $0.path == "src/secret.env" })
        #expect(snapshot.entries.contains { $0.path == "src/build/keep/me.txt" })
        for (index, (entry, tarEntry)) in zip(snapshot.entries, tarEntries).enumerated() {
            let stat = FileSyncService.stat(entry)
            #expect(stat.path + (tarEntry.kind == .directory ? "/" : "") == tarEntry.name)
            #expect(stat.mode & 0o7777 == tarEntry.mode, "\(tarEntry.name)")
            #expect(Int(stat.uid) == tarEntry.uid && Int(stat.gid) == tarEntry.gid)
            #expect(stat.modTime == tarEntry.mtime * 1_000_000_000)
            switch tarEntry.kind {
            case .directory:
                #expect(stat.mode & FileSyncService.goModeDirectory != 0)
            case .symlink:
                #expect(stat.mode & FileSyncService.goModeSymlink != 0)
                #expect(stat.linkname == tarEntry.linkname)
            case .file:
                #expect(stat.mode & (FileSyncService.goModeDirectory | FileSyncService.goModeSymlink) == 0)
                #expect(stat.size == tarEntry.size)
                let reader = try snapshot.openContents(of: index)
                var bytes: [UInt8] = []
                while let chunk = try reader.next(maxBytes: 32 * 1024) { bytes += chunk }
                #expect(bytes == tarEntry.contents, "\(tarEntry.name)")
            default:
                Issue.record("unexpected tar entry \(tarEntry.name)")
            }
        }
    }

    @Test func aFileThatChangedSizeSinceTheWalkFailsItsRead() throws {
        let (tree, spec) = try Self.fixture()
        let snapshot = try BuildContext.snapshot(spec)
        let index = try #require(snapshot.entries.firstIndex { $0.path == "src/README.md" })
        try tree.write("README.md", "hello, and more\n")
        #expect(throws: BuildContextError.self) {
            let reader = try snapshot.openContents(of: index)
            while try reader.next(maxBytes: 4) != nil {}
        }
    }

    @Test func directoriesComeBeforeTheirContentsInFsutilOrder() throws {
        let (tree, spec) = try Self.fixture()
        defer { _ = tree }
        let paths = try BuildContext.snapshot(spec).entries.map(\.path)
        var seen = Set<String>()
        for path in paths {
            if let slash = path.lastIndex(of: "/") { #expect(seen.contains(String(path[..<slash])), "\(path)") }
            seen.insert(path)
        }
    }
}

/// A scratch directory removed when the value goes away.
final class ScratchDirectory: @unchecked Sendable {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/r2d-session-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        try write(relative, bytes: Array(text.utf8), mode: mode)
    }

    func write(_ relative: String, bytes: [UInt8], mode: Int = 0o644) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
    }
}
