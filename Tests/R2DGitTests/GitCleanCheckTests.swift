import Foundation
@testable import R2DGit
import R2DGitTestSupport
import R2DTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fast cleanliness check (index cache tree + stat data + sorted walk) against libgit2's full status: the fast
/// check may only ever answer "clean" when the full status does, and must answer it for an untouched checkout.
@Suite("Git.workTreeState fast path")
struct GitCleanCheckTests {
    enum Change: String, CaseIterable, Sendable {
        case none, touched, modified, modifiedSameSize, stagedNew, stagedModification, untracked, untrackedInSubdirectory,
            untrackedDirectory, untrackedSortingBeforeDirectory, ignored, ignoredDirectory, deleted, deletedLast,
            executableBitRemoved, symlinkRetargeted, fileBecameDirectory, emptyDirectory, cacheTreeInvalidated,
            nestedRepository, fifo

        /// What the full status says (and so what workTreeState must say).
        var isClean: Bool {
            switch self {
            // libgit2 reports an untracked empty directory (git does not) and skips a fifo.
            case .none, .touched, .cacheTreeInvalidated, .fifo: return true
            default: return false
            }
        }

        /// Whether the fast check decides on its own (it never says "dirty"; anything but clean is left to the status).
        var fastPathDecides: Bool { self == .none }
    }

    /// Names chosen so that byte order of full paths and a per-directory walk disagree unless directories sort as
    /// "name/": "dir.txt" < "dir/…" < "dir0".
    static let files = [
        "a.txt": "a\n", ".gitignore": "*.log\nbuild/\n", "dir/b.txt": "b\n", "dir/sub/c.txt": "c\n",
        "dir.txt": "d\n", "dir0": "e\n", "dir-x/f.txt": "f\n", "z.txt": "z\n",
    ]

    static func makeCheckout() throws -> TemporaryGitRepository {
        let repository = try TemporaryGitRepository(files: files)
        do {
            try repository.write("run.sh", "#!/bin/sh\n", executable: true)
            try repository.symlink("link", to: "a.txt")
            try backdate(repository)
            try GitCLI.run(["add", "-A"], in: repository.path)
            try GitCLI.run(["commit", "-q", "-m", "fixture"], in: repository.path)
        } catch {
            repository.remove()
            throw error
        }
        return repository
    }

