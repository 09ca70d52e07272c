#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One entry of a build context as the tar stores it: the same path, mode, owner and time.
public struct ContextEntry: Sendable, Equatable {
    /// What the entry is.
    public enum Kind: Sendable, Equatable {
        case directory
        case file
        case symlink(target: String)
    }

    /// The path in the context, without a trailing "/" (the tar writes directories with one).
    public var path: String
    public var kind: Kind
    /// Permission bits as stored in the tar (0755 or 0644 for files, 0755 for directories, 0777 for links).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    /// Seconds since the epoch: the one mtime of every entry.
    public var mtime: Int64
    /// Bytes of a file; 0 for directories and links.
    public var size: Int64

    public init(path: String, kind: Kind, mode: UInt32, uid: Int, gid: Int, mtime: Int64, size: Int64) {
        (self.path, self.kind, self.mode, self.uid, self.gid, self.mtime, self.size) = (path, kind, mode, uid, gid, mtime, size)
    }
}

/// The build context as a list of entries whose contents are read on demand, made by the walk that makes the tar
/// (`ContextWalker`: the same ignore rules, generated files, replacements, modes, owner and mtime). BuildKit's
/// file sync sends every entry's metadata first and asks for file contents afterwards, so the walk cannot stream
/// the bytes as the tar does: a file's bytes are read again when asked for, and must still have the size the
/// walk saw.
///
/// Held compactly, because a repository of 200,000 files is held whole for the length of the transfer: each entry
/// stores only its last path component (its record points at its directory's), the components share one byte
/// buffer, each entry is a 32-byte record, the owner and mtime (one for the whole context) are stored once, and a
/// disk file's path is the context root plus its path rather than a string of its own.
public struct ContextSnapshot: Sendable {
    /// The entries in the tar's order (byte order of names at each level, directory before its contents).
    public var entries: Entries { Entries(snapshot: self) }
    /// The bytes of all its files (directories and links count 0): what file sync sends when the daemon has none.
    public let fileBytes: Int64

    fileprivate let records: ChunkedArray<Record>
    /// Every entry's path, then link targets and disk paths that are not the root plus the path, back to back.
    fileprivate let names: ChunkedBytes
    fileprivate let memoryFiles: [[UInt8]]
    fileprivate let root: String
    fileprivate let uid: Int
    fileprivate let mtime: Int64

    /// 31 bytes, a 32-byte stride: `size` comes first, so the 32-bit fields need no padding.
    fileprivate struct Record: Sendable {
        var size: Int64
        /// The last path component (a range of `names`); the rest of the path is the parent's.
        var nameStart: UInt32
        var nameLength: UInt32
        /// The record of the directory the entry is in, or `noParent` at the top.
        var parent: UInt32
        /// A link's target or an explicit disk path (a range of `names`), a memory file's index, or how many leading
        /// bytes of the name to drop before appending it to the root.
        var extraStart: UInt32
        var extraLength: UInt32
        var mode: UInt16
        var kind: RecordKind
    }

    fileprivate enum RecordKind: UInt8, Sendable {
        case directory, memoryFile, rootedFile, diskFile, symlink

        var isFile: Bool { self == .memoryFile || self == .rootedFile || self == .diskFile }
    }

    fileprivate static let noParent = UInt32.max
    static var recordStride: Int { MemoryLayout<Record>.stride }

    /// The largest context a snapshot holds: names and paths past 4 GiB of bytes, or more than 4 Gi entries.
    static let maximumNameBytes = Int(UInt32.max)

    fileprivate init(
        root: String, uid: Int, mtime: Int64, records: ChunkedArray<Record>, names: ChunkedBytes, memoryFiles: [[UInt8]]
    ) {
        (self.root, self.uid, self.mtime) = (root, uid, mtime)
        (self.records, self.names, self.memoryFiles) = (records, names, memoryFiles)
        fileBytes = records.reduce(0) { $0 + $1.size }
    }

    /// A reader of the bytes of the file at `index`; throws when the entry is no file or cannot be opened.
    public func openContents(of index: Int) throws -> ContextFileReader {
        guard index >= 0 && index < records.count else {
            throw BuildContextError.unreadable(path: "entry #\(index)", reason: "it is not a file of the context")
        }
        let record = records[index]
        switch record.kind {
        case .memoryFile: return ContextFileReader(memory: memoryFiles[Int(record.extraStart)])
        case .rootedFile, .diskFile: return try ContextFileReader(path: diskPath(index), expectedSize: record.size)
        case .directory, .symlink:
            throw BuildContextError.unreadable(path: path(index), reason: "it is not a file of the context")
        }
    }

