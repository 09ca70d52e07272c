import R2DBasics
import Foundation

/// A PEP 440 version, as `packaging.version.Version` reads it (case-insensitive, `v` prefix, separators `.-_`),
/// reduced to what ordering needs: epoch, release, pre-, post- and dev-release. Local labels are kept as text.
struct PEP440Version: Comparable, Sendable {
    var epoch = 0
    var release: [Int] = []
    /// a → 0, b → 1, rc → 2, with its number.
    var pre: (rank: Int, number: Int)?
    var post: Int?
    var dev: Int?
    var local: String?

    static func == (a: Self, b: Self) -> Bool { a.key == b.key }
    static func < (a: Self, b: Self) -> Bool { a.key.lexicographicallyPrecedes(b.key) }

    /// packaging's sort key, flattened: a dev release before its pre-releases, those before the release,
    /// post-releases after it.
    var key: [Int] {
        var release = self.release
        while release.count > 1, release.last == 0 { release.removeLast() }
        let preKey: [Int]
        if let pre { preKey = [pre.rank, pre.number] } else if post == nil, dev != nil { preKey = [-1, 0] } else { preKey = [3, 0] }
        let postKey = post.map { [1, $0] } ?? [0, 0]
        let devKey = dev.map { [0, $0] } ?? [1, 0]
        return [epoch] + release + Array(repeating: 0, count: max(0, 8 - release.count)) + preKey + postKey + devKey
    }

    var isPrerelease: Bool { pre != nil || dev != nil }

    /// Parses `text` (surrounding whitespace allowed); nil when it is not a PEP 440 version.
    init?(_ text: String) {
        var s = VersionScanner(text.trimmingCharacters(in: .whitespaces).lowercased())
        _ = s.take("v")
        guard let first = s.number() else { return nil }
        if s.take("!") {
            epoch = first
            guard let start = s.number() else { return nil }
            release = [start]
        } else {
            release = [first]
        }
        while s.peekDotNumber(), s.take("."), let n = s.number() { release.append(n) }
        for (label, rank) in [("alpha", 0), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)] {
            if let n = s.label(label, separatorBefore: true) { pre = (rank, n); break }
        }
        if s.take("-"), let n = s.number() {
            post = n
        } else {
            for label in ["post", "rev", "r"] { if let n = s.label(label, separatorBefore: true) { post = n; break } }
        }
        if let n = s.label("dev", separatorBefore: true) { dev = n }
        if s.take("+") {
            let rest = s.rest
            guard !rest.isEmpty,
                rest.split(omittingEmptySubsequences: false, whereSeparator: { "-_.".contains($0) })
                    .allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
            else { return nil }
            local = rest
            s.skipAll()
        }
        guard s.atEnd else { return nil }
    }
}

/// A cursor over a lower-cased version string.
struct VersionScanner {
    private let chars: [Character]
    private var index = 0

    init(_ text: String) { chars = Array(text) }

    var atEnd: Bool { index >= chars.count }
    var rest: String { String(chars[index...]) }
    mutating func skipAll() { index = chars.count }

    mutating func take(_ c: Character) -> Bool {
        guard index < chars.count, chars[index] == c else { return false }
        index += 1
        return true
    }

    mutating func number() -> Int? {
        let start = index
        while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
        guard index > start else { return nil }
        return Int(String(chars[start..<index])) ?? Int.max
    }

    func peekDotNumber() -> Bool {
        index + 1 < chars.count && chars[index] == "." && chars[index + 1].isASCII && chars[index + 1].isNumber
    }

    /// `[-_.]?label[-_.]?N?`; the number defaults to 0. The position stays when the label is absent.
    mutating func label(_ label: String, separatorBefore: Bool) -> Int? {
        let saved = index
        if index < chars.count, "-_.".contains(chars[index]) { index += 1 }
        let word = Array(label)
        guard index + word.count <= chars.count, Array(chars[index..<(index + word.count)]) == word else {
            index = saved
            return nil
        }
        index += word.count
        let beforeNumber = index
        if index < chars.count, "-_.".contains(chars[index]) { index += 1 }
        if let n = number() { return n }
        index = beforeNumber
        return 0
    }
}

