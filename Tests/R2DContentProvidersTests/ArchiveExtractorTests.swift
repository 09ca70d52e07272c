import Foundation
import R2DArchive
import R2DTestSupport
import Testing

@Suite("Safe archive extraction")
struct ArchiveExtractorTests {
    static let formats: [TestArchives.Format] = [.zip, .tarGz]

    @Test("zip and tar.gz: files, modes, directories and links inside are extracted", arguments: formats)
    func extractsOrdinaryArchive(format: TestArchives.Format) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let archive = workspace.root + "/a." + format.rawValue
        try TestArchives.write(
            [
                ArchiveEntry("proj/", .directory),
                .file("proj/README.md", "hello"),
                .file("proj/run.sh", "#!/bin/sh\n", mode: 0o755),
                ArchiveEntry("proj/docs/", .directory),
                .file("proj/docs/guide.txt", "guide"),
                ArchiveEntry("proj/link", .symlink("docs/guide.txt")),
                ArchiveEntry("proj/up", .symlink("../proj/README.md")),
            ], format: format, to: archive)
        let written = try ArchiveExtractor.extract(archiveAt: archive, into: workspace.out)
        #expect(written.contains("proj/docs/guide.txt"))
        #expect(workspace.read("proj/README.md") == "hello")
        #expect(workspace.read("proj/link") == "guide")
        #expect(workspace.read("proj/up") == "hello")
        #expect(FileManager.default.isExecutableFile(atPath: workspace.out + "/proj/run.sh"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: workspace.out + "/proj/link") == "docs/guide.txt")
    }

    /// An archive, the refusal it must cause, and the paths (relative to the workspace root, outside `out`)
    /// that must not exist afterwards.
    struct Malicious: CustomTestStringConvertible, Sendable {
        var name: String
        var format: TestArchives.Format
        var entries: @Sendable (String) -> [ArchiveEntry]
        var matches: @Sendable (ExtractionRefusal) -> Bool
        var testDescription: String { "\(name) (\(format.rawValue))" }
    }

    static let malicious: [Malicious] =
        formats.flatMap { format -> [Malicious] in
            [
                Malicious(
                    name: "absolute path", format: format,
                    entries: { root in [.file("ok.txt", "ok"), .file(root + "/escaped.txt", "evil")] },
                    matches: { if case .absolutePath = $0 { return true } else { return false } }),
                Malicious(
                    name: "parent component", format: format,
                    entries: { _ in [.file("ok.txt", "ok"), .file("sub/../../escaped.txt", "evil")] },
                    matches: { if case .parentComponent = $0 { return true } else { return false } }),
                Malicious(
                    name: "leading ..", format: format, entries: { _ in [.file("../escaped.txt", "evil")] },
                    matches: { if case .parentComponent = $0 { return true } else { return false } }),
                Malicious(
                    name: "symlink out, then a file through it", format: format,
                    entries: { _ in [ArchiveEntry("evil", .symlink("..")), .file("evil/escaped.txt", "evil")] },
                    matches: { if case .escapingLink = $0 { return true } else { return false } }),
                Malicious(
                    name: "absolute symlink", format: format,
                    entries: { root in [ArchiveEntry("evil", .symlink(root)), .file("evil/escaped.txt", "evil")] },
                    matches: { if case .escapingLink = $0 { return true } else { return false } }),
                Malicious(
                    name: "file through an inside symlink", format: format,
                    entries: { _ in [ArchiveEntry("d/", .directory), ArchiveEntry("l", .symlink("d")), .file("l/escaped.txt", "evil")] },
                    matches: { if case .throughLink = $0 { return true } else { return false } }),
                Malicious(
                    name: "chained symlinks", format: format,
                    entries: { _ in
                        [ArchiveEntry("d/", .directory), ArchiveEntry("d/x", .symlink("..")), ArchiveEntry("l", .symlink("d/x/.."))]
                    },
                    matches: { if case .escapingLink = $0 { return true } else { return false } }),
                Malicious(
                    name: "bomb", format: format,
                    entries: { _ in [.file("ok.txt", "ok"), ArchiveEntry("zeros.bin", .zeros(megabytes: 8))] },
                    matches: { if case .tooLarge = $0 { return true } else { return false } }),
            ]
        } + [
            Malicious(
                name: "hard link to an outside file", format: .tarGz,
                entries: { root in [ArchiveEntry("evil", .hardlink(root + "/outside.txt"))] },
                matches: { if case .absolutePath = $0 { return true } else { return false } }),
            Malicious(
                name: "hard link with ..", format: .tarGz,
                entries: { _ in [ArchiveEntry("evil", .hardlink("../outside.txt"))] },
                matches: { if case .parentComponent = $0 { return true } else { return false } }),
        ]

    @Test("malicious archives are refused and nothing appears outside the output directory", arguments: malicious)
    func refusesMalicious(_ item: Malicious) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try "outside".write(toFile: workspace.root + "/outside.txt", atomically: true, encoding: .utf8)
        let archive = workspace.root + "/archive." + item.format.rawValue
        try TestArchives.write(item.entries(workspace.root), format: item.format, to: archive)
        let before = try FileManager.default.contentsOfDirectory(atPath: workspace.root).sorted()

        var refusal: ExtractionRefusal?
        do {
            try ArchiveExtractor.extract(
                archiveAt: archive, into: workspace.out,
                limits: ExtractionLimits(maximumBytes: 1 << 20, maximumEntries: 100))
        } catch let error as ExtractionRefusal {
            refusal = error
        }
        let caught = try #require(refusal, "\(item.name) was extracted")
        #expect(item.matches(caught), "unexpected refusal: \(caught)")
        #expect(caught.description.contains("archive."), "the message names the archive: \(caught)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.root).sorted() == before)
        #expect(!FileManager.default.fileExists(atPath: workspace.root + "/escaped.txt"))
        #expect(try String(contentsOfFile: workspace.root + "/outside.txt", encoding: .utf8) == "outside")
        // No link left in the output points outside it.
        let realOut = URL(fileURLWithPath: workspace.out).resolvingSymlinksInPath().path
        for path in workspace.listing() {
            let resolved = URL(fileURLWithPath: workspace.out + "/" + path).resolvingSymlinksInPath().path
            #expect(resolved.hasPrefix(realOut), "\(path) -> \(resolved)")
        }
    }

    @Test("too many entries is refused")
    func entryLimit() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let archive = workspace.root + "/many.zip"
        try TestArchives.write((0..<20).map { ArchiveEntry.file("f\($0)", "x") }, format: .zip, to: archive)
        #expect(throws: ExtractionRefusal.tooManyEntries(archive: "many.zip", limit: 10)) {
            try ArchiveExtractor.extract(
                archiveAt: archive, into: workspace.out, limits: ExtractionLimits(maximumBytes: 1 << 20, maximumEntries: 10))
        }
    }

    @Test("a corrupt archive is an error naming the file")
    func corrupt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let archive = workspace.root + "/broken.zip"
        try Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]).write(to: URL(fileURLWithPath: archive))
        do {
            try ArchiveExtractor.extract(archiveAt: archive, into: workspace.out)
            Issue.record("a corrupt archive was accepted")
        } catch let error as ArchiveError {
            #expect(error.message.contains("broken.zip"))
        }
    }
}
