import R2DBasics
import Foundation
@testable import R2DBuildpacks
import R2DTestSupport
import Testing

@Suite("Value rules and the quoting function")
struct ValueRulesTests {
    static let accepted: [(ValueRule, String)] = [
        (.imageReference, "debian:bookworm"), (.imageReference, "localhost:5000/team/base:1.2"),
        (.imageReference, "quay.io/org/img@sha256:" + String(repeating: "a", count: 64)),
        (.url, "https://pypi.org/simple"), (.url, "http://mirror.example.org:8080/a;b&c=(d)*?[e]!{f}~#x"),
        (.url, "https://anaconda.org/conda-forge/micromamba/2.8.1/download/{platform}/m.tar.bz2"),
        (.condaChannel, "conda-forge"), (.condaChannel, "conda-forge/label/dev"), (.condaChannel, "https://conda.example.org/c"),
        (.userName, "jovyan"), (.userName, "first.last"), (.userName, "_svc-user2"),
        (.containerPath, "/home/jovyan"), (.containerPath, "/srv/repo-1.0+x@y/"),
        (.platform, "linux/amd64"), (.platform, "linux/arm64/v8"),
        (.aptPackage, "g++"), (.aptPackage, "libc6:amd64"), (.aptPackage, "nano=1:7.2-1"), (.aptPackage, "git/bookworm-backports"),
        (.buildArgumentName, "HTTP_PROXY"), (.buildArgumentName, "_x1"),
        (.labelKey, "org.opencontainers.image.title"), (.labelKey, "a/b-c_d"),
        (.gitRef, "main"), (.gitRef, "v1.0"), (.gitRef, "HEAD~1"), (.gitRef, "refs/pull/12/head"),
        (.userID, "1"), (.userID, "4294967294"), (.singleLineText, "any text, with $ and 'quotes'"),
    ]

    static let refused: [(ValueRule, String)] = [
        (.imageReference, "None"), (.imageReference, "True"), (.imageReference, "debian\nRUN id"), (.imageReference, "a b"),
        (.imageReference, ""), (.imageReference, "-x"),
        (.url, "https://x/$(id)"), (.url, "https://x/`id`"), (.url, "https://x/a b"), (.url, "https://x\nRUN id"),
        (.url, "ftp://x/y"), (.url, "https://user:pw@x/y"), (.url, "https:///path"), (.url, "https://x/'q'"), (.url, "https://x/\"q\""),
        (.url, "https://exämple.org/"), (.url, "https://x/\\y"),
        (.condaChannel, "conda-forge' && id '"), (.condaChannel, "-c"), (.condaChannel, ""),
        (.userName, "jo vyan"), (.userName, "x;id"), (.userName, "j*"), (.userName, "Root"), (.userName, "1abc"),
        (.userName, String(repeating: "a", count: 33)), (.userName, "$(id)"), (.userName, ""),
        (.containerPath, "srv"), (.containerPath, "/home/a b"), (.containerPath, "/srv/../etc"), (.containerPath, "/srv/*"),
        (.containerPath, "/srv;id"), (.containerPath, "/srv/$HOME"), (.containerPath, ""),
        (.platform, "linux"), (.platform, "linux/amd64\nRUN"), (.platform, "linux/$(id)"),
        (.aptPackage, "-o"), (.aptPackage, "curl;x"), (.aptPackage, "x"), (.aptPackage, "Curl"), (.aptPackage, "curl="),
        (.buildArgumentName, "A B"), (.buildArgumentName, "1A"), (.buildArgumentName, ""),
        (.labelKey, "a b"), (.labelKey, ".x"), (.labelKey, ""),
        (.gitRef, "-h"), (.gitRef, "main\nforged"), (.gitRef, "a b"), (.gitRef, ""),
        (.userID, "0"), (.userID, "-5"), (.userID, "4294967295"), (.userID, "x"),
        (.singleLineText, "a\nb"), (.singleLineText, "a\u{2028}b"), (.singleLineText, "a\u{0}b"),
    ]

    @Test("accepted values", arguments: accepted)
    func accepts(rule: ValueRule, value: String) throws {
        #expect(rule.accepts(value))
        try rule.check(value)
    }

    @Test("refused values", arguments: refused)
    func refuses(rule: ValueRule, value: String) {
        #expect(!rule.accepts(value))
        #expect(throws: ValueRuleViolation(rule: rule, value: value)) { try rule.check(value) }
    }

    @Test("a refusal is one line with a short copy of the value and the rule")
    func violationMessage() {
        let violation = ValueRuleViolation(rule: .url, value: "https://x/\n" + String(repeating: "y", count: 500))
        let text = violation.description
        #expect(!text.contains("\n"))
        #expect(text.count < 300)
        #expect(text.hasPrefix("\"https://x/\\n"))
        #expect(text.hasSuffix(ValueRule.url.grammar))
    }

