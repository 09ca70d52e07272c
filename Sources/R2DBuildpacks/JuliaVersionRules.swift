import Foundation
import R2DBuildpackAssets

/// How repo2docker picks the Julia version (repo2docker's `buildpacks/julia/julia_project.py`): `[compat] julia` of JuliaProject.toml or
/// Project.toml (default "1.6"), matched against the released versions listed in Buildpacks/julia/versions.txt;
/// the highest match wins. The list ships with swift-r2d, so no network is needed to render.
public enum JuliaVersionRules {
    /// The compat used when the project has none.
    public static let defaultCompat = "1.6"

    /// The project file whose `[compat]` counts: JuliaProject.toml before Project.toml.
    public static func projectFile(_ s: RepoSnapshot) -> String {
        s.binderFileExists("JuliaProject.toml") ? s.binderPath("JuliaProject.toml") : s.binderPath("Project.toml")
    }

    /// The Julia version for the repository's project file.
    public static func version(_ s: RepoSnapshot, releases: [String] = BuildpackAssets.juliaReleases) throws -> String {
        let file = projectFile(s)
        return try version(compat: compat(in: TOMLFile.read(file, in: s, reader: .toml)) ?? defaultCompat, releases: releases, file: file)
    }

    /// `[compat] julia`: nil when the file, the table or the key is absent (repo2docker then uses the default,
    /// as it does when `compat` is not a table); a value that is not a string is refused.
    static func compat(in project: TOMLFile?) throws -> String? {
        guard let project, let compat = project.value(["compat"]), compat.table != nil else { return nil }
        return try project.string(["compat", "julia"])
    }

    /// The highest release that satisfies `compat`.
    public static func version(compat: String, releases: [String], file: String = "Project.toml") throws -> String {
        let ranges = try JuliaCompat.parse(compat, file: file)
        let candidates = releases.compactMap { release -> (String, [Int])? in
            guard !release.contains("-"), let parts = JuliaCompat.numbers(release, padTo: 3) else { return nil }
            return (release, parts)
        }
        let matching = candidates.filter { candidate in ranges.contains { $0.contains(candidate.1) } }
        guard let best = matching.max(by: { $0.1.lexicographicallyPrecedes($1.1) }) else {
            throw BuildpackError.noMatchingJulia(file: file, compat: compat)
        }
        return best.0
    }
}

/// Julia `[compat]` specifiers as repo2docker reads them: caret (also the bare form), tilde, and
/// `=`/`==`/`>=`/`<=`/`≥`/`≤`/`<`/`>` comparisons padded to three parts. A comma-separated list is the
/// union of its parts, as in Pkg (repo2docker itself cannot read lists).
public enum JuliaCompat {
    /// A half-open or single-sided interval of x.y.z versions.
    public struct Range: Sendable, Equatable {
        public var lower: [Int]?
        public var lowerInclusive = true
        public var upper: [Int]?
        public var upperInclusive = false

        public func contains(_ v: [Int]) -> Bool {
            if let lower {
                let c = compare(v, lower)
                if c < 0 || (c == 0 && !lowerInclusive) { return false }
            }
            if let upper {
                let c = compare(v, upper)
                if c > 0 || (c == 0 && !upperInclusive) { return false }
            }
            return true
        }
    }

    public static func parse(_ text: String, file: String) throws -> [Range] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw BuildpackError.invalidJuliaCompat(file: file, compat: text) }
        return try parts.map { try range($0, file: file, whole: text) }
    }

    static func range(_ spec: String, file: String, whole: String) throws -> Range {
        let operators = [">=", "<=", "==", "≥", "≤", "^", "~", "=", "<", ">"]
        let op = operators.first { spec.hasPrefix($0) } ?? ""
        let versionText = String(spec.dropFirst(op.count)).trimmingCharacters(in: .whitespaces)
        // Parts past a million are no Julia version, and bumping Int.max would trap.
        let given = versionText.split(separator: ".", omittingEmptySubsequences: false).map {
            Int($0).flatMap { $0 < 1_000_000 ? $0 : nil }
        }
        guard !given.isEmpty, given.count <= 3, given.allSatisfy({ $0 != nil }) else {
            throw BuildpackError.invalidJuliaCompat(file: file, compat: whole)
        }
        let v = given.compactMap { $0 }
        let padded = v + Array(repeating: 0, count: 3 - v.count)
        switch op {
        case "", "^":
            // Bump the first non-zero given part; when all given parts are zero, bump the last one.
            let bumpAt = v.firstIndex { $0 != 0 } ?? (v.count - 1)
            return Range(lower: padded, upper: bump(padded, at: bumpAt))
        case "~":
            let bumpAt: Int
            switch v.count {
            case 1: bumpAt = 0
            case 2: bumpAt = 1
            default: bumpAt = (v[0] == 0 && v[1] == 0) ? 2 : 1
            }
            return Range(lower: padded, upper: bump(padded, at: bumpAt))
        case "=", "==": return Range(lower: padded, upper: padded, upperInclusive: true)
        case ">=", "≥": return Range(lower: padded)
        case ">": return Range(lower: padded, lowerInclusive: false)
        case "<=", "≤": return Range(upper: padded, upperInclusive: true)
        default: return Range(upper: padded)
        }
    }

    static func bump(_ v: [Int], at index: Int) -> [Int] {
        var out = v
        out[index] += 1
        for i in (index + 1)..<out.count { out[i] = 0 }
        return out
    }

    /// "1.10.4" → [1, 10, 4]; nil for anything but dot-separated integers.
    static func numbers(_ text: String, padTo count: Int) -> [Int]? {
        let parts = text.split(separator: ".").map { Int($0) }
        guard !parts.isEmpty, parts.count <= count, parts.allSatisfy({ $0 != nil }) else { return nil }
        let v = parts.compactMap { $0 }
        return v + Array(repeating: 0, count: count - v.count)
    }

    static func compare(_ a: [Int], _ b: [Int]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}
