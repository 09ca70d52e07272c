import CLibArchive
import Foundation

/// Limits that guard extraction against archive bombs.
public struct ExtractionLimits: Sendable, Equatable {
    /// The most bytes all entries together may expand to (counted as written, not as the headers claim).
    public var maximumBytes: Int64
    /// The most entries an archive may hold.
    public var maximumEntries: Int

    /// 10 GiB and a million entries: far beyond a repository, far below a full disk.
    public init(maximumBytes: Int64 = 10 << 30, maximumEntries: Int = 1_000_000) {
        self.maximumBytes = maximumBytes
        self.maximumEntries = maximumEntries
    }
}

/// Why an archive was refused, so callers can tell unsafe input from a broken file.
public enum ExtractionRefusal: Error, CustomStringConvertible, Equatable {
    case absolutePath(archive: String, entry: String)
    case parentComponent(archive: String, entry: String)
    case escapingLink(archive: String, entry: String, target: String)
    case throughLink(archive: String, entry: String)
    case tooLarge(archive: String, limit: Int64)
    case tooManyEntries(archive: String, limit: Int)
    case unsupportedEntry(archive: String, entry: String)

    public var description: String {
        switch self {
        case .absolutePath(let archive, let entry):
            return
                "Refusing to extract \(archive): entry \(entry) has an absolute path; the archive is unsafe, ask its author for a clean one."
        case .parentComponent(let archive, let entry):
            return "Refusing to extract \(archive): entry \(entry) contains '..'; the archive is unsafe, ask its author for a clean one."
        case .escapingLink(let archive, let entry, let target):
            return "Refusing to extract \(archive): link \(entry) -> \(target) points outside the output directory; the archive is unsafe."
        case .throughLink(let archive, let entry):
            return "Refusing to extract \(archive): entry \(entry) would be written through a symbolic link; the archive is unsafe."
        case .tooLarge(let archive, let limit):
            return "Refusing to extract \(archive): it expands beyond \(limit) bytes (a possible archive bomb)."
        case .tooManyEntries(let archive, let limit):
            return "Refusing to extract \(archive): it holds more than \(limit) entries (a possible archive bomb)."
        case .unsupportedEntry(let archive, let entry):
            return "Refusing to extract \(archive): entry \(entry) is a device, fifo or socket, which a repository cannot hold."
        }
    }
}

/// Extracts zip and tar (optionally gzip/bzip2/xz-compressed) archives with libarchive, refusing every entry
/// that could write outside the output directory: absolute paths, `..` components, links leaving the
/// directory, and paths through symbolic links. Files are written by this code, not by libarchive's
/// extractor, so each check applies before anything touches the disk.
public enum ArchiveExtractor {
    /// Extracts `archivePath` into the existing directory `directory`; returns the entry paths written.
    /// On a refusal the entries already written stay inside `directory` (the caller discards it).
    @discardableResult
    public static func extract(
        archiveAt archivePath: String, into directory: String,
        limits: ExtractionLimits = ExtractionLimits()
    ) throws -> [String] {
        guard let archive = archive_read_new() else {
            throw ArchiveError(message: "libarchive could not allocate a reader for \(archivePath)")
        }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_zip(archive)
        archive_read_support_format_tar(archive)
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        let name = (archivePath as NSString).lastPathComponent
        return try UTF8Locale.run {
            var extractor = Extraction(archive: archive, root: root, name: name, limits: limits)
            return try extractor.run(path: archivePath)
        }
    }

    /// The path normalised to its components, or a refusal when it is absolute or climbs with `..`.
    static func safeComponents(_ path: String, archive: String) throws -> [String] {
        if path.hasPrefix("/") { throw ExtractionRefusal.absolutePath(archive: archive, entry: path) }
        let components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if components.contains("..") { throw ExtractionRefusal.parentComponent(archive: archive, entry: path) }
        return components.filter { $0 != "." }
    }

    /// Whether a symlink at `entry` (components) with `target` stays inside the root, resolved lexically.
    static func linkStaysInside(entry: [String], target: String) -> Bool {
        if target.hasPrefix("/") || target.isEmpty { return false }
        var stack = Array(entry.dropLast())
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if stack.isEmpty { return false }
                stack.removeLast()
            default: stack.append(String(part))
            }
        }
        return true
    }
}

private struct Extraction {
    let archive: OpaquePointer
    let root: String
    let name: String
    let limits: ExtractionLimits
    var written: Int64 = 0
    var entries: [String] = []
    var links: [String] = []

    init(archive: OpaquePointer, root: String, name: String, limits: ExtractionLimits) {
        self.archive = archive
        self.root = root
        self.name = name
        self.limits = limits
    }

    func failure(_ action: String) -> ArchiveError {
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(message: "Could not \(action) \(name): \(detail)")
    }

