import Foundation
import R2DBasics
import R2DTOML

/// A PEP 751 lock file (`pylock.toml`, `pylock.<name>.toml`): its packages' names and versions, whether any
/// comes from the repository, and that every archive it names carries a hash. uv installs it and checks
/// the hashes; these facts decide the layer placement and the refusals at render time.
struct PylockFile {
    let file: String
    var requiresPython: String?
    var packages: [(name: String, version: String?)] = []
    /// A package installed from a directory or a local path, which only the full copy brings.
    var hasLocalSources = false

    init(bytes: [UInt8], file: String) throws {
        self.file = file
        let toml = try TOMLFile(bytes: bytes, file: file)
        guard let version = try toml.string(["lock-version"]), version == "1" || version.hasPrefix("1.") else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file,
                problem: "lock-version must be 1.x (PEP 751); export the lock again, e.g. with `uv export --format pylock.toml`.")
        }
        requiresPython = try toml.string(["requires-python"])
        for (index, value) in (toml.value(["packages"])?.array ?? []).enumerated() {
            guard let table = value.table, let name = table["name"]?.string else {
                throw BuildpackError.invalidEnvironmentFile(
                    file: file, problem: "packages entry \(index + 1) has no name; export the lock again.")
            }
            packages.append((PackageName.normalized(name), table["version"]?.string))
            if table.contains("directory") { hasLocalSources = true }
            for key in ["archive", "sdist"] { try checkArtifact(table[key]?.table, key: key, package: name) }
            for wheel in table["wheels"]?.array ?? [] { try checkArtifact(wheel.table, key: "wheels", package: name) }
        }
    }

    /// An archive, sdist or wheel needs a hash (PEP 751 requires one; uv then checks it); one with a `path`
    /// instead of a `url` is a repository file.
    mutating func checkArtifact(_ artifact: TOMLTable?, key: String, package: String) throws {
        guard let artifact else { return }
        if artifact.contains("path") && !artifact.contains("url") { hasLocalSources = true }
        guard let hashes = artifact["hashes"]?.table, !hashes.keys.isEmpty else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file,
                problem: "\(package.shortQuoted) has an entry of \(key) without hashes; a lock must carry them (PEP 751), export it again.")
        }
    }

    /// The lock file of a snapshot: `pylock.toml`, else the only `pylock.<name>.toml`; several named ones and no
    /// `pylock.toml` is ambiguous. Looked up as the other environment files are (binder directory first).
    static func path(in s: RepoSnapshot) throws -> String? {
        let plain = s.binderPath("pylock.toml")
        if s.fileExists(plain) { return plain }
        let directory = s.binderDirectory.isEmpty ? s.root : s.absolutePath(s.binderDirectory)
        let named = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(isNamedLock).sorted()
        guard named.count <= 1 else {
            throw BuildpackError.invalidEnvironmentFile(
                file: s.binderPath(named[0]),
                problem:
                    "several named locks (\(named.joined(separator: ", "))) and no pylock.toml; keep one, or add the one to build as pylock.toml."
            )
        }
        return named.first.map(s.binderPath).flatMap { s.fileExists($0) ? $0 : nil }
    }

    /// `pylock.<name>.toml` with a name of letters, digits, `-`, `_` and `.` (so the file name is a plain shell word).
    static func isNamedLock(_ file: String) -> Bool {
        guard file.hasPrefix("pylock."), file.hasSuffix(".toml"), file.count > "pylock..toml".count else { return false }
        let name = file.dropFirst("pylock.".count).dropLast(".toml".count)
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