    static let words: [String] = [
        "plain", "https://pypi.org/simple", "", "it's", "$(touch /pwned)", "`id`", "a b", "*", "x;y&&z|w", "\\n",
        "'", "''", "\"", "ünïcödé", "$HOME ${HOME}", "a!b", "#not a comment",
    ]

    @Test("sh reads every quoted word back exactly", arguments: words)
    func wordRoundTrip(value: String) throws {
        let word = try DockerfileText.word(value)
        #expect(!word.contains("\n"))
        let result = try runProgram("/bin/sh", ["-c", "printf '%s' " + word])
        #expect(result.status == 0)
        #expect(result.stdout == value)
    }

    @Test("line breaks and control characters cannot be quoted", arguments: ["a\nRUN id", "a\rb", "\u{0}", "a\u{2029}b", "\u{7F}"])
    func wordRefusesControls(value: String) {
        #expect(throws: ValueRuleViolation.self) { try DockerfileText.word(value) }
    }

    @Test("RenderOptions.validate names the setting")
    func renderOptionsValidate() {
        var options = RenderOptions(baseImage: "debian:bookworm")
        options.downloads.juliaPackageServer = "https://pkg.example.org\nRUN id"
        #expect(
            throws: BuildpackError.invalidSetting(
                name: "julia_pkg_server",
                violation: ValueRuleViolation(rule: .url, value: "https://pkg.example.org\nRUN id"))
        ) {
            try options.validate()
        }
        #expect(throws: BuildpackError.self) { try RenderOptions(baseImage: "None").validate() }
        #expect(throws: BuildpackError.self) { try RenderOptions(baseImage: "debian", userID: -5).validate() }
        #expect(throws: Never.self) { try RenderOptions(baseImage: "debian").validate() }
    }
}

@Suite("Repository files are read inside the repository, as regular files, within their limits")
struct RepoSnapshotBoundaryTests {
    @Test("a link to a sibling directory of the repository is followed")
    func siblingLinkInsideRepository() throws {
        let repo = try ScratchRepo([:])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        try repo.put("shared/requirements.txt", "numpy\n")
        try repo.put("shared/apt.txt", "curl\n")
        try FileManager.default.createDirectory(atPath: repo.root + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/sub/apt.txt", withDestinationPath: "../shared/apt.txt")
        let snapshot = try RepoSnapshot(root: repo.root + "/sub", repositoryRoot: repo.root)
        #expect(try snapshot.readText("apt.txt") == "curl\n")
        // Judged against the subdirectory alone, the same link leaves it.
        #expect(throws: BuildpackError.symlinkOutside(file: "apt.txt", target: "../shared/apt.txt")) {
            _ = try RepoSnapshot(root: repo.root + "/sub")
        }
    }

    @Test("a link out of the repository is refused even for files detection reads late")
    func linkOutOfRepository() throws {
        let repo = try ScratchRepo([:])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/requirements3.txt", withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/install.txt", withDestinationPath: "/etc/hostname")
        #expect(throws: BuildpackError.symlinkOutside(file: "requirements3.txt", target: "/etc/passwd")) {
            _ = try RepoSnapshot(root: repo.root)
        }
        try FileManager.default.removeItem(atPath: repo.root + "/requirements3.txt")
        let escaped = try RepoSnapshot(root: repo.root + "/", repositoryRoot: repo.root + "/")
        #expect(throws: BuildpackError.self) { _ = try escaped.readText("install.txt") }
    }

    @Test("a FIFO is refused by name, without blocking")
    func fifo() throws {
        let repo = try ScratchRepo([:])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        #expect(mkfifo(repo.root + "/runtime.txt", 0o644) == 0)
        let snapshot = try RepoSnapshot(root: repo.root)
        #expect(throws: BuildpackError.notARegularFile(file: "runtime.txt", kind: "named pipe (FIFO)")) {
            _ = try snapshot.readText("runtime.txt")
        }
    }

    @Test(
        "size limits by kind",
        arguments: [
            ("apt.txt", FileSizeLimit.environmentFile), ("Pipfile.lock", FileSizeLimit.lockFile),
            ("binder/Manifest.toml", FileSizeLimit.lockFile), ("pylock.dev.toml", FileSizeLimit.lockFile),
            ("uv.lock", FileSizeLimit.lockFile), ("pyproject.toml", FileSizeLimit.environmentFile),
        ])
    func limits(file: String, limit: Int) throws {
        #expect(FileSizeLimit.bytes(for: file) == limit)
        let repo = try ScratchRepo([:])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        try repo.put(file, String(repeating: "a", count: limit))
        let snapshot = try RepoSnapshot(root: repo.root)
        #expect(try snapshot.readText(file)?.utf8.count == limit)
        try repo.put(file, String(repeating: "a", count: limit + 1))
        #expect(throws: BuildpackError.fileTooLarge(file: file, size: limit + 1, limit: limit)) { _ = try snapshot.readText(file) }
    }
}

extension ScratchRepo {
    /// Writes (or replaces) a file, making its directories.
    func put(_ path: String, _ contents: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: true, encoding: .utf8)
    }
}