    fileprivate func text(_ start: UInt32, _ length: UInt32) -> String {
        String(decoding: names[Int(start), Int(length)], as: UTF8.self)
    }

    /// The entry's path in the context: its directories' components and its own, joined by "/".
    fileprivate func pathBytes(_ index: Int) -> [UInt8] {
        var chain: [Int] = [index]
        while case let parent = records[chain[chain.count - 1]].parent, parent != Self.noParent { chain.append(Int(parent)) }
        var bytes: [UInt8] = []
        for position in chain.reversed() {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: "/")) }
            let record = records[position]
            bytes.append(contentsOf: names[Int(record.nameStart), Int(record.nameLength)])
        }
        return bytes
    }

    fileprivate func path(_ index: Int) -> String { String(decoding: pathBytes(index), as: UTF8.self) }

    private func diskPath(_ index: Int) -> String {
        let record = records[index]
        if record.kind == .diskFile { return text(record.extraStart, record.extraLength) }
        let name = String(decoding: pathBytes(index).dropFirst(Int(record.extraStart)), as: UTF8.self)
        return root.hasSuffix("/") ? root + name : root + "/" + name
    }

    fileprivate func entry(at index: Int) -> ContextEntry {
        let record = records[index]
        let kind: ContextEntry.Kind =
            record.kind.isFile
            ? .file
            : record.kind == .symlink ? .symlink(target: text(record.extraStart, record.extraLength)) : .directory
        return ContextEntry(
            path: path(index), kind: kind, mode: UInt32(record.mode), uid: uid, gid: uid,
            mtime: mtime, size: record.size)
    }

    /// The entries as values, made when read.
    public struct Entries: RandomAccessCollection, Sendable {
        let snapshot: ContextSnapshot
        public var startIndex: Int { 0 }
        public var endIndex: Int { snapshot.records.count }
        public subscript(position: Int) -> ContextEntry { snapshot.entry(at: position) }

        /// Whether the entry at `position` is a file, without making its value.
        public func isFile(_ position: Int) -> Bool { snapshot.records[position].kind.isFile }
    }
}

/// Reads one file of a ``ContextSnapshot`` in chunks; a disk file that no longer has the size the walk saw
/// fails with ``BuildContextError/changedWhileReading(path:)``. Closes its descriptor when released.
public final class ContextFileReader {
    private let memory: [UInt8]
    private var offset = 0
    private let fd: Int32
    private let path: String
    private let expectedSize: Int64
    private var total: Int64 = 0

    init(memory: [UInt8]) {
        self.memory = memory
        (fd, path, expectedSize) = (-1, "", Int64(memory.count))
    }

    init(path: String, expectedSize: Int64) throws {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw errno == ENOENT || errno == ELOOP
                ? BuildContextError.vanished(path: path) : BuildContextError.unreadable(path: path, reason: errnoText())
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & 0o170000 == 0o100000 else {
            close(fd)
            throw BuildContextError.vanished(path: path)
        }
        guard Int64(info.st_size) == expectedSize else {
            close(fd)
            throw BuildContextError.changedWhileReading(path: path)
        }
        (self.memory, self.fd, self.path, self.expectedSize) = ([], fd, path, expectedSize)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The next at most `maxBytes` bytes, nil at the end.
    public func next(maxBytes: Int) throws -> [UInt8]? {
        guard fd >= 0 else {
            guard offset < memory.count else { return nil }
            let end = min(offset + maxBytes, memory.count)
            defer { offset = end }
            return Array(memory[offset..<end])
        }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, maxBytes) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BuildContextError.unreadable(path: path, reason: errnoText())
            }
            total += Int64(count)
            guard total <= expectedSize, count > 0 || total == expectedSize else {
                throw BuildContextError.changedWhileReading(path: path)
            }
            if count == 0 { return nil }
            buffer.removeLast(maxBytes - count)
            return buffer
        }
    }
}