    /// Sets every work-tree mtime an hour back, so no entry is racily clean against the index written next.
    static func backdate(_ repository: TemporaryGitRepository) throws {
        let enumerator = FileManager.default.enumerator(atPath: repository.path)
        var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
        while let relative = enumerator?.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") { continue }
            let code = utimensat(AT_FDCWD, repository.absolutePath(relative), &times, AT_SYMLINK_NOFOLLOW)
            #expect(code == 0, "backdating \(relative)")
        }
    }

    /// Makes `change` to the committed checkout `repository`.
    static func apply(_ change: Change, to repository: TemporaryGitRepository) throws {
        switch change {
        case .none: break
        case .touched:
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var times = [now, now]
            #expect(utimensat(AT_FDCWD, repository.absolutePath("dir/b.txt"), &times, 0) == 0)
        case .modified: try repository.write("a.txt", "changed\n")
        case .modifiedSameSize: try repository.write("a.txt", "b\n")
        case .stagedNew:
            try repository.write("new.txt", "n\n")
            try GitCLI.run(["add", "new.txt"], in: repository.path)
        case .stagedModification:
            try repository.write("dir/b.txt", "staged\n")
            try GitCLI.run(["add", "dir/b.txt"], in: repository.path)
        case .untracked: try repository.write("m.txt", "m\n")
        case .untrackedInSubdirectory: try repository.write("dir/sub/new.txt", "n\n")
        case .untrackedDirectory: try repository.write("deep/dir/x.txt", "x\n")
        case .untrackedSortingBeforeDirectory: try repository.write("dir-a", "x\n")
        case .ignored: try repository.write("debug.log", "noise\n")
        case .ignoredDirectory: try repository.write("build/out.o", "o\n")
        case .deleted: try repository.delete("a.txt")
        case .deletedLast: try repository.delete("z.txt")
        case .executableBitRemoved:
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: repository.absolutePath("run.sh"))
        case .symlinkRetargeted:
            try repository.delete("link")
            try repository.symlink("link", to: "z.txt")
        case .fileBecameDirectory:
            try repository.delete("dir0")
            try repository.write("dir0/inner.txt", "i\n")
        case .emptyDirectory:
            try FileManager.default.createDirectory(atPath: repository.absolutePath("empty/nested"), withIntermediateDirectories: true)
        case .cacheTreeInvalidated:
            // Same contents staged again: the index equals HEAD, but its cache tree no longer says so.
            try GitCLI.run(["rm", "-q", "--cached", "dir/b.txt"], in: repository.path)
            try GitCLI.run(["add", "dir/b.txt"], in: repository.path)
        case .nestedRepository:
            try Git.initRepository(at: repository.absolutePath("vendor/other"))
        case .fifo:
            #expect(mkfifo(repository.absolutePath("pipe"), 0o644) == 0)
        }
    }

    @Test("agrees with the full status, and decides alone only for an untouched checkout", arguments: Change.allCases)
    func table(change: Change) throws {
        let repository = try Self.makeCheckout()
        defer { repository.remove() }
        let head = try GitCLI.run(["rev-parse", "HEAD"], in: repository.path).trimmingCharacters(in: .whitespacesAndNewlines)

        try Self.apply(change, to: repository)

        let verdicts = try Git.cleanlinessVerdicts(at: repository.path)
        #expect(verdicts.fullStatusClean == change.isClean, "libgit2's status")
        // Threshold 0: every top-level directory is walked as a subtree on the worker threads.
        let parallel = try Git.cleanlinessVerdicts(at: repository.path, parallelThreshold: 0)
        for fast in [verdicts.fast, parallel.fast] {
            if change.fastPathDecides {
                #expect(fast == .clean)
            } else {
                #expect(fast != .clean)
            }
        }
        let state = try #require(try Git.workTreeState(at: repository.path))
        #expect(state == WorkTreeState(commit: head, commitTime: state.commitTime, isClean: change.isClean))
    }

    @Test("a checkout committed through libgit2 (Git.commitAll) is recognised without a full status")
    func committedByLibgit2() throws {
        let repository = try TemporaryGitRepository(files: Self.files)
        defer { repository.remove() }
        try Self.backdate(repository)
        try repository.commit()
        #expect(try Git.cleanlinessVerdicts(at: repository.path).fast == .clean)
        try repository.write("dir/sub/c.txt", "changed\n")
        #expect(try Git.workTreeState(at: repository.path)?.isClean == false)
    }

    @Test("a libgit2 clone has no cache tree, so the full status decides; once git primes it, the fast path does")
    func clone() throws {
        let source = try Self.makeCheckout()
        defer { source.remove() }
        let target = try TemporaryGitRepository.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: target) }
        let checkout = target + "/checkout"
        _ = try Git.cloneAndCheckout(url: source.fileURL, into: checkout, ref: nil, credentials: nil, progress: nil)
        let afterClone = try Git.cleanlinessVerdicts(at: checkout)
        #expect(afterClone.fast == .undecided("no cache tree"))
        #expect(afterClone.fullStatusClean)
        #expect(try Git.workTreeState(at: checkout)?.isClean == true)

        // `git read-tree HEAD` writes the cache tree; backdated files and a refresh leave no racy entry.
        try GitCLI.run(["read-tree", "HEAD"], in: checkout)
        let enumerator = FileManager.default.enumerator(atPath: checkout)
        var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
        while let relative = enumerator?.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") { continue }
            _ = utimensat(AT_FDCWD, checkout + "/" + relative, &times, AT_SYMLINK_NOFOLLOW)
        }
        try GitCLI.run(["update-index", "-q", "--refresh"], in: checkout)
        #expect(try Git.cleanlinessVerdicts(at: checkout).fast == .clean)
    }
}
