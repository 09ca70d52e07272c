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

    /// The indices of the selected entries, in their order.
    func select(_ entries: [ContextEntry]) -> [Int] {
        if followPaths.isEmpty && includes == nil && excludes == nil { return Array(entries.indices) }
        var keep = [Bool](repeating: false, count: entries.count)
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() { index[entry.path] = position }
        for (position, entry) in entries.enumerated() where isSelected(entry.path) {
            keep[position] = true
            var parent = entry.path
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                if let at = index[parent] { keep[at] = true }
            }
        }
        return entries.indices.filter { keep[$0] }
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
