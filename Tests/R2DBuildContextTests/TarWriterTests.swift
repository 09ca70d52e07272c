import R2DArchive
import R2DArchiveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("TarWriter")
struct TarWriterTests {
    private func write(_ body: (TarWriter) throws -> Void) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = try TarWriter { output.append(contentsOf: $0) }
        try body(writer)
        try writer.finish()
        return output
    }

    @Test("entries round-trip with names, modes, ids, empty user names and no atime/ctime")
    func roundTrip() throws {
        let longName = String(repeating: "deep/", count: 30) + "file-with-a-long-name.txt"
        #expect(longName.utf8.count > 100)
        let bytes = try write { writer in
            try writer.addDirectory(path: "dir", mode: 0o755, mtime: 42, uid: 1000, gid: 1000)
            try writer.addFile(path: "dir/a.txt", mode: 0o644, mtime: 42, uid: 1000, gid: 1000, contents: Array("hi".utf8))
            try writer.addFile(path: longName, mode: 0o755, mtime: 42, uid: 1000, gid: 1000, contents: [1, 2, 3])
            try writer.addFile(path: "données/é ü 日本.txt", mode: 0o644, mtime: 42, uid: 1000, gid: 1000, contents: [9])
            try writer.addSymlink(path: "link", target: "../ailleurs/é", mtime: 42, uid: 1000, gid: 1000)
        }
        #expect(bytes.count % 512 == 0)
        let entries = try TarReader.entries(in: bytes)
        #expect(entries.map(\.name) == ["dir/", "dir/a.txt", longName, "données/é ü 日本.txt", "link"])
        #expect(entries.map(\.kind) == [.directory, .file, .file, .file, .symlink])
        #expect(entries.map(\.mode) == [0o755, 0o644, 0o755, 0o644, 0o777])
        #expect(entries.allSatisfy { $0.uid == 1000 && $0.gid == 1000 && $0.mtime == 42 })
        #expect(entries.allSatisfy { $0.uname.isEmpty && $0.gname.isEmpty && !$0.hasAtimeOrCtime })
        #expect(entries[1].contents == Array("hi".utf8))
        #expect(entries[2].contents == [1, 2, 3])
        #expect(entries[4].linkname == "../ailleurs/é")
        // The non-ASCII name is stored as its UTF-8 bytes.
        #expect(bytes.contains(subsequence: Array("données/é ü 日本.txt".utf8)))
    }

    @Test("a file type pax cannot store is refused with the message of CLibArchiveLink's helper, not libarchive's")
    func unsupportedTypeUsesTheLinkedHelper() throws {
        // If the linker had taken libarchive's own helper, it would also have linked its table of every writer
        // (and libxml2 with it); the wording tells the two apart.
        let message = try PaxRefusal.messageForSocket(named: "run/socket")
        #expect(message == "run/socket: the pax format cannot store a file of type 0140000")
    }

    @Test("the same calls give the same bytes")
    func deterministic() throws {
        let body: (TarWriter) throws -> Void = { writer in
            try writer.addFile(path: "a", mode: 0o644, mtime: 1, uid: 1, gid: 1, contents: Array(repeating: 7, count: 100_000))
            try writer.addFile(path: String(repeating: "x", count: 200), mode: 0o644, mtime: 1, uid: 1, gid: 1, contents: [])
        }
        #expect(try write(body) == write(body))
    }

    @Test("the sink receives blocks of 64 KiB")
    func blockSize() throws {
        var sizes: [Int] = []
        let writer = try TarWriter { sizes.append($0.count) }
        try writer.addFile(path: "big", mode: 0o644, mtime: 0, uid: 0, gid: 0, contents: Array(repeating: 1, count: 300_000))
        try writer.finish()
        #expect(sizes.dropLast().allSatisfy { $0 == TarWriter.blockSize })
        #expect(sizes.count > 1)
    }

    @Test("a sink error surfaces as ArchiveError carrying the original error")
    func sinkError() throws {
        struct Boom: Error {}
        let writer = try TarWriter { _ in throw Boom() }
        let error = #expect(throws: ArchiveError.self) {
            try writer.addFile(path: "big", mode: 0o644, mtime: 0, uid: 0, gid: 0, contents: Array(repeating: 1, count: 200_000))
            try writer.finish()
        }
        #expect(error?.kind == .sink)
        #expect(error?.underlying is Boom)
    }

    /// Streams `available` bytes through a pipe while the header claims `declared`.
    private func streamFromPipe(declared: Int64, available: Int) throws -> ArchiveError? {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let payload = [UInt8](repeating: 0x41, count: available)
        try #require(payload.withUnsafeBytes { Glibc.write(fds[1], $0.baseAddress, $0.count) } == available)
        close(fds[1])
        let writer = try TarWriter { _ in }
        return #expect(throws: ArchiveError.self) {
            try writer.addFile(path: "f", mode: 0o644, mtime: 0, uid: 0, gid: 0, size: declared, readingFrom: fds[0])
        }
    }

    @Test("a file that shrinks or grows while streamed is a clear error")
    func sizeChanges() throws {
        let shrank = try streamFromPipe(declared: 100, available: 10)
        #expect(shrank?.kind == .sizeChanged)
        #expect(shrank?.message.contains("shrank") == true)
        let grew = try streamFromPipe(declared: 10, available: 100)
        #expect(grew?.kind == .sizeChanged)
        #expect(grew?.message.contains("grew") == true)
    }

    @Test("a descriptor that cannot be read is a read error")
    func unreadableDescriptor() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let writer = try TarWriter { _ in }
        let error = #expect(throws: ArchiveError.self) {
            // The write end of a pipe cannot be read.
            try writer.addFile(path: "f", mode: 0o644, mtime: 0, uid: 0, gid: 0, size: 5, readingFrom: fds[1])
        }
        #expect(error?.kind == .read)
        #expect(error?.message.contains("could not read f") == true)
    }

    @Test("a streamed file round-trips")
    func streamedFile() throws {
        let tree = try TemporaryTree("tarwriter")
        let contents = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = try tree.file("data.bin", bytes: contents)
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = try write { writer in
            try writer.addFile(path: "data.bin", mode: 0o644, mtime: 5, uid: 0, gid: 0, size: Int64(contents.count), readingFrom: fd)
        }
        let entries = try TarReader.entries(in: bytes)
        #expect(entries.count == 1)
        #expect(entries.first?.contents == contents)
    }
}
