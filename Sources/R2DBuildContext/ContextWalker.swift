#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One entry of the context, in the order it is stored.
enum WalkEntry {
    /// A directory; `path` ends in "/".
    case directory(path: String)
    /// A file whose bytes are in memory (generated files, replacements, or listing only).
    case bytes(path: String, mode: UInt32, contents: [UInt8])
    /// A file on disk, open for reading; the walker closes `fd` after the visit.
    case diskFile(path: String, mode: UInt32, fd: Int32, size: Int64, diskPath: String)
    /// A symbolic link, target verbatim.
    case symlink(path: String, target: String)
}

/// Walks the context in its stored order: byte order of names at each level, depth-first, directory first.
///
/// The disk is read relative to open directory descriptors with `O_NOFOLLOW`, so a symlink is never followed
/// and nothing outside `root` is read even if the tree changes during the walk.
///
/// Git metadata policy: a `.git` directory (at the root or anywhere below) is packed, minus the files that
/// differ between two clones of one commit or change while git runs: `logs/`, `FETCH_HEAD`, `ORIG_HEAD` and
/// `gk-*` directly inside `.git`, and `*.lock` anywhere inside it. The `index` (which records stat data of
/// the checkout) is expected in `replacements`, where the caller puts canonical bytes.
struct ContextWalker {
    private let spec: BuildContextSpec
    private let openFiles: Bool
    private let checkCancelled: () throws -> Void
    private let visit: (WalkEntry) throws -> Void
    private let keepAlways: Set<String>
    private let keepAlwaysAncestors: Set<String>
    private let replacements: [String: [UInt8]]
    private let replacementFiles: [String: String]
    /// Directories waiting to be stored until one of their descendants is (excluded directories walked for
    /// exceptions, prefix and generated-file parents).
    private var pending: [String] = []

    /// `openFiles: false` lists files without opening them (for `entries`).
    init(
        spec: BuildContextSpec, openFiles: Bool, checkCancelled: @escaping () throws -> Void,
        visit: @escaping (WalkEntry) throws -> Void
    ) {
        self.spec = spec
        self.openFiles = openFiles
        self.checkCancelled = checkCancelled
        self.visit = visit
        let keep = spec.keepAlways.map(Self.relative)
        self.keepAlways = Set(keep)
        var ancestors = Set<String>()
        for path in keep {
            var components = path.split(separator: "/").dropLast()
            while !components.isEmpty {
                ancestors.insert(components.joined(separator: "/"))
                components = components.dropLast()
            }
        }
        self.keepAlwaysAncestors = ancestors
        self.replacements = Dictionary(spec.replacements.map { (Self.relative($0.key), $0.value) }) { first, _ in first }
        self.replacementFiles = Dictionary(spec.replacementFiles.map { (Self.relative($0.key), $0.value) }) { first, _ in first }
    }

