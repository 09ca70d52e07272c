import CLibArchive
import R2DArchive

/// What libarchive's pax writer says when handed a file type it cannot store. That message comes from the helper
/// CLibArchiveLink defines in place of libarchive's own (so the static link leaves out libarchive's table of every
/// writer, and with it libxml2); a test reads it to check the linker took that definition.
public enum PaxRefusal {
    /// Writes one socket entry named `path` with the pax writer R2DArchive uses; returns libarchive's error text.
    public static func messageForSocket(named path: String) throws -> String {
        guard let archive = archive_write_new(), let entry = archive_entry_new() else {
            throw ArchiveError(message: "libarchive could not allocate a writer")
        }
        defer {
            archive_entry_free(entry)
            archive_write_free(archive)
        }
        archive_write_set_format_pax_restricted(archive)
        var output = [UInt8](repeating: 0, count: 65536)
        var used = 0
        return try output.withUnsafeMutableBytes { buffer in
            guard archive_write_open_memory(archive, buffer.baseAddress, buffer.count, &used) == ARCHIVE_OK else {
                throw ArchiveError(message: "libarchive could not open a writer into memory")
            }
            archive_entry_set_pathname(entry, path)
            archive_entry_set_filetype(entry, CLIBARCHIVE_AE_IFSOCK)
            guard archive_write_header(archive, entry) != ARCHIVE_OK, let text = archive_error_string(archive) else {
                throw ArchiveError(message: "the pax writer accepted a socket")
            }
            return String(cString: text)
        }
    }
}