extension BuildContext {
    /// The context's entries as the tar of `spec` holds them, with their contents left on disk (or in the spec's
    /// memory for generated files and replacements). Each disk file is opened once during the walk, for its size.
    public static func snapshot(_ spec: BuildContextSpec) throws -> ContextSnapshot {
        var builder = SnapshotBuilder(root: spec.root)
        var walker = ContextWalker(spec: spec, openFiles: true, checkCancelled: {}) { entry in
            switch entry {
            case .directory(let path):
                try builder.add(path.utf8.dropLast(), .directory, mode: 0o755)
            case .bytes(let path, let mode, let contents):
                try builder.addMemoryFile(path, mode: mode, contents: contents)
            case .diskFile(let path, let mode, _, let size, let diskPath):
                try builder.addDiskFile(path, mode: mode, size: size, diskPath: diskPath)
            case .symlink(let path, let target):
                try builder.add(path.utf8[...], .symlink, mode: 0o777, extra: Array(target.utf8))
            }
        }
        try walker.run()
        return builder.snapshot(uid: spec.uid, mtime: spec.mtime)
    }
}

/// Gathers a snapshot's records during the walk.
private struct SnapshotBuilder {
    let root: String
    let rootPrefix: [UInt8]
    var records = ChunkedArray<ContextSnapshot.Record>()
    var names = ChunkedBytes()
    var memoryFiles: [[UInt8]] = []
    /// The directories the walk is in (their paths with a trailing "/", and their records), innermost last.
    var openDirectories: [(path: [UInt8], record: UInt32)] = []

    init(root: String) {
        self.root = root
        rootPrefix = Array((root.hasSuffix("/") ? root : root + "/").utf8)
    }

    mutating func add(
        _ name: Substring.UTF8View, _ kind: ContextSnapshot.RecordKind, mode: UInt32, size: Int64 = 0, extra: [UInt8] = [],
        extraStart: UInt32? = nil
    ) throws {
        while let last = openDirectories.last, !name.starts(with: last.path) { openDirectories.removeLast() }
        let parent = openDirectories.last
        let component = name.dropFirst(parent?.path.count ?? 0)
        guard let nameStart = names.startOfNext(length: component.count),
            nameStart + component.count <= ContextSnapshot.maximumNameBytes, records.count < Int(UInt32.max) - 1
        else { throw tooLarge() }
        names.append(component)
        if kind == .directory { openDirectories.append((Array(name) + [UInt8(ascii: "/")], UInt32(records.count))) }
        var start = extraStart.map(Int.init) ?? 0
        if extraStart == nil {
            guard let extraAt = names.startOfNext(length: extra.count), extraAt + extra.count <= ContextSnapshot.maximumNameBytes
            else { throw tooLarge() }
            names.append(extra)
            start = extraAt
        }
        records.append(
            .init(
                size: size, nameStart: UInt32(nameStart), nameLength: UInt32(component.count),
                parent: parent?.record ?? ContextSnapshot.noParent, extraStart: UInt32(start),
                extraLength: UInt32(extra.count), mode: UInt16(truncatingIfNeeded: mode), kind: kind))
    }

    private func tooLarge() -> BuildContextError {
        BuildContextError.unreadable(
            path: root,
            reason: "its file names pass the 4 GiB (or one path the 1 MiB) a file-sync snapshot holds; "
                + "exclude what the build does not need in .dockerignore")
    }

    mutating func addMemoryFile(_ path: String, mode: UInt32, contents: [UInt8]) throws {
        try add(path.utf8[...], .memoryFile, mode: mode, size: Int64(contents.count), extraStart: UInt32(memoryFiles.count))
        memoryFiles.append(contents)
    }

    /// A disk file whose path is the root plus the tail of its name is stored as how much of the name to drop.
    mutating func addDiskFile(_ path: String, mode: UInt32, size: Int64, diskPath: String) throws {
        let name = Array(path.utf8)
        let disk = Array(diskPath.utf8)
        if disk.starts(with: rootPrefix) {
            let tail = disk[rootPrefix.count...]
            if tail.count <= name.count, name.suffix(tail.count).elementsEqual(tail) {
                try add(path.utf8[...], .rootedFile, mode: mode, size: size, extraStart: UInt32(name.count - tail.count))
                return
            }
        }
        try add(path.utf8[...], .diskFile, mode: mode, size: size, extra: disk)
    }

    func snapshot(uid: Int, mtime: Int64) -> ContextSnapshot {
        ContextSnapshot(root: root, uid: uid, mtime: mtime, records: records, names: names, memoryFiles: memoryFiles)
    }
}
