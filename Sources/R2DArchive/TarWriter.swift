import CLibArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes an uncompressed tar (pax restricted: ustar unless a longer name/size needs a pax header; no atime/ctime, deterministic) to a sink.
///
/// Every entry carries only what the caller passes: path, mode, one mtime, uid/gid, and empty user and group
/// names. Nothing is taken from the environment (no atime, ctime, device numbers or user database lookups),
/// so equal calls give equal bytes.
public final class TarWriter {
    /// libarchive hands the sink whole blocks of this size (the last one may be shorter).
    public static let blockSize = 64 * 1024

    /// Size of the read buffer used when streaming a file from a descriptor.
    static let readChunkSize = 64 * 1024

    private let archive: OpaquePointer
    private let entry: OpaquePointer
    private let context: SinkContext
    private var state: State = .open

    private enum State { case open, failed, finished }

    /// Opens a tar stream whose bytes are passed to `sink` in blocks of about ``blockSize``.
    ///
    /// The buffer given to `sink` is only valid during the call. Errors thrown by `sink` abort the archive and
    /// surface as an ``ArchiveError`` of kind `.sink` carrying the original error.
    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let archive = archive_write_new() else {
            throw ArchiveError(message: "libarchive could not allocate a tar writer")
        }
        guard let entry = archive_entry_new() else {
            archive_write_free(archive)
            throw ArchiveError(message: "libarchive could not allocate a tar entry")
        }
        self.archive = archive
        self.entry = entry
        self.context = SinkContext(sink: sink)

