import Foundation
import R2DTOML

/// A TOML file of the repository, parsed whole by R2DTOML (TOML 1.0). A file that is not UTF-8 or does not parse
/// is refused with its line and column, as tomllib and `toml` refuse it in repo2docker.
struct TOMLFile {
    /// Which of repo2docker's readers the file meets there: tomllib (pyproject.toml) reads TOML 1.0; the older
    /// `toml` 0.10 (Pipfile, Project.toml) also refuses an array whose values are of different types.
    enum Reader {
        case tomllib, toml
    }

    let file: String
    let root: TOMLTable

    init(bytes: [UInt8], file: String, reader: Reader = .tomllib) throws {
        self.file = file
        if reader == .tomllib, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw BuildpackError.invalidTOML(
                file: file, line: 1, column: 1,
                problem: "a byte-order mark, which tomllib (repo2docker's reader for this file) refuses; save the file as UTF-8 without BOM"
            )
        }
        do {
            root = try TOMLDocument.parse(bytes)
        } catch let error as TOMLError {
            throw BuildpackError.invalidTOML(file: file, line: error.line, column: error.column, problem: error.problem)
        }
        if reader == .toml, let key = Self.mixedArray(in: .table(root), path: []) {
            throw BuildpackError.mixedTOMLArray(file: file, key: key)
        }
    }

    /// The file at `path` of the snapshot, or nil when there is none.
    static func read(_ path: String, in snapshot: RepoSnapshot, reader: Reader = .tomllib) throws -> TOMLFile? {
        try snapshot.readBytes(path).map { try TOMLFile(bytes: $0, file: path, reader: reader) }
    }

    /// The dotted key of the first array (depth first) whose values are not all of one kind, as `toml` 0.10
    /// judges it: nested arrays count as one kind, tables as one, dates and times as one.
    static func mixedArray(in value: TOMLValue, path: [String]) -> String? {
        if let table = value.table {
            for key in table.keys {
                if let found = table[key].flatMap({ mixedArray(in: $0, path: path + [key]) }) { return found }
            }
        } else if let array = value.array {
            if Set(array.map(\.kind)).count > 1 { return path.joined(separator: ".") }
            for element in array {
                if let found = mixedArray(in: element, path: path) { return found }
            }
        }
        return nil
    }

    /// Whether the top-level table has `key`, whatever its value.
    func hasKey(_ key: String) -> Bool { root.contains(key) }

    /// The value at a dotted path of table keys, or nil when a part is absent.
    func value(_ path: [String]) -> TOMLValue? {
        var current = TOMLValue.table(root)
        for key in path {
            guard let table = current.table, let next = table[key] else { return nil }
            current = next
        }
        return current
    }

    /// The table at `path`: nil when absent, refused when something else is there.
    func table(_ path: [String]) throws -> TOMLTable? {
        guard let value = value(path) else { return nil }
        guard let table = value.table else { throw mismatch(path, expected: "a table", found: value) }
        return table
    }

    /// The string at `path`: nil when absent, refused when something else is there.
    func string(_ path: [String]) throws -> String? {
        guard let value = value(path) else { return nil }
        guard let string = value.string else { throw mismatch(path, expected: "a string", found: value) }
        return string
    }

    private func mismatch(_ path: [String], expected: String, found: TOMLValue) -> BuildpackError {
        .invalidTOMLValue(file: file, key: path.joined(separator: "."), expected: expected, found: found.typeDescription)
    }
}

/// What repo2docker reads from a root pyproject.toml (only when there is no binder directory).
enum Pyproject {
    /// A root setup.py, or a pyproject.toml with both a `project` and a `build-system` key (repo2docker's
    /// `_is_python_package`). A pyproject.toml that does not parse is refused here, as in repo2docker.
    static func isPythonPackage(_ s: RepoSnapshot) throws -> Bool {
        guard s.binderDirectory.isEmpty else { return false }
        if s.fileExists("setup.py") { return true }
        guard let pyproject = try s.rootPyproject() else { return false }
        return pyproject.hasKey("project") && pyproject.hasKey("build-system")
    }

    /// `[project] requires-python`, when there is no binder directory.
    static func requiresPython(_ s: RepoSnapshot) throws -> String? {
        guard s.binderDirectory.isEmpty, let pyproject = try s.rootPyproject(),
            try pyproject.table(["project"]) != nil
        else { return nil }
        return try pyproject.string(["project", "requires-python"])
    }
}

extension RepoSnapshot {
    /// The root pyproject.toml (nil when there is none), read and parsed once per snapshot whichever of
    /// detection, the version rules and the fragments asks first.
    func rootPyproject() throws -> TOMLFile? {
        try parsedPyproject.value { try TOMLFile.read("pyproject.toml", in: self) }
    }
}
