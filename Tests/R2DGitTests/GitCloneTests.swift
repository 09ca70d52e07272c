import Foundation
import R2DGit
import R2DTestSupport
import Synchronization
import Testing

/// Which fixture commit a case expects.
enum FixtureCommit: Sendable {
    case first, second, feature, featureSlashX, tagX

    func sha(in fixture: SourceFixture) -> String {
        switch self {
        case .first: fixture.first
        case .second: fixture.second
        case .feature: fixture.feature
        case .featureSlashX: fixture.featureSlashX
        case .tagX: fixture.tagX
        }
    }

    /// README.md contents at that commit.
    var readme: String {
        switch self {
        case .first: "first\n"
        case .second: "second\n"
        case .feature: "feature\n"
        case .featureSlashX: "feature/x\n"
        case .tagX: "tag x\n"
        }
    }
}

/// How the clone URL names the source repository.
enum SourceForm: String, Sendable, CaseIterable {
    case localPath, fileURL

    func url(of fixture: SourceFixture) -> String {
        switch self {
        case .localPath: fixture.repository.path
        case .fileURL: fixture.repository.fileURL
        }
    }
}

/// How a case names the ref: literally, or through a fixture sha (full or abbreviated).
enum RefSpec: Sendable, CustomTestStringConvertible {
    case none
    case literal(String)
    case fullSHA(FixtureCommit)
    case shortSHA(FixtureCommit)

    func ref(in fixture: SourceFixture) -> String? {
        switch self {
        case .none: nil
        case .literal(let ref): ref
        case .fullSHA(let commit): commit.sha(in: fixture)
        case .shortSHA(let commit): String(commit.sha(in: fixture).prefix(7))
        }
    }

    var testDescription: String {
        switch self {
        case .none: "no ref"
        case .literal(let ref): "ref \(ref)"
        case .fullSHA(let commit): "full sha of \(commit)"
        case .shortSHA(let commit): "short sha of \(commit)"
        }
    }
}

@Suite("Git.cloneAndCheckout")
struct GitCloneTests {
    static let refCases: [(RefSpec, FixtureCommit)] = [
        (.none, .second),
        (.literal("HEAD"), .second),
        (.literal("main"), .second),
        (.fullSHA(.first), .first),
        (.shortSHA(.first), .first),
        (.literal("topic"), .feature),
        (.literal("origin/topic"), .feature),
        (.literal("v1"), .first),
        (.literal("light"), .first),
        (.literal("feature/x"), .tagX),  // repo2docker's "last candidate wins": the tag `x` beats origin/feature/x
    ]

    @Test("clones and checks out the ref", arguments: SourceForm.allCases, refCases)
    func clonesAtRef(form: SourceForm, refCase: (RefSpec, FixtureCommit)) throws {
        let (spec, expected) = refCase
        let fixture = try SourceFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let checkout = try Git.cloneAndCheckout(
            url: form.url(of: fixture), into: target.path, ref: spec.ref(in: fixture), credentials: nil, progress: nil)

        #expect(checkout.commit == expected.sha(in: fixture))
        #expect(contents(of: target.path + "/README.md") == expected.readme)
        let state = try #require(try Git.workTreeState(at: target.path))
        #expect(state.commit == checkout.commit)
        #expect(state.commitTime == checkout.commitTime)
        #expect(state.isClean)
    }

    @Test("records the committer time and keeps modes and symlinks")
    func commitTimeModesAndSymlinks() throws {
        let fixture = try SourceFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let checkout = try Git.cloneAndCheckout(
            url: fixture.repository.fileURL, into: target.path, ref: "v1", credentials: nil, progress: nil)

        #expect(checkout.commitTime == SourceFixture.firstTime)
        let attributes = try FileManager.default.attributesOfItem(atPath: target.path + "/run.sh")
        let mode = try #require(attributes[.posixPermissions] as? Int)
        #expect(mode & 0o111 != 0)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: target.path + "/link-to-readme")
        #expect(link == "README.md")
    }

    @Test("an unknown ref throws refNotFound and leaves nothing behind", arguments: SourceForm.allCases)
    func unknownRef(form: SourceForm) throws {
        let fixture = try SourceFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }

