import Foundation
import R2DArchive
import R2DBuildContext
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("BuildContext tree and tar")
struct BuildContextTests {
    /// A small repository: nested dirs, an executable, a hidden file, names that sort by bytes.
    private func makeRepository(_ tree: TemporaryTree, fileMode: UInt32, executableMode: UInt32, directoryMode: UInt32, mtime: Int) throws {
        try tree.file("README.md", "# hello\n", mode: fileMode)
        try tree.file("B.txt", "upper\n", mode: fileMode)
        try tree.file("a.txt", "a\n", mode: fileMode)
        try tree.file("a/b.txt", "nested\n", mode: fileMode)
        try tree.file("a/z/deep.txt", "deeper\n", mode: fileMode)
        try tree.file("postBuild", "#!/bin/sh\necho hi\n", mode: executableMode)
        try tree.file(".hidden", "dot\n", mode: fileMode)
        try tree.file("é.txt", "accent\n", mode: fileMode)
        for directory in ["a", "a/z"] {
            try #require(chmod(tree.path(directory), mode_t(directoryMode)) == 0)
        }
        for entry in ["README.md", "B.txt", "a.txt", "a/b.txt", "a/z/deep.txt", "postBuild", ".hidden", "é.txt", "a/z", "a"] {
            try tree.touch(entry, seconds: mtime)
        }
    }

    private static let expectedOrder = [
        ".hidden", "B.txt", "README.md", "a/", "a/b.txt", "a/z/", "a/z/deep.txt", "a.txt", "postBuild", "é.txt",
    ]

    @Test("the same tree packs to identical bytes regardless of on-disk mtimes and modes")
    func determinism() async throws {
        let first = try TemporaryTree("det1")
        try makeRepository(first, fileMode: 0o644, executableMode: 0o755, directoryMode: 0o755, mtime: 1_000_000)
        let second = try TemporaryTree("det2")
        try makeRepository(second, fileMode: 0o600, executableMode: 0o700, directoryMode: 0o700, mtime: 1_700_000_000)

        let spec1 = BuildContextSpec(root: first.root, uid: 1000, mtime: 1_234_567_890)
        var spec2 = spec1
        spec2.root = second.root

        let (bytes1, entries) = try await packAndRead(spec1)
        let bytes1Again = try await collect(BuildContext.stream(spec1))
        let bytes2 = try await collect(BuildContext.stream(spec2))
        #expect(bytes1 == bytes1Again)
        #expect(bytes1 == bytes2)

        #expect(entries.map(\.name) == Self.expectedOrder)
        #expect(try BuildContext.entries(spec1) == Self.expectedOrder)
        for entry in entries {
            #expect(entry.uid == 1000 && entry.gid == 1000, "\(entry.name)")
            #expect(entry.uname.isEmpty && entry.gname.isEmpty, "\(entry.name)")
            #expect(entry.mtime == 1_234_567_890, "\(entry.name)")
            #expect(!entry.hasAtimeOrCtime, "\(entry.name)")
            let expectedMode: UInt32 = entry.kind == .directory || entry.name == "postBuild" ? 0o755 : 0o644
            #expect(entry.mode == expectedMode, "\(entry.name)")
        }
        #expect(entries.first { $0.name == "a/z/deep.txt" }?.contents == Array("deeper\n".utf8))

        let digest = try BuildContext.digest(spec1)
        #expect(digest.bytes == Int64(bytes1.count))
        var other = spec1
        other.uid = 1001
        #expect(try BuildContext.digest(other).sha256 != digest.sha256)
    }

