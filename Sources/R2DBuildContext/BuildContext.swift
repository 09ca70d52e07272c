import Crypto
import R2DBasics
import R2DArchive

/// Packs a directory into the deterministic tar Docker's `POST /build` expects, without a temporary copy.
public enum BuildContext {
    /// Streams the tar in chunks (~256 KiB) with back-pressure: the producer runs on its own thread and blocks when the consumer is behind (bounded buffer of a few chunks), so memory stays small for a 1.5 GB repository. The sha256 of the whole stream and its byte count are available from the returned stream's `summary()` after it finished. Cancelling the consuming task stops the producer thread promptly.
    ///
    /// `computingDigest: false` leaves the summary's sha256 empty and saves hashing the whole stream (a third of the
    /// producer's CPU) when only the daemon needs the bytes.
    public static func stream(_ spec: BuildContextSpec, computingDigest: Bool = true) -> BuildContextStream {
        BuildContextStream(spec: spec, computingDigest: computingDigest)
    }

    /// Writes nothing: only hashes the tar stream. Returns hex sha256 and byte count.
    public static func digest(_ spec: BuildContextSpec) throws -> (sha256: String, bytes: Int64) {
        var hasher = StreamHasher()
        try produce(spec, checkCancelled: {}) { hasher.update($0) }
        return hasher.finish()
    }

    /// The sorted list of entries (paths) that would be packed — for tests and `--debug`. Directories end in "/".
    public static func entries(_ spec: BuildContextSpec) throws -> [String] {
        var paths: [String] = []
        var walker = ContextWalker(spec: spec, openFiles: false, checkCancelled: {}) { entry in
            paths.append(entry.path)
        }
        try walker.run()
        return paths
    }

    /// About how many bytes the tar of `spec` takes (headers and padding counted, long-name records not), from
    /// a listing that opens no file: the "of 2.6 GB" of the upload's progress.
    public static func estimatedSize(_ spec: BuildContextSpec) throws -> Int64 {
        let block: Int64 = 512
        var total: Int64 = 2 * block
        var walker = ContextWalker(spec: spec, openFiles: false, checkCancelled: {}) { entry in
            switch entry {
            case .diskFile(_, _, _, let size, _): total += block + (size + block - 1) / block * block
            case .bytes(_, _, let contents): total += block + (Int64(contents.count) + block - 1) / block * block
            case .directory, .symlink: total += block
            }
        }
        try walker.run()
        return total
    }

    /// Writes the tar of `spec` to `sink` in blocks of ``TarWriter/blockSize``; sink errors are rethrown as they are.
    static func produce(
        _ spec: BuildContextSpec, checkCancelled: @escaping () throws -> Void,
        sink: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        do {
            let writer = try TarWriter(sink: sink)
            let uid = spec.uid
            let mtime = spec.mtime
            var walker = ContextWalker(spec: spec, openFiles: true, checkCancelled: checkCancelled) { entry in
                do {
                    switch entry {
                    case .directory(let path):
                        try writer.addDirectory(path: path, mode: 0o755, mtime: mtime, uid: uid, gid: uid)
                    case .bytes(let path, let mode, let contents):
                        try writer.addFile(path: path, mode: mode, mtime: mtime, uid: uid, gid: uid, contents: contents)
                    case .diskFile(let path, let mode, let fd, let size, _):
                        try writer.addFile(
                            path: path, mode: mode, mtime: mtime, uid: uid, gid: uid, size: size, readingFrom: fd)
                    case .symlink(let path, let target):
                        try writer.addSymlink(path: path, target: target, mtime: mtime, uid: uid, gid: uid)
                    }
                } catch let error as ArchiveError {
                    throw Self.contextError(error, entry: entry)
                }
            }
            try walker.run()
            try writer.finish()
        } catch let error as ArchiveError {
            throw Self.contextError(error, entry: nil)
        }
    }

    /// Maps libarchive failures to the context's errors, passing sink errors (e.g. cancellation) through unchanged.
    private static func contextError(_ error: ArchiveError, entry: WalkEntry?) -> any Error {
        if error.kind == .sink, let underlying = error.underlying { return underlying }
        let diskPath: String
        if case .diskFile(_, _, _, _, let path) = entry {
            diskPath = path
        } else {
            diskPath = entry?.path ?? "the archive"
        }
        switch error.kind {
        case .sizeChanged: return BuildContextError.changedWhileReading(path: diskPath)
        case .read: return BuildContextError.unreadable(path: diskPath, reason: error.message)
        case .library, .sink: return BuildContextError.archive(path: diskPath, message: error.message)
        }
    }
}

extension WalkEntry {
    /// The path the entry has in the context.
    var path: String {
        switch self {
        case .directory(let path), .bytes(let path, _, _), .diskFile(let path, _, _, _, _), .symlink(let path, _):
            return path
        }
    }
}

/// SHA-256 and length of a byte stream.
struct StreamHasher {
    private var hasher = SHA256()
    private(set) var count: Int64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        count += Int64(bytes.count)
    }

    mutating func finish() -> (sha256: String, bytes: Int64) {
        (Hex.encode(hasher.finalize()), count)
    }
}