    /// Walks everything, calling `visit` for each entry in order.
    mutating func run() throws {
        let top = try makeVirtualTree()
        let rootFD = open(spec.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else {
            throw BuildContextError.rootUnavailable(path: spec.root, reason: errnoText())
        }
        defer { close(rootFD) }
        let disk = top.holdsDiskRoot ? DiskDirectory(fd: rootFD, relative: "") : nil
        try walk(contextDirectory: "", virtual: top, disk: disk, rootFD: rootFD, gitLevel: nil)
    }

    // MARK: - Virtual tree (prefix directories and generated files)

    private final class VirtualDirectory {
        var directories: [String: VirtualDirectory] = [:]
        var files: [String: ContextFile] = [:]
        /// Its contents include the files of `root` (the prefix directory, or the context root for prefix "").
        var holdsDiskRoot = false
        /// Stored even when empty.
        var eager = false
    }

    private func makeVirtualTree() throws -> VirtualDirectory {
        let top = VirtualDirectory()
        let prefix = spec.prefix.split(separator: "/").map(String.init)
        var node = top
        for name in prefix {
            let child = VirtualDirectory()
            node.directories[name] = child
            node = child
        }
        node.holdsDiskRoot = true
        node.eager = !prefix.isEmpty && spec.emptyRootDirectory

        for file in spec.generatedFiles {
            let cleaned = PathText.clean(file.path)
            let components = cleaned.split(separator: "/").map(String.init)
            guard !cleaned.hasPrefix("/"), cleaned != ".", !components.contains("..") else {
                throw BuildContextError.invalidGeneratedPath(path: file.path)
            }
            var parent = top
            for name in components.dropLast() {
                if parent.files[name] != nil { throw BuildContextError.duplicateEntry(path: cleaned) }
                if let existing = parent.directories[name] {
                    parent = existing
                } else {
                    let created = VirtualDirectory()
                    parent.directories[name] = created
                    parent = created
                }
            }
            guard let name = components.last, parent.files[name] == nil, parent.directories[name] == nil else {
                throw BuildContextError.duplicateEntry(path: cleaned)
            }
            parent.files[name] = file
        }
        return top
    }

    // MARK: - Walk

    private struct DiskDirectory {
        let fd: Int32
        /// Path relative to root, "" or ending in "/".
        let relative: String
    }

    private enum DiskItem {
        case skip
        case directory(fd: Int32, excluded: Bool)
        case file(WalkEntry)
        case symlink(target: String)
    }

    private struct Child {
        var name: String
        var virtualDirectory: VirtualDirectory?
        var virtualFile: ContextFile?
        var onDisk = false
    }

    private mutating func walk(
        contextDirectory: String, virtual: VirtualDirectory?, disk: DiskDirectory?, rootFD: Int32, gitLevel: Int?
    ) throws {
        for child in try children(virtual: virtual, disk: disk) {
            try checkCancelled()
            let contextPath = contextDirectory + child.name
            var item = DiskItem.skip
            if child.onDisk, let disk {
                item = try inspect(child.name, in: disk, contextPath: contextPath, gitLevel: gitLevel)
            }

            if let file = child.virtualFile {
                if case .skip = item {
                } else {
                    Self.release(item)
                    throw BuildContextError.duplicateEntry(path: contextPath)
                }
                try emit(.bytes(path: contextPath, mode: Self.normalisedMode(file.mode), contents: file.contents))
                continue
            }

            switch item {
            case .skip:
                if let directory = child.virtualDirectory {
                    let diskRoot = directory.holdsDiskRoot ? DiskDirectory(fd: rootFD, relative: "") : nil
                    try descend(
                        into: contextPath + "/", eager: directory.eager, virtual: directory, disk: diskRoot,
                        rootFD: rootFD, gitLevel: nil)
                }
            case .file(let entry):
                defer { Self.release(item) }
                if child.virtualDirectory != nil { throw BuildContextError.duplicateEntry(path: contextPath) }
                try emit(entry)
            case .symlink(let target):
                if child.virtualDirectory != nil { throw BuildContextError.duplicateEntry(path: contextPath) }
                try emit(.symlink(path: contextPath, target: target))
            case .directory(let fd, let excluded):
                defer { close(fd) }
                let relative = (disk?.relative ?? "") + child.name + "/"
                let level: Int? = child.name == ".git" ? 0 : gitLevel.map { $0 + 1 }
                try descend(
                    into: contextPath + "/", eager: !excluded || (child.virtualDirectory?.eager ?? false),
                    virtual: child.virtualDirectory, disk: DiskDirectory(fd: fd, relative: relative),
                    rootFD: rootFD, gitLevel: level)
            }
        }
    }

    /// The entries of one directory, virtual and on disk merged by name, in byte order of their names.
    private func children(virtual: VirtualDirectory?, disk: DiskDirectory?) throws -> [Child] {
        var children: [String: Child] = [:]
        for (name, directory) in virtual?.directories ?? [:] {
            children[name, default: Child(name: name)].virtualDirectory = directory
        }
        for (name, file) in virtual?.files ?? [:] {
            children[name, default: Child(name: name)].virtualFile = file
        }
        if let disk {
            for name in try listNames(disk) {
                children[name, default: Child(name: name)].onDisk = true
            }
        }
        return children.values.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// Closes the descriptor an inspected item holds, if any.
    private static func release(_ item: DiskItem) {
        switch item {
        case .directory(let fd, _), .file(.diskFile(_, _, let fd, _, _)):
            if fd >= 0 { _ = close(fd) }
        default:
            break
        }
    }

    private mutating func descend(
        into path: String, eager: Bool, virtual: VirtualDirectory?, disk: DiskDirectory?, rootFD: Int32,
        gitLevel: Int?
    ) throws {
        if eager {
            try emit(.directory(path: path))
        } else {
            pending.append(path)
        }
        try walk(contextDirectory: path, virtual: virtual, disk: disk, rootFD: rootFD, gitLevel: gitLevel)
        if pending.last == path { pending.removeLast() }
    }

    private mutating func emit(_ entry: WalkEntry) throws {
        for directory in pending {
            try visit(.directory(path: directory))
        }
        pending.removeAll()
        try visit(entry)
    }

    /// Decides what a name on disk contributes; opens directories (and files when reading contents).
    private func inspect(_ name: String, in disk: DiskDirectory, contextPath: String, gitLevel: Int?) throws -> DiskItem {
        if let gitLevel, Self.isVolatileGitFile(name, level: gitLevel) { return .skip }
        let relative = disk.relative + name
        let displayPath = displayPath(relative)
        var info = stat()
        guard fstatat(disk.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw errno == ENOENT
                ? BuildContextError.vanished(path: displayPath)
                : BuildContextError.unreadable(path: displayPath, reason: errnoText())
        }
        let excluded = !keepAlways.contains(relative) && spec.ignore.isExcluded(relative)
        switch info.st_mode & Self.typeMask {
        case Self.typeDirectory:
            if excluded && !spec.ignore.exceptionCouldMatchBelow(relative) && !keepAlwaysAncestors.contains(relative) {
                return .skip
            }
            let fd = openat(disk.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw openError(displayPath) }
            return .directory(fd: fd, excluded: excluded)
        case Self.typeRegular:
            if excluded { return .skip }
            let mode = Self.normalisedMode(UInt32(info.st_mode))
            if let replacement = replacements[relative] {
                return .file(.bytes(path: contextPath, mode: mode, contents: replacement))
            }
            if let replacement = replacementFiles[relative] {
                return .file(try diskFile(contextPath, mode: mode, directoryFD: AT_FDCWD, name: replacement, displayPath: replacement))
            }
            // Listing only: the size from the directory's stat, no descriptor (-1).
            guard openFiles else {
                return .file(.diskFile(path: contextPath, mode: mode, fd: -1, size: Int64(info.st_size), diskPath: displayPath))
            }
            return .file(try diskFile(contextPath, mode: mode, directoryFD: disk.fd, name: name, displayPath: displayPath))
        case Self.typeSymlink:
            if excluded { return .skip }
            return .symlink(target: try readLink(name, in: disk, displayPath: displayPath, sizeHint: Int(info.st_size)))
        default:
            // Sockets, fifos and devices cannot be meaningfully sent to a builder.
            return .skip
        }
    }

    /// The regular file `name` (relative to `directoryFD`, or absolute), opened when reading contents; listing
    /// only takes its size from a stat (descriptor -1).
    private func diskFile(
        _ contextPath: String, mode: UInt32, directoryFD: Int32, name: String, displayPath: String
    ) throws -> WalkEntry {
        guard openFiles else {
            var info = stat()
            guard fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw openError(displayPath) }
            return .diskFile(path: contextPath, mode: mode, fd: -1, size: Int64(info.st_size), diskPath: displayPath)
        }
        let fd = openat(directoryFD, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw openError(displayPath) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, opened.st_mode & Self.typeMask == Self.typeRegular else {
            close(fd)
            throw BuildContextError.vanished(path: displayPath)
        }
        return .diskFile(path: contextPath, mode: mode, fd: fd, size: Int64(opened.st_size), diskPath: displayPath)
    }

    private func listNames(_ disk: DiskDirectory) throws -> [String] {
        let displayPath = displayPath(disk.relative.isEmpty ? "" : String(disk.relative.dropLast()))
        let listFD = dup(disk.fd)
        guard listFD >= 0, let directory = fdopendir(listFD) else {
            let reason = errnoText()
            if listFD >= 0 { close(listFD) }
            throw BuildContextError.unreadable(path: displayPath, reason: reason)
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw BuildContextError.unreadable(path: displayPath, reason: errnoText()) }
                break
            }
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                let shown = String(decoding: bytes, as: UTF8.self)
                throw BuildContextError.nonUTF8Name(path: self.displayPath(disk.relative + shown))
            }
            names.append(name)
        }
        return names
    }

    private func readLink(_ name: String, in disk: DiskDirectory, displayPath: String, sizeHint: Int) throws -> String {
        var capacity = max(sizeHint + 1, 256)
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let length = buffer.withUnsafeMutableBufferPointer { pointer in
                pointer.withMemoryRebound(to: CChar.self) { chars -> Int in
                    guard let base = chars.baseAddress else { return -1 }
                    return readlinkat(disk.fd, name, base, capacity)
                }
            }
            guard length >= 0 else { throw openError(displayPath) }
            if length < capacity {
                guard let target = String(validating: buffer[..<length], as: UTF8.self) else {
                    throw BuildContextError.nonUTF8Name(path: displayPath)
                }
                return target
            }
            capacity *= 2
        }
    }

    private func openError(_ displayPath: String) -> BuildContextError {
        switch errno {
        case ENOENT, ELOOP, ENOTDIR, EINVAL: return .vanished(path: displayPath)
        default: return .unreadable(path: displayPath, reason: errnoText())
        }
    }

    private func displayPath(_ relative: String) -> String {
        if relative.isEmpty { return spec.root }
        return spec.root.hasSuffix("/") ? spec.root + relative : spec.root + "/" + relative
    }

    // MARK: - Policies

    private static let typeMask: UInt32 = 0o170000
    private static let typeDirectory: UInt32 = 0o040000
    private static let typeRegular: UInt32 = 0o100000
    private static let typeSymlink: UInt32 = 0o120000

    /// 0755 if any execute bit is set, else 0644: only executability survives, so umask and chmod do not matter.
    static func normalisedMode(_ mode: UInt32) -> UInt32 {
        mode & 0o111 != 0 ? 0o755 : 0o644
    }

    /// `level` 0 means the name is directly inside a `.git` directory.
    static func isVolatileGitFile(_ name: String, level: Int) -> Bool {
        if name.hasSuffix(".lock") { return true }
        guard level == 0 else { return false }
        return name == "logs" || name == "FETCH_HEAD" || name == "ORIG_HEAD" || name.hasPrefix("gk-")
    }

    /// Normalises a caller-given relative path ("./a//b/" → "a/b").
    static func relative(_ path: String) -> String {
        var cleaned = PathText.clean(path)
        while cleaned.hasPrefix("/") { cleaned.removeFirst() }
        return cleaned
    }
}

/// The text of the current `errno`.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
