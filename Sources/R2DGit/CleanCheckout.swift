import CLibGit2
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The answer of the fast cleanliness check: certain, or "ask libgit2's full status".
enum CleanCheckVerdict: Equatable, Sendable {
    /// The work tree is exactly HEAD: index tree = HEAD's tree, every indexed file unchanged by stat, no other file.
    case clean
    /// Something the fast check does not decide; the reason names it (for tests and debugging).
    case undecided(String)
}

/// Decides "this work tree is a clean checkout of HEAD" the way git itself trusts its index, at a fraction of the
/// cost of `git_status_list_new` with untracked and ignored files (one `lstat` per file, one `getdents` per directory,
/// no tree objects inflated, no ignore rules evaluated):
///
/// - staged changes: the index's cache tree (TREE extension) root must be valid and equal HEAD's tree id;
/// - modified or deleted files: every index entry must exist with stat data identical to the index's and not be
///   racily clean (modified in the same instant the index was written);
/// - untracked and ignored files: a sorted walk of the work tree (minus the top `.git`) must meet exactly the index's
///   paths, in the index's order, and every directory must hold a tracked file (libgit2 reports an untracked empty
///   directory). Ignored files are not told apart from untracked ones: both go into the build context, so both make
///   the tree dirty.
///
/// Anything unusual (no or invalidated cache tree, index version 4, split or sparse index, conflicts, submodules,
/// assume-unchanged or skip-worktree entries, special files, any stat difference, any extra or missing file) answers
/// `.undecided`; the caller then runs the full status, so the fast path only ever says "clean" when it is certain.
enum CleanCheckout {
    static func check(
        workTree: String, gitDirectory: String, headTree: UnsafePointer<git_oid>,
        parallelThreshold: Int = defaultParallelThreshold
    ) -> CleanCheckVerdict {
        let indexPath = gitDirectory.hasSuffix("/") ? gitDirectory + "index" : gitDirectory + "/index"
        let indexFD = open(indexPath, O_RDONLY | O_CLOEXEC)
        guard indexFD >= 0 else { return .undecided("cannot open \(indexPath)") }
        defer { close(indexFD) }
        var indexStat = stat()
        guard fstat(indexFD, &indexStat) == 0, indexStat.st_size >= 32 else { return .undecided("index too small") }
        let size = Int(indexStat.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, indexFD, 0), mapped != MAP_FAILED else {
            return .undecided("cannot map the index")
        }
        defer { munmap(mapped, size) }
        let bytes = UnsafeRawBufferPointer(start: mapped, count: size)

        let index: ParsedIndex
        switch ParsedIndex.parse(bytes, headTree: headTree) {
        case .success(let parsed): index = parsed
        case .failure(let reason): return .undecided(reason.text)
        }
        let indexTime = (UInt32(truncatingIfNeeded: indexStat.st_mtim.tv_sec), UInt32(truncatingIfNeeded: indexStat.st_mtim.tv_nsec))

        let rootFD = open(workTree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { return .undecided("cannot open \(workTree)") }
        defer { close(rootFD) }
        let shared = SharedIndex(index: index, bytes: bytes, indexTime: indexTime)
        // The top level is walked here; its directories become subtrees, walked in parallel on a large tree
        // (the lstat calls are most of the cost, and each subtree owns a contiguous run of index entries).
        var top = SortedWalk(shared: shared, cursor: 0, prefix: [])
        var subtrees: [Subtree] = []
        defer { subtrees.forEach { close($0.fd) } }
        let collect: ((Subtree) -> Void)? = index.entries.count >= parallelThreshold ? { subtrees.append($0) } : nil
        if let reason = top.walk(directoryFD: rootFD, isTop: true, deferDirectory: collect) { return .undecided(reason) }
        guard top.cursor == index.entries.count else { return .undecided("an indexed file is missing") }
        if let reason = walkInParallel(subtrees, shared: shared) { return .undecided(reason) }
        return .clean
    }

    /// Index size from which top-level directories are walked on several threads.
    static let defaultParallelThreshold = 4096

    /// Walks `subtrees` on up to four threads, in contiguous groups of about equal entry counts.
    private static func walkInParallel(_ subtrees: [Subtree], shared: SharedIndex) -> String? {
        guard !subtrees.isEmpty else { return nil }
        let total = subtrees.reduce(0) { $0 + $1.range.count }
        let groupCount = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount, subtrees.count))
        var groups: [[Subtree]] = Array(repeating: [], count: groupCount)
        var accumulated = 0
        for subtree in subtrees {
            let group = min(groupCount - 1, accumulated * groupCount / max(total, 1))
            groups[group].append(subtree)
            accumulated += subtree.range.count
        }
        let reasons = ReasonSlots(count: groupCount)
        let planned = groups
        let work: @Sendable (Int) -> Void = { group in
            for subtree in planned[group] {
                var walk = SortedWalk(shared: shared, cursor: subtree.range.lowerBound, prefix: subtree.prefix)
                if let reason = walk.walk(directoryFD: subtree.fd, isTop: false, deferDirectory: nil) {
                    reasons.set(group, reason)
                    return
                }
                if walk.cursor != subtree.range.upperBound {
                    reasons.set(group, "an indexed file is missing")
                    return
                }
                if reasons.anySet { return }
            }
        }
        if groupCount == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: groupCount, execute: work)
        }
        return reasons.first
    }
}