    @Test("symlinks are stored verbatim and their targets are never read")
    func symlinkEscape() async throws {
        let outside = try TemporaryTree("outside")
        let secret = "SECRET-\(UUID().uuidString)"
        try outside.file("secret.txt", secret)
        let tree = try TemporaryTree("links")
        try tree.file("inside.txt", "fine\n")
        try tree.symlink("passwd", to: "/etc/passwd")
        let relativeOutside = "../" + (outside.root as NSString).lastPathComponent + "/secret.txt"
        try tree.symlink("escape", to: relativeOutside)
        try tree.symlink("outside-dir", to: outside.root)
        try tree.symlink("dangling", to: "does/not/exist")
        try tree.symlink("sub/up", to: "../inside.txt")

        let (bytes, entries) = try await packAndRead(BuildContextSpec(root: tree.root))
        let links = Dictionary(uniqueKeysWithValues: entries.filter { $0.kind == .symlink }.map { ($0.name, $0.linkname) })
        #expect(
            links == [
                "passwd": "/etc/passwd", "escape": relativeOutside, "outside-dir": outside.root,
                "dangling": "does/not/exist", "sub/up": "../inside.txt",
            ])
        #expect(entries.filter { $0.kind == .symlink }.allSatisfy { $0.mode == 0o777 && $0.size == 0 })
        #expect(!bytes.contains(subsequence: Array(secret.utf8)))
        #expect(!bytes.contains(subsequence: Array("root:x:0:0".utf8)))
        #expect(bytes.contains(subsequence: Array("fine\n".utf8)))
    }

    @Test("the .git directory is packed without volatile files and with the canonical index")
    func gitPolicy() async throws {
        let tree = try TemporaryTree("git")
        try tree.file("code.py", "print(1)\n")
        try tree.file(".git/HEAD", "ref: refs/heads/main\n")
        try tree.file(".git/config", "[core]\n")
        try tree.file(".git/index", "DISK-INDEX-WITH-STAT-DATA")
        try tree.file(".git/logs/HEAD", "log line\n")
        try tree.file(".git/logs/refs/heads/main", "log line\n")
        try tree.file(".git/FETCH_HEAD", "fetched\n")
        try tree.file(".git/ORIG_HEAD", "orig\n")
        try tree.file(".git/gk-scratch", "tool\n")
        try tree.file(".git/refs/heads/main", "0123\n")
        try tree.file(".git/refs/heads/main.lock", "0123\n")
        try tree.file(".git/refs/heads/logs", "4567\n")  // a branch named "logs" is real metadata
        try tree.file(".git/objects/ab/cdef", "object\n")
        try tree.file("vendor/lib/.git/logs/HEAD", "nested log\n")
        try tree.file("vendor/lib/.git/HEAD", "ref: refs/heads/x\n")

        let canonical = Array("CANONICAL-INDEX".utf8)
        let spec = BuildContextSpec(root: tree.root, replacements: [".git/index": canonical])
        let (bytes, entries) = try await packAndRead(spec)
        #expect(
            entries.map(\.name) == [
                ".git/", ".git/HEAD", ".git/config", ".git/index", ".git/objects/", ".git/objects/ab/",
                ".git/objects/ab/cdef", ".git/refs/", ".git/refs/heads/", ".git/refs/heads/logs", ".git/refs/heads/main",
                "code.py", "vendor/", "vendor/lib/", "vendor/lib/.git/", "vendor/lib/.git/HEAD",
            ])
        #expect(entries.first { $0.name == ".git/index" }?.contents == canonical)
        #expect(!bytes.contains(subsequence: Array("DISK-INDEX".utf8)))
    }

    /// A large replacement (a canonical `.git/index`) stays on disk: the tar, the digest and the file-sync
    /// snapshot all read the stand-in file, keep the checkout file's mode, and never see the disk bytes.
    @Test("a replacement file stands in for the checkout's file in the tar, the digest and the snapshot")
    func replacementFile() async throws {
        let tree = try TemporaryTree("replacement-file")
        try tree.file(".git/HEAD", "ref: refs/heads/main\n")
        try tree.file(".git/index", "DISK-INDEX-WITH-STAT-DATA")
        let elsewhere = try TemporaryTree("stand-in")
        let standIn = try elsewhere.file("index-0", "CANONICAL-INDEX-FROM-A-FILE")
        let fromFile = BuildContextSpec(root: tree.root, replacementFiles: [".git/index": standIn])
        let (bytes, entries) = try await packAndRead(fromFile)
        #expect(entries.first { $0.name == ".git/index" }?.contents == Array("CANONICAL-INDEX-FROM-A-FILE".utf8))
        #expect(!bytes.contains(subsequence: Array("DISK-INDEX".utf8)))
        let inMemory = BuildContextSpec(root: tree.root, replacements: [".git/index": Array("CANONICAL-INDEX-FROM-A-FILE".utf8)])
        #expect(try BuildContext.digest(fromFile).sha256 == BuildContext.digest(inMemory).sha256)

        let snapshot = try BuildContext.snapshot(fromFile)
        let index = try #require(snapshot.entries.firstIndex { $0.path == ".git/index" })
        let reader = try snapshot.openContents(of: index)
        var read: [UInt8] = []
        while let chunk = try reader.next(maxBytes: 5) { read += chunk }
        #expect(read == Array("CANONICAL-INDEX-FROM-A-FILE".utf8))
    }

    @Test("generated files and replacements land where expected around the src/ prefix")
    func generatedFilesAndReplacements() async throws {
        let tree = try TemporaryTree("generated")
        try tree.file("a.txt", "a\n")
        try tree.file("data/config.json", "{\"on\": \"disk\"}")
        let spec = BuildContextSpec(
            root: tree.root, prefix: "src/",
            generatedFiles: [
                ContextFile(path: "repo2docker-entrypoint", contents: Array("#!/bin/sh\n".utf8), mode: 0o755),
                ContextFile(path: "Dockerfile", contents: Array("FROM scratch\n".utf8)),
                ContextFile(path: "build_script_files/install.bash", contents: Array("echo\n".utf8), mode: 0o700),
                ContextFile(path: "python3-login", contents: Array("#!/bin/bash\n".utf8), mode: 0o755),
            ],
            replacements: ["data/config.json": Array("{\"on\": \"replacement\"}".utf8)],
            uid: 1000, mtime: 7)
        let (_, entries) = try await packAndRead(spec)
        #expect(
            entries.map(\.name) == [
                "Dockerfile", "build_script_files/", "build_script_files/install.bash", "python3-login",
                "repo2docker-entrypoint", "src/", "src/a.txt", "src/data/", "src/data/config.json",
            ])
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        #expect(byName["Dockerfile"]?.contents == Array("FROM scratch\n".utf8))
        #expect(byName["Dockerfile"]?.mode == 0o644)
        #expect(byName["build_script_files/install.bash"]?.mode == 0o755)
        #expect(byName["repo2docker-entrypoint"]?.mode == 0o755)
        #expect(byName["src/data/config.json"]?.contents == Array("{\"on\": \"replacement\"}".utf8))
        #expect(entries.allSatisfy { $0.uid == 1000 && $0.mtime == 7 })
    }

    @Test("keepAlways beats the ignore rules")
    func keepAlways() throws {
        let tree = try TemporaryTree("keep")
        try tree.file("Dockerfile", "FROM x\n")
        try tree.file(".dockerignore", "Dockerfile\nbinder\n.dockerignore\n*.log\n")
        try tree.file("binder/Dockerfile", "FROM y\n")
        try tree.file("binder/postBuild", "echo\n")
        try tree.file("debug.log", "noise\n")
        try tree.file("other.txt", "kept\n")
        let spec = BuildContextSpec(
            root: tree.root,
            ignore: IgnoreRules(patterns: IgnoreRules.parse("Dockerfile\nbinder\n.dockerignore\n*.log\n")),
            keepAlways: ["Dockerfile", "binder/Dockerfile", ".dockerignore"])
        #expect(try BuildContext.entries(spec) == [".dockerignore", "Dockerfile", "binder/", "binder/Dockerfile", "other.txt"])
    }

    @Test("exceptions re-include files inside excluded directories")
    func exceptionsInsideExcludedDirectory() throws {
        let tree = try TemporaryTree("exceptions")
        try tree.file("docs/keep.md", "keep\n")
        try tree.file("docs/other.md", "drop\n")
        try tree.file("docs/deep/keep.md", "keep too\n")
        try tree.file("build/out.o", "binary\n")
        try tree.file("main.py", "print()\n")
        let prefixOnly = BuildContextSpec(root: tree.root, ignore: IgnoreRules(patterns: ["docs", "build", "!docs/keep.md"]))
        #expect(try BuildContext.entries(prefixOnly) == ["docs/", "docs/keep.md", "main.py"])
        let wildcard = BuildContextSpec(root: tree.root, ignore: IgnoreRules(patterns: ["*", "!**/keep.md"]))
        #expect(try BuildContext.entries(wildcard) == ["docs/", "docs/deep/", "docs/deep/keep.md", "docs/keep.md"])
    }

    @Test("an empty src/ entry is added only when asked")
    func emptyRootDirectory() throws {
        let tree = try TemporaryTree("empty")
        try tree.file("only.txt", "x\n")
        var spec = BuildContextSpec(
            root: tree.root, prefix: "src/", ignore: IgnoreRules(patterns: ["*"]),
            generatedFiles: [ContextFile(path: "Dockerfile", contents: Array("FROM x\n".utf8))], emptyRootDirectory: true)
        #expect(try BuildContext.entries(spec) == ["Dockerfile", "src/"])
        spec.emptyRootDirectory = false
        #expect(try BuildContext.entries(spec) == ["Dockerfile"])
    }

    @Test("fifos are skipped and hard links are stored as regular files")
    func specialFiles() async throws {
        let tree = try TemporaryTree("special")
        try tree.file("a.txt", "same\n")
        try #require(link(tree.path("a.txt"), tree.path("b.txt")) == 0)
        try #require(mkfifo(tree.path("pipe"), 0o644) == 0)
        let (_, entries) = try await packAndRead(BuildContextSpec(root: tree.root))
        #expect(entries.map(\.name) == ["a.txt", "b.txt"])
        #expect(entries.allSatisfy { $0.kind == .file && $0.contents == Array("same\n".utf8) })
    }

    @Test("long paths and non-ASCII names survive the round trip")
    func longAndUnicodeNames() async throws {
        let tree = try TemporaryTree("names")
        let longDirectory = String(repeating: "very-long-directory-name/", count: 6)
        let longPath = longDirectory + "file-\(String(repeating: "x", count: 120)).txt"
        try tree.file(longPath, "long\n")
        try tree.file("日本語/données é.txt", "unicode\n")
        let (_, entries) = try await packAndRead(BuildContextSpec(root: tree.root, prefix: "src/"))
        let files = entries.filter { $0.kind == .file }
        #expect(files.map(\.name) == ["src/" + longPath, "src/日本語/données é.txt"])
        #expect(files.map(\.contents) == [Array("long\n".utf8), Array("unicode\n".utf8)])
    }

    @Test("a generated file colliding with a repository file is an error")
    func collision() throws {
        let tree = try TemporaryTree("collision")
        try tree.file("Dockerfile", "FROM x\n")
        let spec = BuildContextSpec(root: tree.root, generatedFiles: [ContextFile(path: "Dockerfile", contents: [])])
        #expect(throws: BuildContextError.self) { try BuildContext.digest(spec) }
    }

    @Test("a missing root is a clear error naming it")
    func missingRoot() {
        let spec = BuildContextSpec(root: "/nonexistent/r2d-\(UUID().uuidString)")
        let error = #expect(throws: BuildContextError.self) { try BuildContext.digest(spec) }
        #expect(error?.description.contains(spec.root) == true)
    }

    @Test(
        "error messages are one line naming the path",
        arguments: [
            BuildContextError.unreadable(path: "/repo/secret.key", reason: "Permission denied"),
            BuildContextError.vanished(path: "/repo/tmp.txt"),
            BuildContextError.changedWhileReading(path: "/repo/growing.log"),
            BuildContextError.nonUTF8Name(path: "/repo/bad"),
            BuildContextError.duplicateEntry(path: "Dockerfile"),
        ])
    func messages(_ error: BuildContextError) {
        #expect(!error.description.contains("\n"))
        #expect(error.description.contains("/repo/") || error.description.contains("Dockerfile"))
    }
}