    mutating func run(path: String) throws -> [String] {
        guard archive_read_open_filename(archive, path, 65536) == ARCHIVE_OK else { throw failure("open") }
        var entryPointer: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entryPointer)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry = entryPointer else { throw failure("read an entry header of") }
            if entries.count >= limits.maximumEntries {
                throw ExtractionRefusal.tooManyEntries(archive: name, limit: limits.maximumEntries)
            }
            try extract(entry)
        }
        try verifyLinks()
        return entries
    }

    mutating func extract(_ entry: OpaquePointer) throws {
        let path = string(archive_entry_pathname_utf8(entry)) ?? string(archive_entry_pathname(entry)) ?? ""
        let components = try ArchiveExtractor.safeComponents(path, archive: name)
        guard !components.isEmpty else { return }
        let relative = components.joined(separator: "/")
        let destination = root + "/" + relative
        try makeParents(of: components, entry: path)

        if let hardlink = string(archive_entry_hardlink_utf8(entry)) ?? string(archive_entry_hardlink(entry)) {
            let targetComponents = try ArchiveExtractor.safeComponents(hardlink, archive: name)
            let target = root + "/" + targetComponents.joined(separator: "/")
            var info = stat()
            guard !targetComponents.isEmpty, lstat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw ExtractionRefusal.escapingLink(archive: name, entry: path, target: hardlink)
            }
            try removeExisting(destination, entry: path)
            guard link(target, destination) == 0 else { throw posix("link", path) }
            entries.append(relative)
            return
        }
        switch archive_entry_filetype(entry) {
        case CLIBARCHIVE_AE_IFDIR:
            try makeDirectory(destination, entry: path)
        case CLIBARCHIVE_AE_IFLNK:
            let target = string(archive_entry_symlink_utf8(entry)) ?? string(archive_entry_symlink(entry)) ?? ""
            guard ArchiveExtractor.linkStaysInside(entry: components, target: target) else {
                throw ExtractionRefusal.escapingLink(archive: name, entry: path, target: target)
            }
            try removeExisting(destination, entry: path)
            guard symlink(target, destination) == 0 else { throw posix("create the link", path) }
            links.append(relative)
        case CLIBARCHIVE_AE_IFREG:
            try writeFile(destination, entry: path, mode: mode_t(archive_entry_perm(entry)))
        default:
            throw ExtractionRefusal.unsupportedEntry(archive: name, entry: path)
        }
        entries.append(relative)
    }

    /// Creates the entry's parent directories, refusing a path that passes through a symbolic link.
    func makeParents(of components: [String], entry: String) throws {
        var current = root
        for component in components.dropLast() {
            current += "/" + component
            try makeDirectory(current, entry: entry)
        }
    }

    func makeDirectory(_ path: String, entry: String) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFLNK { throw ExtractionRefusal.throughLink(archive: name, entry: entry) }
            if (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw ArchiveError(message: "Could not extract \(name): entry \(entry) needs a directory where a file is.")
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw posix("create a directory for", entry) }
    }

    func removeExisting(_ path: String, entry: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ArchiveError(message: "Could not extract \(name): entry \(entry) replaces a directory.")
        }
        unlink(path)
    }

    mutating func writeFile(_ path: String, entry: String, mode: mode_t) throws {
        try removeExisting(path, entry: entry)
        // O_NOFOLLOW|O_EXCL: never write through a link planted at the destination.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode & 0o777) | 0o600)
        guard descriptor >= 0 else { throw posix("create", entry) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 { throw failure("read \(entry) from") }
            written += Int64(count)
            if written > limits.maximumBytes { throw ExtractionRefusal.tooLarge(archive: name, limit: limits.maximumBytes) }
            var offset = 0
            while offset < count {
                let result = buffer.withUnsafeBytes { raw in write(descriptor, raw.baseAddress.map { $0 + offset }, count - offset) }
                guard result > 0 else { throw posix("write", entry) }
                offset += result
            }
        }
    }

    /// Links are checked lexically when created; chains of links (a link through another link) are caught
    /// here by resolving every link that resolves.
    func verifyLinks() throws {
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        for link in links {
            guard let resolved = realpath(root + "/" + link, nil) else { continue }
            defer { free(resolved) }
            let path = String(cString: resolved)
            guard path == realRoot || path.hasPrefix(realRoot + "/") else {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + link)) ?? "?"
                unlink(root + "/" + link)
                throw ExtractionRefusal.escapingLink(archive: name, entry: link, target: target)
            }
        }
    }

    func posix(_ action: String, _ entry: String) -> ArchiveError {
        ArchiveError(message: "Could not \(action) \(entry) from \(name): \(String(cString: strerror(errno)))", kind: .read)
    }

    func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