/// A directory whose walk is deferred: its open descriptor, its path with a trailing "/", its index entries.
private struct Subtree {
    var fd: Int32
    var prefix: [UInt8]
    var range: Range<Int>
}

/// The parsed index and the mapped file, shared read-only by the walking threads.
private final class SharedIndex: @unchecked Sendable {
    let index: ParsedIndex
    let bytes: UnsafeRawBufferPointer
    let indexTime: (UInt32, UInt32)

    init(index: ParsedIndex, bytes: UnsafeRawBufferPointer, indexTime: (UInt32, UInt32)) {
        self.index = index
        self.bytes = bytes
        self.indexTime = indexTime
    }
}

/// One "why not clean" per thread.
private final class ReasonSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var reasons: [String?]

    init(count: Int) {
        reasons = Array(repeating: nil, count: count)
    }

    func set(_ slot: Int, _ reason: String) {
        lock.lock()
        reasons[slot] = reason
        lock.unlock()
    }

    var anySet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return reasons.contains { $0 != nil }
    }

    var first: String? {
        lock.lock()
        defer { lock.unlock() }
        return reasons.lazy.compactMap { $0 }.first
    }
}

/// The parts of a version 2/3 index file the check needs, as offsets into the mapped file.
private struct ParsedIndex {
    struct Entry {
        /// Offset of the entry's stat data.
        var offset: Int
        var pathStart: Int
        var pathLength: Int
    }

    struct Failure: Error {
        var text: String
    }

    var entries: [Entry]