        let error = #expect(throws: GitError.self) {
            try Git.cloneAndCheckout(url: form.url(of: fixture), into: target.path, ref: "no-such-ref", credentials: nil, progress: nil)
        }
        #expect(error == .refNotFound(ref: "no-such-ref"))
        #expect(error?.description.contains("no-such-ref") == true)
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test("master/main get a hint about the default branch name", arguments: ["master", "main"])
    func defaultBranchHint(ref: String) throws {
        let fixture = try SourceFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }
        // The fixture's default branch is main, so only master is missing; main's hint is checked on the error alone.
        if ref == "master" {
            #expect(throws: GitError.refNotFound(ref: "master")) {
                try Git.cloneAndCheckout(url: fixture.repository.path, into: target.path, ref: ref, credentials: nil, progress: nil)
            }
        }
        let description = GitError.refNotFound(ref: ref).description
        #expect(description.contains("Failed to check out ref \(ref)"))
        #expect(description.contains("default branch"))
        #expect(description.contains("--ref"))
        #expect(!GitError.refNotFound(ref: "develop").description.contains("default branch"))
    }

    @Test("a failed clone into an existing empty directory leaves it empty")
    func failedCloneKeepsEmptyDirectory() throws {
        let target = try CloneTarget()
        defer { target.cleanup() }
        try FileManager.default.createDirectory(atPath: target.path, withIntermediateDirectories: false)

        #expect(throws: GitError.self) {
            try Git.cloneAndCheckout(
                url: target.parent + "/does-not-exist", into: target.path, ref: nil, credentials: nil, progress: nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
    }

    @Test("a non-empty destination is refused")
    func nonEmptyDestination() throws {
        let fixture = try SourceFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }
        try FileManager.default.createDirectory(atPath: target.path, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target.path + "/mine.txt"))

        #expect(throws: GitError.self) {
            try Git.cloneAndCheckout(url: fixture.repository.path, into: target.path, ref: nil, credentials: nil, progress: nil)
        }
        #expect(contents(of: target.path + "/mine.txt") == "keep")
    }

    @Test("progress is reported for a clone with several files")
    func reportsProgress() throws {
        let files = Dictionary(
            uniqueKeysWithValues: (0..<40).map { ("dir\($0 % 4)/file\($0).txt", String(repeating: "line \($0)\n", count: 50)) })
        let source = try TemporaryGitRepository(files: files)
        defer { source.remove() }
        try source.commit(message: "many files")
        let target = try CloneTarget()
        defer { target.cleanup() }

        let recorder = ProgressRecorder()
        _ = try Git.cloneAndCheckout(url: source.fileURL, into: target.path, ref: nil, credentials: nil) { report in
            recorder.reports.withLock { $0.append(report) }
        }

        let collected = recorder.reports.withLock { $0 }
        #expect(!collected.isEmpty)
        #expect(collected.contains { $0.phase == "Checking out files" && $0.total > 0 && $0.current == $0.total })
        #expect(collected.allSatisfy { $0.current <= $0.total })
    }
}

@Suite("Git.resolve")
struct GitResolveTests {
    static let cases: [(RefSpec, FixtureCommit?)] = [
        (.literal("main"), .second),
        (.literal("HEAD"), .second),
        (.literal("v1"), .first),  // annotated tag, peeled to its commit
        (.literal("refs/tags/v1"), .first),
        (.literal("topic"), .feature),  // only origin/topic exists in a clone
        (.literal("origin/topic"), .feature),
        (.literal("feature/x"), .tagX),  // <ref> fails, origin/feature/x resolves, then `x` (the tag) wins
        (.literal("origin/feature/x"), .tagX),  // last component again
        (.literal("tagged"), .tagX),
        (.fullSHA(.featureSlashX), .featureSlashX),
        (.shortSHA(.feature), .feature),
        (.literal("nothing/here"), nil),
        (.literal("no-such-ref"), nil),
    ]

    @Test("repo2docker's candidate rules", arguments: cases)
    func resolves(spec: RefSpec, expected: FixtureCommit?) throws {
        let fixture = try SourceFixture()
        defer { fixture.remove() }
        let target = try CloneTarget()
        defer { target.cleanup() }
        _ = try Git.cloneAndCheckout(url: fixture.repository.fileURL, into: target.path, ref: nil, credentials: nil, progress: nil)
        let ref = try #require(spec.ref(in: fixture))

        if let expected {
            #expect(try Git.resolve(ref: ref, inRepositoryAt: target.path) == expected.sha(in: fixture))
        } else {
            #expect(throws: GitError.refNotFound(ref: ref)) { try Git.resolve(ref: ref, inRepositoryAt: target.path) }
        }
    }

    @Test("resolving in a directory that is not a repository throws notARepository")
    func notARepository() throws {
        let directory = try TemporaryGitRepository.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: GitError.notARepository(path: directory)) { try Git.resolve(ref: "main", inRepositoryAt: directory) }
    }
}

private final class ProgressRecorder: Sendable {
    let reports = Mutex<[GitProgress]>([])
}
