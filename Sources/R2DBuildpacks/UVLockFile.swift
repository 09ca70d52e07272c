import Foundation
import R2DBasics
import R2DTOML

/// What the uv.lock pathway reads from `uv.lock` (uv's lock format, version 1): each locked package's name,
/// version, source and dependency edges, and the root project's recorded requirements. uv itself installs the
/// file; these facts decide the layer placement and the one-line refusals at render time.
struct UVLockFile {
    /// A dependency edge: the package's normalized name and the extras it asks for.
    struct Edge: Equatable {
        var name: String
        var extras: [String]
    }

    struct Package {
        var name: String
        var version: String?
        /// The kind of `source`: `registry`, `editable`, `directory`, `virtual`, `path`, `git` or `url`.
        var sourceKind: String
        /// The source's value (`"."` for the project itself).
        var sourceValue: String
        var dependencies: [Edge] = []
        var optionalDependencies: [String: [Edge]] = [:]
        var devDependencies: [String: [Edge]] = [:]
        /// `[package.metadata] requires-dist` names (the root project's recorded `dependencies` and extras).
        var requiresDist: Set<String>?
        var requiresDev: [String: Set<String>] = [:]

        /// The project itself (`source = { editable = "." }`, `virtual = "."` or `directory = "."`).
        var isRoot: Bool { sourceValue == "." && ["editable", "virtual", "directory"].contains(sourceKind) }
        /// A source inside the repository, which only the full copy brings.
        var isLocal: Bool { ["editable", "virtual", "directory", "path"].contains(sourceKind) }
    }

    let file: String
    var requiresPython: String?
    var packages: [Package] = []

    init(bytes: [UInt8], file: String) throws {
        self.file = file
        let toml = try TOMLFile(bytes: bytes, file: file)
        guard case .integer(let version)? = toml.value(["version"]), version == 1 else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file,
                problem: "this is not a version 1 uv.lock (uv 0.3 and later write one); run `uv lock` with a current uv and commit it.")
        }
        requiresPython = try toml.string(["requires-python"])
        for (index, value) in (toml.value(["package"])?.array ?? []).enumerated() {
            guard let table = value.table else { throw problem("package entry \(index + 1) is not a table") }
            packages.append(try Self.package(table, index: index, file: file))
        }
    }

    static func package(_ t: TOMLTable, index: Int, file: String) throws -> Package {
        guard let name = t["name"]?.string else {
            throw BuildpackError.invalidEnvironmentFile(file: file, problem: "package entry \(index + 1) has no name; run `uv lock` again.")
        }
        let source = t["source"]?.table
        let kind = source?.keys.first ?? "registry"
        var p = Package(
            name: PackageName.normalized(name), version: t["version"]?.string, sourceKind: kind,
            sourceValue: source?[kind]?.string ?? "")
        p.dependencies = edges(t["dependencies"])
        p.optionalDependencies = groups(t["optional-dependencies"])
        p.devDependencies = groups(t["dev-dependencies"])
        if let metadata = t["metadata"]?.table {
            p.requiresDist = Set(edges(metadata["requires-dist"]).map(\.name))
            p.requiresDev = groups(metadata["requires-dev"]).mapValues { Set($0.map(\.name)) }
        }
        return p
    }

    static func edges(_ value: TOMLValue?) -> [Edge] {
        (value?.array ?? []).compactMap { item in
            guard let t = item.table, let name = t["name"]?.string else { return nil }
            return Edge(name: PackageName.normalized(name), extras: (t["extra"]?.array ?? []).compactMap(\.string))
        }
    }

    static func groups(_ value: TOMLValue?) -> [String: [Edge]] {
        guard let table = value?.table else { return [:] }
        return Dictionary(uniqueKeysWithValues: table.keys.map { ($0, edges(table[$0])) })
    }

    func problem(_ text: String) -> BuildpackError {
        .invalidEnvironmentFile(file: file, problem: text + "; run `uv lock` again.")
    }

    var root: Package? { packages.first(where: \.isRoot) }

    /// Whether any package but the project itself comes from the repository (a workspace member, a path
    /// dependency): then nothing can be installed before the full copy.
    var hasLocalDependencies: Bool { packages.contains { $0.isLocal && !$0.isRoot } }

    /// The packages `uv sync` installs with `groups` (markers aside): the project's dependencies and those
    /// groups, and everything they need, with the extras they ask for. The project itself is not included.
    func installed(groups: [String]) -> [Package] {
        guard let root else { return packages.filter { !$0.isRoot } }
        let byName = Dictionary(packages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var pending = root.dependencies + groups.flatMap { root.devDependencies[$0] ?? [] }
        var seen: Set<String> = [root.name]
        var result: [Package] = []
        while let edge = pending.popLast() {
            guard let package = byName[edge.name] else { continue }
            pending += edge.extras.flatMap { package.optionalDependencies[$0] ?? [] }
            guard seen.insert(edge.name).inserted else { continue }
            result.append(package)
            pending += package.dependencies
        }
        return result.sorted { $0.name < $1.name }
    }

    /// A requirement named in pyproject.toml that the lock does not record, or the reverse: the lock was made
    /// before pyproject.toml changed. Only names are compared (uv normalizes specifiers and markers its own
    /// way; `uv sync --locked` catches the rest at build time). nil when the names agree or cannot be compared.
    func staleRequirement(_ pyproject: TOMLFile) throws -> String? {
        guard let root, let recorded = root.requiresDist, let project = try pyproject.table(["project"]) else { return nil }
        if (project["dynamic"]?.array ?? []).contains(.string("dependencies")) { return nil }
        var declared = Self.names(project["dependencies"])
        for extra in project["optional-dependencies"]?.table.map({ t in t.keys.map { t[$0] } }) ?? [] {
            declared.formUnion(Self.names(extra))
        }
        if let difference = Self.difference(declared, recorded, where: "dependencies") { return difference }
        let groups = try pyproject.table(["dependency-groups"])
        for group in groups?.keys ?? [] {
            guard let locked = root.requiresDev[group] else { return "the dependency group \(group.shortQuoted) is not in \(file)" }
            if let difference = Self.difference(Self.names(groups?[group]), locked, where: "dependency group \(group.shortQuoted)") {
                return difference
            }
        }
        return nil
    }

    static func difference(_ declared: Set<String>, _ recorded: Set<String>, where place: String) -> String? {
        if let added = declared.subtracting(recorded).sorted().first {
            return "\(added) is in pyproject.toml's \(place) but not in uv.lock"
        }
        if let removed = recorded.subtracting(declared).sorted().first {
            return "uv.lock still has \(removed), which pyproject.toml's \(place) no longer names"
        }
        return nil
    }

    /// The normalized names of an array of PEP 508 strings (tables, such as `include-group`, are skipped).
    static func names(_ value: TOMLValue?) -> Set<String> {
        Set((value?.array ?? []).compactMap(\.string).compactMap(PackageName.ofRequirement))
    }
}

/// Package names as PEP 503 compares them.
enum PackageName {
    /// Lower case, each run of `-`, `_` and `.` one `-`.
    static func normalized(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for c in name.lowercased() {
            if c == "-" || c == "_" || c == "." {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(c)
                lastWasSeparator = false
            }
        }
        return result
    }

    /// The name at the start of a PEP 508 requirement (`attrs>=22`, `foo[bar]; python_version<'3.12'`).
    static func ofRequirement(_ requirement: String) -> String? {
        let name = requirement.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        return name.isEmpty ? nil : normalized(String(name))
    }
}