        try UTF8Locale.run {
            try check(archive_write_set_format_pax_restricted(archive), "select the pax format")
            try check(archive_write_set_bytes_per_block(archive, Int32(Self.blockSize)), "set the block size")
            // No padding of the last block up to 64 KiB: the stream ends right after the end-of-archive marker.
            try check(archive_write_set_bytes_in_last_block(archive, 1), "set the last block size")
            // Names are handed over as UTF-8 and pax headers record them as UTF-8.
            try check(archive_write_set_options(archive, "hdrcharset=UTF-8"), "set the header charset")
            let opaqueContext = Unmanaged.passUnretained(context).toOpaque()
            try check(archive_write_open(archive, opaqueContext, nil, tarWriterWriteCallback, nil), "open the stream")
        }
    }

    deinit {
        if state != .finished {
            // Marks the archive fatal so freeing it does not write an end-of-archive marker into the sink.
            archive_write_fail(archive)
        }
        archive_entry_free(entry)
        archive_write_free(archive)
    }

    /// Adds a directory entry (the stored name ends in "/").
    public func addDirectory(path: String, mode: UInt32, mtime: Int64, uid: Int, gid: Int) throws {
        try writeHeader(path: path, type: CLIBARCHIVE_AE_IFDIR, mode: mode, mtime: mtime, uid: uid, gid: gid, size: 0, symlink: nil)
    }

    /// Adds a regular file whose bytes are in memory.
    public func addFile(path: String, mode: UInt32, mtime: Int64, uid: Int, gid: Int, contents: [UInt8]) throws {
        try writeHeader(
            path: path, type: CLIBARCHIVE_AE_IFREG, mode: mode, mtime: mtime, uid: uid, gid: gid,
            size: Int64(contents.count), symlink: nil)
        try contents.withUnsafeBytes { try writeData($0, path: path) }
    }

    /// Adds a regular file of `size` bytes read from `fd` in chunks; throws `.sizeChanged` if the file is shorter or longer.
    public func addFile(
        path: String, mode: UInt32, mtime: Int64, uid: Int, gid: Int, size: Int64, readingFrom fd: Int32
    ) throws {
        try writeHeader(path: path, type: CLIBARCHIVE_AE_IFREG, mode: mode, mtime: mtime, uid: uid, gid: gid, size: size, symlink: nil)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = size
        while remaining > 0 {
            let wanted = Int(min(remaining, Int64(Self.readChunkSize)))
            let got = try readSome(fd, into: buffer, count: wanted, path: path)
            if got == 0 {
                state = .failed
                throw ArchiveError(
                    message: "\(path) shrank while it was being archived (expected \(size) bytes, got \(size - remaining))",
                    kind: .sizeChanged)
            }
            try writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), path: path)
            remaining -= Int64(got)
        }
        // One more read tells whether the file grew after it was measured.
        if try readSome(fd, into: buffer, count: 1, path: path) != 0 {
            state = .failed
            throw ArchiveError(
                message: "\(path) grew while it was being archived (expected \(size) bytes)", kind: .sizeChanged)
        }
    }

    /// Adds a symbolic link storing `target` verbatim (mode 0777).
    public func addSymlink(path: String, target: String, mtime: Int64, uid: Int, gid: Int) throws {
        try writeHeader(path: path, type: CLIBARCHIVE_AE_IFLNK, mode: 0o777, mtime: mtime, uid: uid, gid: gid, size: 0, symlink: target)
    }

    /// Writes the end-of-archive marker and flushes the last block to the sink.
    public func finish() throws {
        try ensureOpen()
        let result = UTF8Locale.run { archive_write_close(archive) }
        if result != ARCHIVE_OK {
            state = .failed
            throw currentError("finish the archive")
        }
        state = .finished
    }

    // MARK: - Internals

    private func writeHeader(
        path: String, type: UInt32, mode: UInt32, mtime: Int64, uid: Int, gid: Int, size: Int64, symlink: String?
    ) throws {
        try ensureOpen()
        let isASCII = path.utf8.allSatisfy { $0 < 0x80 } && (symlink?.utf8.allSatisfy { $0 < 0x80 } ?? true)
        if !isASCII && !UTF8Locale.isAvailable {
            throw ArchiveError(message: "cannot store the non-ASCII name \(path): this system has no UTF-8 locale (C.UTF-8)")
        }
        try UTF8Locale.run {
            try writeHeaderInLocale(
                path: path, type: type, mode: mode, mtime: mtime, uid: uid, gid: gid, size: size, symlink: symlink)
        }
    }

    private func writeHeaderInLocale(
        path: String, type: UInt32, mode: UInt32, mtime: Int64, uid: Int, gid: Int, size: Int64, symlink: String?
    ) throws {
        archive_entry_clear(entry)
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(mode & 0o7777))
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        archive_entry_set_uid(entry, la_int64_t(uid))
        archive_entry_set_gid(entry, la_int64_t(gid))
        archive_entry_set_size(entry, la_int64_t(size))
        if let symlink {
            archive_entry_set_symlink_utf8(entry, symlink)
        }
        let result = archive_write_header(archive, entry)
        if result < ARCHIVE_WARN {
            state = .failed
            throw currentError("write the header of \(path)")
        }
        if result == ARCHIVE_WARN {
            // A warning means a name could not be stored as given; refuse rather than write a different name.
            state = .failed
            throw currentError("store the name of \(path)")
        }
    }

    private func writeData(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let base = bytes.baseAddress.map { $0 + offset }
            let written = archive_write_data(archive, base, bytes.count - offset)
            if written <= 0 {
                state = .failed
                throw currentError("write the contents of \(path)")
            }
            offset += written
        }
    }

    private func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, count: Int, path: String) throws -> Int {
        while true {
            let got = read(fd, buffer.baseAddress, count)
            if got >= 0 { return got }
            let code = errno
            if code == EINTR { continue }
            state = .failed
            throw ArchiveError(message: "could not read \(path): \(String(cString: strerror(code)))", kind: .read)
        }
    }

    private func ensureOpen() throws {
        switch state {
        case .open: return
        case .failed: throw ArchiveError(message: "the tar writer already failed; start a new archive")
        case .finished: throw ArchiveError(message: "the tar writer is already finished")
        }
    }

    private func check(_ result: Int32, _ action: String) throws {
        if result != ARCHIVE_OK {
            state = .failed
            throw currentError(action)
        }
    }

    /// The sink's own error wins over libarchive's generic "write failed" message.
    private func currentError(_ action: String) -> ArchiveError {
        if let sinkError = context.error {
            return ArchiveError(message: "could not \(action): \(sinkError)", kind: .sink, underlying: sinkError)
        }
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(message: "could not \(action): \(detail)")
    }
}

/// Holds the sink and the first error it threw; passed to libarchive as client data.
final class SinkContext {
    let sink: (UnsafeRawBufferPointer) throws -> Void
    var error: (any Error)?

    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
    }
}

func tarWriterWriteCallback(
    _ archive: OpaquePointer?, _ clientData: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int
) -> Int {
    guard let clientData else { return -1 }
    let context = Unmanaged<SinkContext>.fromOpaque(clientData).takeUnretainedValue()
    if context.error != nil { return -1 }
    do {
        try context.sink(UnsafeRawBufferPointer(start: buffer, count: length))
        return length
    } catch {
        context.error = error
        return -1
    }
}