    static func parse(_ bytes: UnsafeRawBufferPointer, headTree: UnsafePointer<git_oid>) -> Result<ParsedIndex, Failure> {
        let end = bytes.count - 20  // trailing checksum
        guard bytes.count >= 32, bytes.u32(0) == 0x4449_5243 else { return .failure(Failure(text: "not an index file")) }
        let version = bytes.u32(4)
        guard version == 2 || version == 3 else { return .failure(Failure(text: "index version \(version)")) }
        let count = Int(bytes.u32(8))
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var offset = 12
        for _ in 0..<count {
            guard offset + 62 <= end else { return .failure(Failure(text: "truncated index")) }
            let flags = bytes.u16(offset + 60)
            var header = 62
            if flags & 0x4000 != 0 {
                guard version >= 3, offset + 64 <= end else { return .failure(Failure(text: "bad extended flags")) }
                // skip-worktree or intent-to-add: the work tree is not meant to match the index there.
                if bytes.u16(offset + 62) != 0 { return .failure(Failure(text: "skip-worktree or intent-to-add entry")) }
                header = 64
            }
            if flags & 0x8000 != 0 { return .failure(Failure(text: "assume-unchanged entry")) }
            if (flags >> 12) & 3 != 0 { return .failure(Failure(text: "unmerged entry")) }
            let mode = bytes.u32(offset + 24)
            if mode & 0o170000 == 0o160000 { return .failure(Failure(text: "submodule entry")) }
            let pathStart = offset + header
            var pathLength = Int(flags & 0xFFF)
            if pathLength == 0xFFF {
                guard let nul = (pathStart..<end).first(where: { bytes[$0] == 0 }) else {
                    return .failure(Failure(text: "truncated index path"))
                }
                pathLength = nul - pathStart
            }
            guard pathStart + pathLength < end, bytes[pathStart + pathLength] == 0 else {
                return .failure(Failure(text: "bad index path"))
            }
            entries.append(Entry(offset: offset, pathStart: pathStart, pathLength: pathLength))
            // Entries are padded with 1–8 NULs to a multiple of 8 bytes.
            offset += (header + pathLength + 8) & ~7
        }

        var treeMatches = false
        var sawTree = false
        while offset + 8 <= end {
            let signature = bytes.u32(offset)
            let length = Int(bytes.u32(offset + 4))
            let data = offset + 8
            guard data + length <= end else { return .failure(Failure(text: "truncated index extension")) }
            let first = UInt8(truncatingIfNeeded: signature >> 24)
            if signature == 0x5452_4545 {  // "TREE": the root comes first, with an empty path
                sawTree = true
                treeMatches = rootTreeMatches(bytes, from: data, to: data + length, headTree: headTree)
            } else if first >= 0x61 && first <= 0x7A {
                // Lower-case signatures (link, sdir) are extensions a reader must understand.
                return .failure(Failure(text: "required index extension"))
            }
            offset = data + length
        }
        guard sawTree else { return .failure(Failure(text: "no cache tree")) }
        guard treeMatches else { return .failure(Failure(text: "cache tree invalid or not HEAD's tree")) }
        return .success(ParsedIndex(entries: entries))
    }

    /// The TREE extension's root record is `\0<entry count> <subtrees>\n<oid>`; a count of -1 means invalidated.
    private static func rootTreeMatches(
        _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, headTree: UnsafePointer<git_oid>
    ) -> Bool {
        guard start < end, bytes[start] == 0 else { return false }
        var position = start + 1
        guard position < end, bytes[position] != 0x2D else { return false }  // "-1"
        while position < end, bytes[position] != 0x0A { position += 1 }
        position += 1
        guard position + 20 <= end else { return false }
        return withUnsafeBytes(of: headTree.pointee.id) { head in
            guard let headBase = head.baseAddress, let base = bytes.baseAddress else { return false }
            return memcmp(headBase, base + position, 20) == 0
        }
    }
}

/// Walks the work tree in the index's order (byte order of full paths, so a directory sorts as its name plus "/")
/// and matches each file against the next index entry.
private struct SortedWalk {
    let shared: SharedIndex
    var cursor: Int
    /// Path of the directory being walked, relative to the top, ending in "/" (empty at the top).
    var prefix: [UInt8]

    /// `getdents64`'s buffer, one per walk (one per thread) rather than one per directory.
    private var direntBuffer = [UInt8](repeating: 0, count: 32 * 1024)

    init(shared: SharedIndex, cursor: Int, prefix: [UInt8]) {
        self.shared = shared
        self.cursor = cursor
        self.prefix = prefix
        self.prefix.reserveCapacity(1024)
    }

    /// A directory's names in one buffer (each NUL-terminated), to avoid an allocation per name.
    private struct Listing {
        var names: [UInt8] = []
        var items: [Item] = []

        struct Item {
            var start: Int
            /// Without the NUL.
            var length: Int
            var isDirectory: Bool
        }
    }

