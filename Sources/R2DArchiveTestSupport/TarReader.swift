import CLibArchive
import R2DArchive

/// One entry of a tar archive as read back by ``TarReader``.
public struct TarEntry: Sendable, Equatable {
    /// The entry's file type.
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink, hardlink, other
    }

    /// The stored path (UTF-8), exactly as in the archive (directories usually end in "/").
    public var name: String
    public var kind: Kind
    /// Permission bits (`0o7777` mask).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    public var uname: String
    public var gname: String
    /// Seconds since the epoch.
    public var mtime: Int64
    /// Symlink or hard link target; empty for other entries.
    public var linkname: String
    public var size: Int64
    /// The entry's bytes (empty unless contents were requested).
    public var contents: [UInt8]
    /// Whether the entry carried an access time or change time (a deterministic archive has neither).
    public var hasAtimeOrCtime: Bool
}

/// Reads tar archives held in memory, so tests can check what ``TarWriter`` and the build context wrote.
public enum TarReader {
    /// Lists the entries of the tar in `bytes`, in stored order, optionally with their contents.
    public static func entries(in bytes: [UInt8], includeContents: Bool = true) throws -> [TarEntry] {
        guard let archive = archive_read_new() else {
            throw ArchiveError(message: "libarchive could not allocate a tar reader")
        }
        defer { archive_read_free(archive) }
        archive_read_support_format_tar(archive)
        // Image layers are gzip tars.
        archive_read_support_filter_gzip(archive)

        return try UTF8Locale.run { try read(archive, bytes, includeContents: includeContents) }
    }

    private static func read(_ archive: OpaquePointer, _ bytes: [UInt8], includeContents: Bool) throws -> [TarEntry] {
        try bytes.withUnsafeBytes { raw -> [TarEntry] in
            func failure(_ action: String) -> ArchiveError {
                let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
                return ArchiveError(message: "could not \(action): \(detail)")
            }
            if archive_read_open_memory(archive, raw.baseAddress, raw.count) != ARCHIVE_OK {
                throw failure("open the tar")
            }
            var result: [TarEntry] = []
            var entryPointer: OpaquePointer?
            while true {
                let status = archive_read_next_header(archive, &entryPointer)
                if status == ARCHIVE_EOF { break }
                guard status >= ARCHIVE_WARN, let entry = entryPointer else { throw failure("read a tar header") }
                var item = TarEntry(
                    name: string(archive_entry_pathname_utf8(entry)) ?? string(archive_entry_pathname(entry)) ?? "",
                    kind: kind(of: archive_entry_filetype(entry), isHardlink: archive_entry_hardlink(entry) != nil),
                    mode: UInt32(archive_entry_perm(entry)),
                    uid: Int(archive_entry_uid(entry)),
                    gid: Int(archive_entry_gid(entry)),
                    uname: string(archive_entry_uname(entry)) ?? "",
                    gname: string(archive_entry_gname(entry)) ?? "",
                    mtime: Int64(archive_entry_mtime(entry)),
                    linkname: string(archive_entry_symlink_utf8(entry)) ?? string(archive_entry_hardlink(entry)) ?? "",
                    size: Int64(archive_entry_size(entry)),
                    contents: [],
                    hasAtimeOrCtime: archive_entry_atime_is_set(entry) != 0 || archive_entry_ctime_is_set(entry) != 0)
                if includeContents && item.size > 0 {
                    var data = [UInt8](repeating: 0, count: Int(item.size))
                    let read = data.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                    if read < 0 { throw failure("read the contents of \(item.name)") }
                    data.removeSubrange(read...)
                    item.contents = data
                }
                result.append(item)
            }
            return result
        }
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func kind(of fileType: UInt32, isHardlink: Bool) -> TarEntry.Kind {
        if isHardlink { return .hardlink }
        switch fileType {
        case CLIBARCHIVE_AE_IFREG: return .file
        case CLIBARCHIVE_AE_IFDIR: return .directory
        case CLIBARCHIVE_AE_IFLNK: return .symlink
        default: return .other
        }
    }
}
