import Foundation
import R2DYAML

/// What the conda pathway needs from environment.yml: its string dependencies and its `pip:` list, read as
/// repo2docker reads them (`buildpacks/conda`). The file itself is handed to mamba unchanged.
public struct CondaEnvironmentFile: Sendable, Equatable {
    /// String entries of `dependencies`, in order (`python=3.11`, `numpy`, `r-base=4.3`).
    public var dependencies: [String] = []
    /// Entries of the `pip:` item of `dependencies`.
    public var pip: [String] = []

    public init(dependencies: [String] = [], pip: [String] = []) {
        self.dependencies = dependencies
        self.pip = pip
    }

    /// Reads `bytes`, the content of `file`, as repo2docker does (ruamel.yaml's round-trip loader, YAML 1.2).
    /// An empty document is an empty mapping; anything but a mapping is refused, as is YAML that does not
    /// parse, `dependencies` that is not a list, and a `pip:` list holding something other than strings.
    public static func parse(_ bytes: [UInt8], file: String) throws -> CondaEnvironmentFile {
        let document: YAMLValue?
        do {
            document = try YAMLDocument.parse(bytes)
        } catch let error as YAMLError {
            throw BuildpackError.invalidYAML(file: file, error: error)
        }
        guard let document, !document.isNull else { return CondaEnvironmentFile() }
        guard document.mapping != nil else {
            throw BuildpackError.environmentNotMapping(file: file, found: document.typeDescription)
        }
        guard let dependencies = document["dependencies"] else { return CondaEnvironmentFile() }
        guard let items = dependencies.sequence else {
            throw BuildpackError.invalidEnvironmentEntry(
                file: file, mark: dependencies.mark, problem: "dependencies must be a list, but it is \(dependencies.typeDescription)")
        }
        var result = CondaEnvironmentFile()
        result.dependencies = items.compactMap(\.string)
        // repo2docker keeps the last mapping entry with a non-empty `pip`.
        guard let pip = items.last(where: { $0["pip"].map(isTruthy) ?? false })?["pip"], let lines = pip.sequence else {
            return result
        }
        result.pip = try lines.map { line in
            guard let text = line.string else {
                throw BuildpackError.invalidEnvironmentEntry(
                    file: file, mark: line.mark, problem: "pip entries must be strings, but one is \(line.typeDescription)")
            }
            return text
        }
        return result
    }

    /// Python's truth of a constructed value: empty strings, lists, mappings, null, false and zero are false.
    static func isTruthy(_ value: YAMLValue) -> Bool {
        switch value.kind {
        case .string(let s): return !s.isEmpty
        case .sequence(let items): return !items.isEmpty
        case .mapping(let entries): return !entries.isEmpty
        case .scalar(.null, _): return false
        case .scalar(.bool, let text): return !["false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF"].contains(text)
        case .scalar(.int, let text), .scalar(.float, let text): return text.contains { $0 >= "1" && $0 <= "9" }
        case .scalar: return true
        }
    }

    /// The Python of the environment: the first dependency matching `python\\s*=+\\s*([\\d.]*)` decides, even when
    /// its version is empty (then the default applies); truncated to X.Y, a major alone maps to 2.7 or the
    /// default 3; nil when no dependency pins it (repo2docker's rule).
    public func pythonVersion(defaultPython: String) -> String? {
        guard let pin = dependencies.lazy.compactMap({ Self.pin(of: "python", in: $0) }).first, !pin.isEmpty else { return nil }
        let parts = pin.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return parts[0] == "2" ? "2.7" : (parts[0] == "3" ? defaultPython : parts[0]) }
        return parts[0] + "." + parts[1]
    }

    /// Whether R is wanted: any dependency starting with `r-`.
    public var wantsR: Bool { dependencies.contains { $0.hasPrefix("r-") } }

    /// The `r-base` pin, e.g. "4.3" for `r-base=4.3`: the first matching dependency decides; nil when unpinned.
    public var rBaseVersion: String? {
        dependencies.lazy.compactMap { Self.pin(of: "r-base", in: $0) }.first.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a `pip:` entry refers to repository files, so the environment can only be installed after the
    /// full copy (repo2docker's `is_local_pip_requirement`).
    public var hasLocalPipRequirement: Bool { pip.contains(where: PipRequirement.isLocal) }

    /// `name\s*=+\s*([\d.]*)` anchored at the start of `dependency`.
    static func pin(of name: String, in dependency: String) -> String? {
        guard dependency.hasPrefix(name) else { return nil }
        var rest = dependency.dropFirst(name.count).drop(while: PipRequirement.isSpace)
        guard rest.first == "=" else { return nil }
        rest = rest.drop { $0 == "=" }.drop(while: PipRequirement.isSpace)
        return String(rest.prefix { $0.isASCIIDigit || $0 == "." })
    }
}