/// A PEP 440 specifier set (`>=3.9,<3.13`), as `packaging.specifiers.SpecifierSet` reads and applies it to
/// final releases. An empty set allows every version.
struct PythonSpecifierSet: Sendable {
    struct Clause: Sendable {
        var op: String
        var version: String
    }

    let clauses: [Clause]

    /// Parses `text`; throws the reason when a clause is not `operator version` as PEP 440 allows it.
    init(_ text: String) throws(SpecifierError) {
        // packaging drops empty clauses (`>=3.10,` is `>=3.10`).
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        clauses = try parts.map(Self.clause)
    }

    struct SpecifierError: Error {
        var reason: String
    }

    static func clause(_ raw: String) throws(SpecifierError) -> Clause {
        guard let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first(where: raw.hasPrefix) else {
            throw SpecifierError(reason: "\(raw.shortQuoted) has no comparison operator such as >=, ==, ~= or <")
        }
        let version = raw.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
        if op == "===" {
            guard !version.isEmpty, !version.contains(where: \.isWhitespace) else {
                throw SpecifierError(reason: "\(raw.shortQuoted) has no version")
            }
            return Clause(op: op, version: version)
        }
        let wildcard = version.hasSuffix(".*")
        let base = wildcard ? String(version.dropLast(2)) : version
        guard let parsed = PEP440Version(base) else { throw SpecifierError(reason: "\(version.shortQuoted) is not a PEP 440 version") }
        if wildcard, op != "==" && op != "!=" || wildcard && (parsed.isPrerelease || parsed.post != nil || parsed.local != nil) {
            throw SpecifierError(reason: "\(raw.shortQuoted): only == and != take a .* version")
        }
        if parsed.local != nil, op != "==" && op != "!=" {
            throw SpecifierError(reason: "\(raw.shortQuoted): only == and != take a local version (+label)")
        }
        if op == "~=", parsed.release.count < 2 {
            throw SpecifierError(reason: "\(raw.shortQuoted): ~= needs at least two release numbers, as in ~=3.10")
        }
        return Clause(op: op, version: version)
    }

    /// Whether the final release `candidate` (such as "3.10") is allowed by every clause.
    func contains(_ candidate: String) -> Bool {
        guard let v = PEP440Version(candidate) else { return false }
        return clauses.allSatisfy { Self.allows($0, v, text: candidate) }
    }

    static func allows(_ clause: Clause, _ v: PEP440Version, text: String) -> Bool {
        if clause.op == "===" { return clause.version.lowercased() == text.lowercased() }
        if clause.version.hasSuffix(".*") {
            let prefix = PEP440Version(String(clause.version.dropLast(2)))?.release ?? []
            var release = v.release
            while release.count < prefix.count { release.append(0) }
            let matches =
                v.epoch == (PEP440Version(String(clause.version.dropLast(2)))?.epoch ?? 0) && Array(release.prefix(prefix.count)) == prefix
            return clause.op == "==" ? matches : !matches
        }
        guard let spec = PEP440Version(clause.version) else { return false }
        switch clause.op {
        // A local label in the specifier must match; without one, the candidate's label does not count.
        case "==": return v == spec && (spec.local == nil || spec.local == v.local)
        case "!=": return !(v == spec && (spec.local == nil || spec.local == v.local))
        case "<=": return v <= spec
        case ">=": return v >= spec
        case "<": return v < spec
        case ">": return v > spec
        default:
            // ~=X.Y.Z: >= X.Y.Z and == X.Y.*
            let prefix = Array(spec.release.dropLast())
            var release = v.release
            while release.count < prefix.count { release.append(0) }
            return v >= spec && v.epoch == spec.epoch && Array(release.prefix(prefix.count)) == prefix
        }
    }
}
