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
public struct ContextSnapshot: Sendable {
    /// The entries in the tar's order (byte order of names at each level, directory before its contents).
    public let entries: [ContextEntry]
    private let sources: [Source]

    enum Source: Sendable {
        case none
        case memory([UInt8])
        /// The absolute path on disk, reopened without following a final symlink.
        case disk(String)
    }

    /// The bytes of all its files (directories and links count 0): what file sync sends when the daemon has none.
    public var fileBytes: Int64 { entries.reduce(0) { $0 + $1.size } }

    init(entries: [ContextEntry], sources: [Source]) {
        self.entries = entries
        self.sources = sources
    }

    /// A reader of the bytes of the file at `index`; throws when the entry is no file or cannot be opened.
    public func openContents(of index: Int) throws -> ContextFileReader {
        guard entries.indices.contains(index), entries[index].kind == .file else {
            let path = entries.indices.contains(index) ? entries[index].path : "entry #\(index)"
            throw BuildContextError.unreadable(path: path, reason: "it is not a file of the context")
        }
        switch sources[index] {
        case .none: return ContextFileReader(memory: [])
        case .memory(let bytes): return ContextFileReader(memory: bytes)
        case .disk(let path): return try ContextFileReader(path: path, expectedSize: entries[index].size)
        }
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
        var entries: [ContextEntry] = []
        var sources: [ContextSnapshot.Source] = []
        let (uid, mtime) = (spec.uid, spec.mtime)
        var walker = ContextWalker(spec: spec, openFiles: true, checkCancelled: {}) { entry in
            func add(_ path: String, _ kind: ContextEntry.Kind, mode: UInt32, size: Int64, _ source: ContextSnapshot.Source) {
                entries.append(ContextEntry(path: path, kind: kind, mode: mode, uid: uid, gid: uid, mtime: mtime, size: size))
                sources.append(source)
            }
            switch entry {
            case .directory(let path):
                add(String(path.dropLast()), .directory, mode: 0o755, size: 0, .none)
            case .bytes(let path, let mode, let contents):
                add(path, .file, mode: mode, size: Int64(contents.count), .memory(contents))
            case .diskFile(let path, let mode, _, let size, let diskPath):
                add(path, .file, mode: mode, size: size, .disk(diskPath))
            case .symlink(let path, let target):
                add(path, .symlink(target: target), mode: 0o777, size: 0, .none)
            }
        }
        try walker.run()
        return ContextSnapshot(entries: entries, sources: sources)
    }
}
