import Foundation
import Testing
import R2DTOML
import R2DYAML
@testable import R2DBuildpacks

/// The YAML, TOML and specifier forms under Forms/, each read as repo2docker's own readers read it: the
/// expected results in Forms/expected.json were recorded by scripts/forms-oracle.py with ruamel.yaml, tomllib,
/// toml 0.10.2 and packaging, so CI needs no Python.
@Suite("Repository file forms, read as repo2docker's readers read them")
struct FormsTests {
    static let forms = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Forms")
    nonisolated(unsafe) static let expected: [String: [String: Any]] = {
        let data = (try? Data(contentsOf: forms.appendingPathComponent("expected.json"))) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: [String: Any]] ?? [:]
    }()

    static func cases(_ kind: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: forms.appendingPathComponent(kind).path).sorted()) ?? []
    }

    @Test("every case has a recorded result, and there are enough of them")
    func recorded() {
        #expect(Self.cases("yaml").count >= 40 && Self.cases("toml").count >= 30)
        #expect(Set(Self.cases("yaml")) == Set((Self.expected["yaml"] ?? [:]).keys))
        #expect(Set(Self.cases("toml")) == Set((Self.expected["toml"] ?? [:]).keys))
    }

    @Test("YAML as ruamel.yaml's round-trip loader constructs it", arguments: cases("yaml"))
    func yaml(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.forms.appendingPathComponent("yaml/\(name)")))
        let expected = try #require(Self.expected["yaml"]?[name])
        if let error = (expected as? [String: Any])?["error"] as? Int {
            let thrown = #expect(throws: YAMLError.self) { try YAMLDocument.parse(bytes) }
            #expect(thrown?.mark.line == error, "ruamel.yaml stops at line \(error): \(String(describing: thrown))")
            return
        }
        let value = try YAMLDocument.parse(bytes)
        #expect(Canonical.of(value) == Canonical.of(json: expected))
    }

    /// Where swift-r2d knowingly reads differently from the recorded reader, and why (Docs/file-forms.md): the
    /// case is then checked to be refused, never accepted with another meaning.
    static let refusedOnPurpose = [
        "int-beyond-64-bits.toml": "R2DTOML keeps integers to 64 bits; tomllib and toml read any size"
    ]

    /// pyproject.toml meets tomllib in repo2docker; Pipfile and Project.toml meet the older `toml`.
    @Test("TOML as tomllib and toml 0.10 read it", arguments: cases("toml"))
    func toml(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.forms.appendingPathComponent("toml/\(name)")))
        if Self.refusedOnPurpose[name] != nil {
            #expect(throws: BuildpackError.self) { try TOMLFile(bytes: bytes, file: name) }
            return
        }
        let results = try #require(Self.expected["toml"]?[name] as? [String: Any])
        let legacy = name.hasPrefix("Pipfile") || name.hasPrefix("Project")
        let expected = try #require(results[legacy ? "toml" : "tomllib"])
        if (expected as? [String: Any])?["error"] != nil {
            #expect(throws: BuildpackError.self) { try TOMLFile(bytes: bytes, file: name, reader: legacy ? .toml : .tomllib) }
            return
        }
        let file = try TOMLFile(bytes: bytes, file: name, reader: legacy ? .toml : .tomllib)
        #expect(Canonical.of(.table(file.root)) == Canonical.of(json: expected))
    }

    /// The one place the readers part ways that matters for a Pipfile or Project.toml: `toml` 0.10 refuses an
    /// array of mixed types, which TOML 1.0 allows. Both readers' refusals are followed, each for its files.
    @Test("a mixed array is refused in a Pipfile, accepted in pyproject.toml")
    func mixedArray() throws {
        let bytes = Array("[packages]\nx = [1, \"two\"]\n".utf8)
        #expect(throws: BuildpackError.mixedTOMLArray(file: "Pipfile", key: "packages.x")) {
            try TOMLFile(bytes: bytes, file: "Pipfile", reader: .toml)
        }
        #expect(try TOMLFile(bytes: bytes, file: "pyproject.toml", reader: .tomllib).value(["packages", "x"])?.array?.count == 2)
    }

    @Test(
        "PEP 440 specifiers as packaging's SpecifierSet filters 3.8 to 3.14",
        arguments: (expected["specifiers"] ?? [:]).keys.sorted())
    func specifier(text: String) throws {
        let expected = Self.expected["specifiers"]?[text]
        if let allowed = expected as? [String] {
            let set = try PythonSpecifierSet(text)
            #expect(PythonVersionRules.pyprojectCandidates.filter(set.contains) == allowed)
        } else {
            #expect(throws: PythonSpecifierSet.SpecifierError.self) { try PythonSpecifierSet(text) }
        }
    }
}

/// One text for a value, whatever reader made it: strings quoted, other scalars by type, mappings with their
/// pairs sorted, so that the recorded JSON and the Swift values compare directly.
enum Canonical {
    static func of(json value: Any) -> String {
        switch value {
        case let s as String: return quoted(s)
        case is NSNull: return "null"
        case let a as [Any]: return "[" + a.map { of(json: $0) }.joined(separator: ",") + "]"
        case let d as [String: Any]:
            if let type = d["!"] as? String { return "!" + type }
            let pairs = (d["map"] as? [[Any]]) ?? []
            return "{" + pairs.map { of(json: $0[0]) + ":" + of(json: $0[1]) }.sorted().joined(separator: ",") + "}"
        case let n as NSNumber: return n.boolValue ? "true" : "false"
        default: return "?"
        }
    }

    static func of(_ value: YAMLValue?) -> String {
        guard let value else { return "null" }
        switch value.kind {
        case .string(let s): return quoted(s)
        case .sequence(let items): return "[" + items.map { of($0) }.joined(separator: ",") + "]"
        case .mapping(let entries): return "{" + entries.map { of($0.key) + ":" + of($0.value) }.sorted().joined(separator: ",") + "}"
        case .scalar(let type, let text):
            switch type {
            case .null: return "null"
            case .bool: return ["true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].contains(text) ? "true" : "false"
            case .int: return "!int"
            case .float: return "!float"
            case .timestamp: return "!timestamp"
            case .merge, .value, .tagged: return "!tagged"
            }
        }
    }

    static func of(_ value: TOMLValue) -> String {
        switch value {
        case .table(let table): return "{" + table.keys.map { quoted($0) + ":" + of(table[$0]!) }.sorted().joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map { of($0) }.joined(separator: ",") + "]"
        case .string(let s): return quoted(s)
        case .integer: return "!int"
        case .float: return "!float"
        case .bool(let b): return b ? "true" : "false"
        case .datetime: return "!timestamp"
        }
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { $0 == "\"" || $0 == "\\" ? "\\" + String($0) : String($0) }.joined() + "\""
    }
}
