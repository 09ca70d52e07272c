import CLibArchive

/// Compresses a byte stream with gzip through libarchive (its "raw" format, which writes one entry's data with no
/// archive around it). The gzip header carries no name and no time, so equal input gives equal output: a layer
/// written twice has one digest.
public final class GzipWriter {
    private let archive: OpaquePointer
    private let entry: OpaquePointer
    private let context: SinkContext
    private var finished = false

    /// Opens a gzip stream whose compressed bytes are passed to `sink`; the buffer is valid during the call only.
    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let archive = archive_write_new(), let entry = archive_entry_new() else {
            throw ArchiveError(message: "libarchive could not allocate a gzip writer")
        }
        (self.archive, self.entry, self.context) = (archive, entry, SinkContext(sink: sink))
        try check(archive_write_set_format_raw(archive), "select the raw format")
        try check(archive_write_add_filter_gzip(archive), "add the gzip filter")
        // No modification time in the gzip header: the output depends on the input alone.
        try check(archive_write_set_filter_option(archive, "gzip", "timestamp", nil), "drop the gzip timestamp")
        try check(archive_write_set_bytes_per_block(archive, Int32(TarWriter.blockSize)), "set the block size")
        try check(archive_write_set_bytes_in_last_block(archive, 1), "set the last block size")
        let opaqueContext = Unmanaged.passUnretained(context).toOpaque()
        try check(archive_write_open(archive, opaqueContext, nil, tarWriterWriteCallback, nil), "open the stream")
        archive_entry_set_filetype(entry, CLIBARCHIVE_AE_IFREG)
        archive_entry_set_pathname(entry, "data")
        try check(archive_write_header(archive, entry), "start the stream")
    }

    deinit {
        if !finished { archive_write_fail(archive) }
        archive_entry_free(entry)
        archive_write_free(archive)
    }

    /// Compresses `bytes` (all of them, or throws).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = archive_write_data(archive, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            guard written > 0 else { throw error("compress") }
            offset += written
        }
    }

    /// Ends the gzip stream (its trailer) and flushes it to the sink.
    public func finish() throws {
        guard !finished else { return }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw error("finish the gzip stream") }
        finished = true
    }

    private func check(_ result: Int32, _ action: String) throws {
        if result != ARCHIVE_OK { throw error(action) }
    }

    private func error(_ action: String) -> ArchiveError {
        if let sinkError = context.error {
            return ArchiveError(message: "could not \(action): \(sinkError)", kind: .sink, underlying: sinkError)
        }
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(message: "could not \(action): \(detail)")
    }
}
