import Foundation
import R2DBuildContext

/// Which entries a DiffCopy call asks for, from its metadata, as fsutil's FilterFS decides: `followpaths`
/// (exact paths, with their parents and everything below them), `include-patterns` and `exclude-patterns`
/// (.dockerignore syntax, e.g. the repository's own .dockerignore, which the daemon reads first). A directory
/// stays when it is selected itself or holds a selected entry, so every entry's parents are sent before it.
/// Symlinks among `followpaths` are not followed to their targets: the context's Dockerfile is a file.
struct FileSyncFilter {
    let followPaths: [String]
    let includes: IgnoreRules?
    let excludes: IgnoreRules?

    init(metadata: [String: [String]]) {
        followPaths = Self.values(metadata, "followpaths").map(Self.cleaned).filter { !$0.isEmpty }
        let include = Self.values(metadata, "include-patterns")
        let exclude = Self.values(metadata, "exclude-patterns")
        includes = include.isEmpty ? nil : IgnoreRules(patterns: include)
        excludes = exclude.isEmpty ? nil : IgnoreRules(patterns: exclude)
    }

    /// Whether the call asks only for ignore files: the Dockerfile frontend reads `.dockerignore` (or
    /// `<Dockerfile>.dockerignore`) from the context in a call of its own before the build's transfer, whose
    /// followpaths are the COPY sources, or none.
    var readsOnlyIgnoreFiles: Bool {
        !followPaths.isEmpty && followPaths.allSatisfy { $0.hasSuffix(".dockerignore") }
    }

    /// A metadata key's values, percent-decoded when `<key>-encoded` says they are (BuildKit encodes non-ASCII).
    static func values(_ metadata: [String: [String]], _ key: String) -> [String] {
        let raw = metadata[key] ?? []
        guard let flag = metadata[key + "-encoded"]?.first, flag == "1" || flag.lowercased() == "true" else { return raw }
        return raw.map { value in
            (value.replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? value
        }
    }

    private static func cleaned(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    /// The indices of the selected entries, in their order. The entries come in the context's order (a directory
    /// before its contents, its contents together), so the directories above an entry are a stack: one pass, and
    /// no table of every path, which for 200,000 files would cost more than the entries themselves.
    func select<Entries: RandomAccessCollection<ContextEntry>>(_ entries: Entries) -> Selection where Entries.Index == Int {
        if followPaths.isEmpty && includes == nil && excludes == nil { return Selection(all: entries.count) }
        var keep = [Bool](repeating: false, count: entries.count)
        var ancestors: [(position: Int, prefix: String)] = []
        for position in entries.indices {
            let entry = entries[position]
            while let last = ancestors.last, !entry.path.utf8.starts(with: last.prefix.utf8) { ancestors.removeLast() }
            if isSelected(entry.path) {
                keep[position] = true
                for ancestor in ancestors.reversed() {
                    if keep[ancestor.position] { break }
                    keep[ancestor.position] = true
                }
            }
            if entry.kind == .directory { ancestors.append((position, entry.path + "/")) }
        }
        return Selection(positions: entries.indices.lazy.filter { keep[$0] }.map { UInt32(truncatingIfNeeded: $0) })
    }

    private func isSelected(_ path: String) -> Bool {
        if !followPaths.isEmpty {
            let followed = followPaths.contains { follow in
                path == follow || follow.hasPrefix(path + "/") || path.hasPrefix(follow + "/")
            }
            if !followed { return false }
        }
        if let includes, !includes.isExcluded(path) { return false }
        if let excludes, excludes.isExcluded(path) { return false }
        return true
    }
}

/// The positions of the selected entries, in order: every entry (the common case, a context sent whole) without a
/// table, else 4 bytes a position (a snapshot holds fewer than 2^32 entries).
struct Selection: RandomAccessCollection, Sendable {
    private let all: Int?
    private let positions: [UInt32]

    init(all count: Int) { (all, positions) = (count, []) }
    init<Positions: Sequence<UInt32>>(positions: Positions) { (all, self.positions) = (nil, Array(positions)) }

    var startIndex: Int { 0 }
    var endIndex: Int { all ?? positions.count }
    subscript(id: Int) -> Int { all != nil ? id : Int(positions[id]) }
}
