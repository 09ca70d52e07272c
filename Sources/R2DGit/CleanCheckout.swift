import CLibGit2

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
///   paths, in the index's order. Ignored files are not told apart from untracked ones: both go into the build
///   context, so both make the tree dirty.
///
/// Anything unusual (no or invalidated cache tree, index version 4, split or sparse index, conflicts, submodules,
/// assume-unchanged or skip-worktree entries, special files, any stat difference, any extra or missing file) answers
/// `.undecided`; the caller then runs the full status, so the fast path only ever says "clean" when it is certain.
enum CleanCheckout {
    static func check(workTree: String, gitDirectory: String, headTree: UnsafePointer<git_oid>) -> CleanCheckVerdict {
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
        var walk = SortedWalk(index: index, bytes: bytes, indexTime: indexTime)
        if let reason = walk.walk(directoryFD: rootFD, isTop: true) { return .undecided(reason) }
        guard walk.cursor == index.entries.count else { return .undecided("an indexed file is missing") }
        return .clean
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
    let index: ParsedIndex
    let bytes: UnsafeRawBufferPointer
    let indexTime: (UInt32, UInt32)
    var cursor = 0
    /// Path of the directory being walked, relative to the top, ending in "/" (empty at the top).
    var prefix: [UInt8] = []

    init(index: ParsedIndex, bytes: UnsafeRawBufferPointer, indexTime: (UInt32, UInt32)) {
        self.index = index
        self.bytes = bytes
        self.indexTime = indexTime
        prefix.reserveCapacity(4096)
    }

    private struct Child {
        var name: [UInt8]
        var isDirectory: Bool
    }

    /// nil when everything below matched; otherwise why not.
    mutating func walk(directoryFD: Int32, isTop: Bool) -> String? {
        guard var children = list(directoryFD, isTop: isTop) else { return "cannot list a directory" }
        children.sort { left, right in
            Self.precedes(left.name, left.isDirectory, right.name, right.isDirectory)
        }
        for child in children {
            if child.isDirectory {
                let fd = withCName(child.name) { openat(directoryFD, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
                guard fd >= 0 else { return "cannot open a directory" }
                let saved = prefix.count
                prefix.append(contentsOf: child.name.dropLast())  // without its NUL
                prefix.append(0x2F)
                let reason = walk(directoryFD: fd, isTop: false)
                close(fd)
                prefix.removeSubrange(saved...)
                if let reason { return reason }
                continue
            }
            var info = stat()
            let statCode = withCName(child.name) { fstatat(directoryFD, $0, &info, AT_SYMLINK_NOFOLLOW) }
            guard statCode == 0 else { return "cannot stat a file" }
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG || type == S_IFLNK else { return "special file" }
            guard cursor < index.entries.count else { return "file not in the index" }
            let entry = index.entries[cursor]
            guard pathMatches(entry, name: child.name) else {
                let found = String(decoding: prefix + child.name.dropLast(), as: UTF8.self)
                let expected = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[entry.pathStart..<(entry.pathStart + entry.pathLength)]), as: UTF8.self)
                return "found \(found) where the index has \(expected)"
            }
            if let reason = statMatches(entry, info) { return reason }
            cursor += 1
        }
        return nil
    }

    /// Names in a directory (nil-terminated copies), minus "." and "..", and minus ".git" at the top.
    private func list(_ directoryFD: Int32, isTop: Bool) -> [Child]? {
        let listFD = dup(directoryFD)
        guard listFD >= 0 else { return nil }
        guard let directory = fdopendir(listFD) else {
            close(listFD)
            return nil
        }
        defer { closedir(directory) }
        var children: [Child] = []
        while let entry = readdir(directory) {
            var name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            if isTop && name == [0x2E, 0x67, 0x69, 0x74] { continue }  // ".git"
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                name.append(0)
                let code = withCName(name) { fstatat(directoryFD, $0, &info, AT_SYMLINK_NOFOLLOW) }
                name.removeLast()
                guard code == 0 else { return nil }
                isDirectory = info.st_mode & S_IFMT == S_IFDIR
            }
            name.append(0)
            children.append(Child(name: name, isDirectory: isDirectory))
        }
        return children
    }

    /// Byte order of names (without their trailing NUL), a directory's name followed by "/".
    private static func precedes(_ left: [UInt8], _ leftIsDirectory: Bool, _ right: [UInt8], _ rightIsDirectory: Bool) -> Bool {
        let leftCount = left.count - 1
        let rightCount = right.count - 1
        var position = 0
        while true {
            let a: Int = position < leftCount ? Int(left[position]) : (position == leftCount && leftIsDirectory ? 0x2F : -1)
            let b: Int = position < rightCount ? Int(right[position]) : (position == rightCount && rightIsDirectory ? 0x2F : -1)
            if a != b { return a < b }
            if a == -1 { return false }
            position += 1
        }
    }

    private func pathMatches(_ entry: ParsedIndex.Entry, name: [UInt8]) -> Bool {
        let nameLength = name.count - 1
        guard entry.pathLength == prefix.count + nameLength, let base = bytes.baseAddress else { return false }
        let path = base + entry.pathStart
        let prefixMatches = prefix.withUnsafeBytes { raw in
            raw.baseAddress.map { memcmp(path, $0, prefix.count) == 0 } ?? true
        }
        guard prefixMatches else { return false }
        return name.withUnsafeBytes { raw in
            raw.baseAddress.map { memcmp(path + prefix.count, $0, nameLength) == 0 } ?? false
        }
    }

    /// git's own "unchanged" test (ctime, mtime, inode, owner, size, mode; not the device), plus the racy-git rule.
    private func statMatches(_ entry: ParsedIndex.Entry, _ info: stat) -> String? {
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
        let mtime = (bytes.u32(o + 8), bytes.u32(o + 12))
        if mtime.0 > indexTime.0 || (mtime.0 == indexTime.0 && mtime.1 >= indexTime.1) { return "racily clean entry" }
        return nil
    }
}

/// Calls `body` with NUL-terminated `name` as a C string (-1 if the array has no storage, which cannot happen).
private func withCName(_ name: [UInt8], _ body: (UnsafePointer<CChar>) -> Int32) -> Int32 {
    name.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in chars.baseAddress.map(body) ?? -1 }
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
