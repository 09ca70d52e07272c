import Crypto
import R2DArchive
import R2DBasics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One `COPY` from the build context, as the image layer it makes: `source` is a context path (a directory's
/// contents are copied into `destination`, a file is copied to it), `destination` an absolute path in the image.
public struct CopyLayerRequest: Sendable, Equatable {
    public var source: String
    public var destination: String
    public var uid: Int
    public var gid: Int
    /// The directories above what is copied, stored first with the metadata the image below gives them: a layer
    /// that lacks a parent makes the engine create it owned by root with the time of the pull.
    public var parents: [LayerDirectory] = []

    public init(source: String, destination: String, uid: Int, gid: Int) {
        (self.source, self.destination, self.uid, self.gid) = (source, destination, uid, gid)
    }
}

/// A directory entry of a layer: its path (no leading "/"), owner, permission bits and mtime.
public struct LayerDirectory: Sendable, Equatable {
    public var path: String
    public var uid: Int
    public var gid: Int
    public var mode: UInt32
    public var mtime: Int64

    public init(path: String, uid: Int, gid: Int, mode: UInt32, mtime: Int64) {
        (self.path, self.uid, self.gid, self.mode, self.mtime) = (path, uid, gid, mode, mtime)
    }
}

/// A layer written to disk: its gzip file, the sha256 of the tar (the image config's `diff_id`) and of the gzip
/// bytes (the manifest's digest), and the gzip size.
public struct WrittenLayer: Sendable, Equatable {
    public let path: String
    public let diffID: String
    public let digest: String
    public let size: Int64

    public init(path: String, diffID: String, digest: String, size: Int64) {
        (self.path, self.diffID, self.digest, self.size) = (path, diffID, digest, size)
    }
}

extension BuildContext {
    /// Writes, in one walk of `spec`'s context, the layer each copy of `copies` makes, as Docker's builders make it:
    /// the copied entries with the context's modes and mtime, owned by the copy's uid and gid, under the
    /// destination; the destination directory itself and its parents are not stored (the image below has them).
    /// Layer `i` goes to `directory/layer-i.tar.gz`. Throws when a source is not in the context.
    public static func writeCopyLayers(_ spec: BuildContextSpec, copies: [CopyLayerRequest], directory: String) throws -> [WrittenLayer] {
        let outputs = try copies.indices.map { try LayerOutput(path: "\(directory)/layer-\($0).tar.gz") }
        for (output, copy) in zip(outputs, copies) {
            for parent in copy.parents {
                let path = parent.path.hasSuffix("/") ? parent.path : parent.path + "/"
                try output.tar.addDirectory(path: path, mode: parent.mode, mtime: parent.mtime, uid: parent.uid, gid: parent.gid)
            }
        }
        var matched = [Bool](repeating: false, count: copies.count)
        var walker = ContextWalker(spec: spec, openFiles: true, checkCancelled: { try Task.checkCancellation() }) { entry in
            for (index, copy) in copies.enumerated() {
                guard let target = Self.target(of: entry.contextPath, for: copy) else { continue }
                matched[index] = true
                guard !target.isEmpty else { continue }
                try outputs[index].add(entry, at: target, uid: copy.uid, gid: copy.gid, mtime: spec.mtime)
            }
        }
        try walker.run()
        if let missing = matched.firstIndex(of: false) {
            throw BuildContextError.unreadable(path: copies[missing].source, reason: "it is not in the build context")
        }
        return try outputs.map { try $0.finish() }
    }

    /// Where a context entry lands for `copy`: nil when the copy does not take it, "" for the copied directory
    /// itself (not stored), else the layer path (no leading "/"; directories end in "/").
    static func target(of contextPath: String, for copy: CopyLayerRequest) -> String? {
        let source = copy.source.hasSuffix("/") ? String(copy.source.dropLast()) : copy.source
        let destination = String(copy.destination.drop { $0 == "/" })
        if contextPath == source || contextPath == source + "/" {
            guard !contextPath.hasSuffix("/") else { return "" }
            return destination.hasSuffix("/") ? destination + (source.split(separator: "/").last.map(String.init) ?? source) : destination
        }
        guard contextPath.hasPrefix(source + "/") else { return nil }
        let rest = contextPath.dropFirst(source.count + 1)
        return (destination.hasSuffix("/") || destination.isEmpty ? destination : destination + "/") + rest
    }
}

extension WalkEntry {
    var contextPath: String {
        switch self {
        case .directory(let path), .bytes(let path, _, _), .diskFile(let path, _, _, _, _), .symlink(let path, _): return path
        }
    }
}

/// One layer being written: tar → sha256 (diff_id) → gzip → sha256 (digest) → file.
private final class LayerOutput {
    let path: String
    let fd: Int32
    var tarHash = SHA256()
    var gzipHash = SHA256()
    var size: Int64 = 0
    var gzip: GzipWriter!
    var tar: TarWriter!

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BuildContextError.unreadable(path: path, reason: errnoText()) }
        gzip = try GzipWriter { [unowned self] bytes in try self.append(bytes) }
        tar = try TarWriter { [unowned self] bytes in
            self.tarHash.update(bufferPointer: bytes)
            try self.gzip.write(bytes)
        }
    }

    deinit { close(fd) }

    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        gzipHash.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw BuildContextError.unreadable(path: path, reason: errnoText()) }
            offset += written
        }
        size += Int64(bytes.count)
    }

    func add(_ entry: WalkEntry, at target: String, uid: Int, gid: Int, mtime: Int64) throws {
        switch entry {
        case .directory: try tar.addDirectory(path: target, mode: 0o755, mtime: mtime, uid: uid, gid: gid)
        case .bytes(_, let mode, let contents):
            try tar.addFile(path: target, mode: mode, mtime: mtime, uid: uid, gid: gid, contents: contents)
        case .diskFile(_, let mode, let fd, let size, _):
            // Two copies may take the same file: each reads it from the start.
            lseek(fd, 0, SEEK_SET)
            try tar.addFile(path: target, mode: mode, mtime: mtime, uid: uid, gid: gid, size: size, readingFrom: fd)
        case .symlink(_, let linkTarget):
            try tar.addSymlink(path: target, target: linkTarget, mtime: mtime, uid: uid, gid: gid)
        }
    }

    func finish() throws -> WrittenLayer {
        try tar.finish()
        try gzip.finish()
        return WrittenLayer(
            path: path, diffID: "sha256:" + Hex.encode(tarHash.finalize()), digest: "sha256:" + Hex.encode(gzipHash.finalize()),
            size: size)
    }
}