    /// nil when everything below matched; otherwise why not. With `deferDirectory`, subdirectories are not
    /// walked but handed over with their index entries.
    mutating func walk(directoryFD: Int32, isTop: Bool, deferDirectory: ((Subtree) -> Void)?) -> String? {
        guard var listing = list(directoryFD, isTop: isTop) else { return "cannot list a directory" }
        listing.names.withUnsafeBufferPointer { names in
            listing.items.sort { Self.precedes($0, $1, names) }
        }
        for item in listing.items {
            if item.isDirectory {
                let fd = listing.names.withUnsafeBufferPointer { names in
                    names.withMemoryRebound(to: CChar.self) { chars in
                        chars.baseAddress.map { openat(directoryFD, $0 + item.start, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
                            ?? -1
                    }
                }
                guard fd >= 0 else { return "cannot open a directory" }
                let saved = prefix.count
                prefix.append(contentsOf: listing.names[item.start..<(item.start + item.length)])
                prefix.append(0x2F)
                defer { prefix.removeSubrange(saved...) }
                if let deferDirectory {
                    let start = cursor
                    while cursor < shared.index.entries.count, entryHasPrefix(shared.index.entries[cursor]) { cursor += 1 }
                    deferDirectory(Subtree(fd: fd, prefix: prefix, range: start..<cursor))
                    if start == cursor { return "directory without tracked files" }
                    continue
                }
                let start = cursor
                let reason = walk(directoryFD: fd, isTop: false, deferDirectory: nil)
                close(fd)
                if let reason { return reason }
                // libgit2's status reports an untracked empty directory, and the build context would carry it.
                if start == cursor { return "directory without tracked files" }
                continue
            }
            var info = stat()
            let statCode = listing.names.withUnsafeBufferPointer { names in
                names.withMemoryRebound(to: CChar.self) { chars in
                    chars.baseAddress.map { fstatat(directoryFD, $0 + item.start, &info, AT_SYMLINK_NOFOLLOW) } ?? -1
                }
            }
            guard statCode == 0 else { return "cannot stat a file" }
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG || type == S_IFLNK else { return "special file" }
            guard cursor < shared.index.entries.count else { return "file not in the index" }
            let entry = shared.index.entries[cursor]
            let name = listing.names[item.start..<(item.start + item.length)]
            guard pathMatches(entry, name: name) else {
                let found = String(decoding: prefix + name, as: UTF8.self)
                let expected = String(
                    decoding: UnsafeRawBufferPointer(rebasing: shared.bytes[entry.pathStart..<(entry.pathStart + entry.pathLength)]),
                    as: UTF8.self)
                return "found \(found) where the index has \(expected)"
            }
            if let reason = statMatches(entry, info) { return reason }
            cursor += 1
        }
        return nil
    }

    /// Names in a directory, minus "." and "..", and minus ".git" at the top; nil if it cannot be read.
    /// Reads with `getdents64` on the directory's own descriptor (fresh, at offset 0): `readdir` would need a
    /// `dup`, `fdopendir`'s `fcntl`s and a `closedir`, thousands more system calls on a large tree.
    private mutating func list(_ directoryFD: Int32, isTop: Bool) -> Listing? {
        var listing = Listing()
        listing.names.reserveCapacity(1024)
        while true {
            let count = direntBuffer.withUnsafeMutableBytes { r2d_getdents64(directoryFD, $0.baseAddress, UInt($0.count)) }
            if count < 0 { return nil }
            if count == 0 { return listing }
            var offset = 0
            while offset + 19 < count {
                // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
                let recordLength = Int(direntBuffer[offset + 16]) | Int(direntBuffer[offset + 17]) << 8
                guard recordLength > 19, offset + recordLength <= count else { return nil }
                let type = direntBuffer[offset + 18]
                let nameStart = offset + 19
                var nameEnd = nameStart
                while nameEnd < offset + recordLength && direntBuffer[nameEnd] != 0 { nameEnd += 1 }
                offset += recordLength
                let name = direntBuffer[nameStart..<nameEnd]
                let length = name.count
                if (length == 1 && name.first == 0x2E) || (length == 2 && name.elementsEqual([0x2E, 0x2E]))
                    || (isTop && length == 4 && name.elementsEqual([0x2E, 0x67, 0x69, 0x74]))
                {  // ".", "..", ".git"
                    continue
                }
                let start = listing.names.count
                listing.names.append(contentsOf: name)
                listing.names.append(0)
                var isDirectory = type == UInt8(DT_DIR)
                if type == UInt8(DT_UNKNOWN) {
                    var info = stat()
                    let code = listing.names.withUnsafeBufferPointer { names in
                        names.withMemoryRebound(to: CChar.self) { chars in
                            chars.baseAddress.map { fstatat(directoryFD, $0 + start, &info, AT_SYMLINK_NOFOLLOW) } ?? -1
                        }
                    }
                    guard code == 0 else { return nil }
                    isDirectory = info.st_mode & S_IFMT == S_IFDIR
                }
                listing.items.append(Listing.Item(start: start, length: length, isDirectory: isDirectory))
            }
        }
    }

    /// Byte order of names, a directory's name followed by "/".
    private static func precedes(_ left: Listing.Item, _ right: Listing.Item, _ names: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        while true {
            let a: Int =
                position < left.length ? Int(names[left.start + position]) : (position == left.length && left.isDirectory ? 0x2F : -1)
            let b: Int =
                position < right.length ? Int(names[right.start + position]) : (position == right.length && right.isDirectory ? 0x2F : -1)
            if a != b { return a < b }
            if a == -1 { return false }
            position += 1
        }
    }

    /// Whether the entry's path starts with `prefix` (the directory being handed over, with its "/").
    private func entryHasPrefix(_ entry: ParsedIndex.Entry) -> Bool {
        guard entry.pathLength > prefix.count, let base = shared.bytes.baseAddress else { return false }
        return prefix.withUnsafeBytes { raw in
            raw.baseAddress.map { memcmp(base + entry.pathStart, $0, prefix.count) == 0 } ?? true
        }
    }

    private func pathMatches(_ entry: ParsedIndex.Entry, name: ArraySlice<UInt8>) -> Bool {
        guard entry.pathLength == prefix.count + name.count, let base = shared.bytes.baseAddress else { return false }
        let path = base + entry.pathStart
        let prefixMatches = prefix.withUnsafeBytes { raw in
            raw.baseAddress.map { memcmp(path, $0, prefix.count) == 0 } ?? true
        }
        guard prefixMatches else { return false }
        return name.withUnsafeBytes { raw in
            raw.baseAddress.map { memcmp(path + prefix.count, $0, name.count) == 0 } ?? false
        }
    }

    /// git's own "unchanged" test (ctime, mtime, inode, owner, size, mode; not the device), plus the racy-git rule.
    private func statMatches(_ entry: ParsedIndex.Entry, _ info: stat) -> String? {
        let bytes = shared.bytes
        let o = entry.offset
        func same(_ field: Int, _ value: some BinaryInteger) -> Bool { bytes.u32(o + field) == UInt32(truncatingIfNeeded: value) }
        guard same(0, info.st_ctim.tv_sec), same(4, info.st_ctim.tv_nsec),
            same(8, info.st_mtim.tv_sec), same(12, info.st_mtim.tv_nsec),
            same(20, info.st_ino), same(28, info.st_uid), same(32, info.st_gid), same(36, info.st_size)
        else { return "stat data differs from the index" }
        let expectedMode: UInt32
        if info.st_mode & S_IFMT == S_IFLNK {
            expectedMode = 0o120000
        } else {
            expectedMode = info.st_mode & 0o100 != 0 ? 0o100755 : 0o100644
        }
        guard bytes.u32(o + 24) == expectedMode else { return "mode differs from the index" }
        // Written in the same instant as the index: same stat data would not prove same contents.
        let indexTime = shared.indexTime
        let mtime = (bytes.u32(o + 8), bytes.u32(o + 12))
        if mtime.0 > indexTime.0 || (mtime.0 == indexTime.0 && mtime.1 >= indexTime.1) { return "racily clean entry" }
        return nil
    }
}

extension UnsafeRawBufferPointer {
    /// Big-endian 32-bit value at `offset` (the index file's byte order).
    fileprivate func u32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Big-endian 16-bit value at `offset`.
    fileprivate func u16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}
