import ArgumentParser
import R2DCore

/// One setting of `swift-r2d build`: its flag, its traitlets name, its help and how a value reaches the request.
/// The rows live in `Settings` (SettingsTable.swift); ArgumentParser's definitions (`BuildCommand`), the trait
/// map, the configuration file's known names, `ArgumentSplitter`'s value options, Docs/cli.md and the manual
/// all read them, so a setting is spelled once.
struct Setting: Sendable {
    /// How the flag takes its value on the command line.
    enum Form: Sendable, Equatable {
        /// `--editable`: given or not.
        case flag
        /// `--run` / `--no-run`.
        case invertible
        /// `--ref <value>`.
        case option
        /// `--label <value>`, repeated.
        case repeatable
    }

    /// When the flag's value is applied, relative to the checks between settings (repo2docker's order: the
    /// modes first, then the image user, then the run's settings, then plain values).
    enum Group: Int, Sendable, CaseIterable, Comparable {
        case mode, ports, user, run, value
        static func < (lhs: Group, rhs: Group) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Applies one value; the value says where it came from (a flag or a trait) and how messages name it.
    typealias Apply = @Sendable (SettingValue, inout BuildRequest, inout SettingContext) throws -> Void

    /// `--<flag>`; nil for a setting only `--Class.trait=` and the configuration file can give.
    var flag: String?
    var shortName: Character? = nil
    /// More long names for the same flag (`--image` beside `--image-name`).
    var aliases: [String] = []
    var form: Form = .option
    /// The traitlets names (`Repo2Docker.ref`); empty for a flag repo2docker has no trait for.
    var traits: [TraitName] = []
    var help: String = ""
    var valueName: String? = nil
    var hidden = false
    var group: Group = .value
    /// The flag's values as given, read from the parsed command (nil when the flag was not given).
    var read: (@Sendable (BuildCommand) -> [String]?)? = nil
    /// nil: the setting is read before the request exists (`--config`, `--json-logs`, `--debug`).
    var apply: Apply? = nil

    /// ArgumentParser's names for the flag.
    var names: NameSpecification {
        var spec: [NameSpecification.Element] = []
        if let flag { spec.append(.customLong(flag)) }
        spec += aliases.map { .customLong($0) }
        if let shortName { spec.append(.customShort(shortName)) }
        return NameSpecification(spec)
    }

    /// ArgumentParser's help for the flag.
    var argumentHelp: ArgumentHelp {
        hidden ? .hidden : ArgumentHelp(help, valueName: valueName)
    }

    /// Every spelling that takes its value from the next argument (`--ref x`, `-p 80`).
    var valueSpellings: [String] {
        guard form == .option || form == .repeatable, let flag else { return [] }
        return (["--" + flag] + aliases.map { "--" + $0 }) + (shortName.map { ["-" + String($0)] } ?? [])
    }
}

/// A traitlets setting's name: `--<className>.<trait>=` on the command line, `{"<className>": {"<trait>": …}}`
/// in the configuration file.
struct TraitName: Hashable, Sendable, Comparable, CustomStringConvertible {
    var className: String
    var trait: String

    static func repo2docker(_ trait: String) -> TraitName { TraitName(className: "Repo2Docker", trait: trait) }

    static func < (lhs: TraitName, rhs: TraitName) -> Bool {
        (lhs.className, lhs.trait) < (rhs.className, rhs.trait)
    }

    var description: String { "\(className).\(trait)" }
}

/// A value on its way to the request: a flag's values or a trait's text, list or mapping.
struct SettingValue {
    enum Origin { case flag, trait }

    var origin: Origin
    /// The value as text: a flag's (first) value, `True`/`False` for a boolean flag, a trait's scalar.
    var text: String
    /// A repeated flag's values, or a trait's list from the configuration file.
    var list: [String]?
    /// A trait's mapping from the configuration file.
    var map: [String: String]?
    /// How messages name the value's source: `--ref`, `--Repo2Docker.ref` or `Repo2Docker.ref in <file>`.
    var source: String
    /// The trait setting the value came from (nil for a flag), for its "expected …" messages.
    var setting: TraitSetting?

    /// The values of a list, or the single text.
    var values: [String] { list ?? [text] }

    static func flag(_ values: [String], source: String) -> SettingValue {
        SettingValue(origin: .flag, text: values.first ?? "", list: values, source: source)
    }

    static func trait(_ setting: TraitSetting) -> SettingValue {
        SettingValue(
            origin: .trait, text: setting.value, list: setting.list, map: setting.map,
            source: setting.displayName, setting: setting)
    }

    /// "<setting>=<value>: expected <what>." for a trait, "<flag>: expected <what>." for a flag (exit 2).
    func invalid(_ expected: String) -> CommandLineFailure {
        if let setting { return setting.invalid(expected) }
        return CommandLineFailure(description: "\(source)=\(text): expected \(expected).", exitCode: 2)
    }

    /// Python's spellings of a boolean (a boolean flag's value is `True` or `False`).
    func boolean() throws -> Bool {
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw invalid("True or False")
        }
    }

    /// A mapping from the configuration file, by key.
    func sortedMap() throws -> [(String, String)] {
        guard let map else { throw invalid("a mapping of names to values (in the configuration file)") }
        return map.sorted { $0.key < $1.key }
    }

    /// `name=value` items of a repeated flag, split at the first `=`.
    var keyValues: [(String, String)] {
        values.map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}

/// What applying a value may need besides the request: the command after the repository, the process
/// environment, where warnings go, and whether the next conda channel replaces the default list.
struct SettingContext {
    var command: [String]
    var warn: (String) -> Void
    var firstCondaChannel = true
    /// The process environment (a `--secret` naming no source reads the variable named like its id when set).
    var environment: [String: String] = [:]
    /// A `--DockerEngine.extra_buildx_build_args=--secret` whose value is the next such argument.
    var pendingBuildxSecret = false

    func warnIgnored(_ source: String) {
        warn("\(source) has no effect in swift-r2d and is ignored.\n")
    }
}
