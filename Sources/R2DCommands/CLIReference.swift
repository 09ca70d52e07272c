import ArgumentParser
import Foundation
import R2DCore

/// Docs/cli.md, generated from the settings table (build) and the ArgumentParser definitions (detect, through their
/// ToolInfo JSON), so the reference cannot drift from the code. `swift-r2d __cli-reference` prints it.
enum CLIReference {
    struct ToolInfo: Decodable { var command: Command }
    struct Command: Decodable {
        var commandName: String
        var abstract: String?
        var discussion: String?
        var arguments: [Argument]?
        var subcommands: [Command]?
    }
    struct Argument: Decodable {
        struct Name: Decodable { var kind: String; var name: String }
        var kind: String
        var names: [Name]?
        var valueName: String?
        var abstract: String?
        var isOptional: Bool?
        var isRepeating: Bool?
        var defaultValue: String?
        var shouldDisplay: Bool?
    }

    static func markdown() -> String {
        var out = """
            # swift-r2d command-line reference

            Generated from the command definitions by `make docs` (`swift-r2d __cli-reference`); a test fails when
            this file and the code disagree. The same binary invoked as `jupyter-repo2docker` (or `repo2docker`), or
            as `swift-r2d` without a subcommand, behaves as `swift-r2d build`.


            """
        out += buildSection()
        if let info = try? JSONDecoder().decode(ToolInfo.self, from: Data(DetectCommand._dumpHelp().utf8)) {
            out += section(info.command)
        }
        out += """
            ## `--Class.trait=value` settings and the `--config` file

            Every setting below can be given as `--<Class>.<trait>=<value>` on the command line or in the JSON
            configuration file (`{"<Class>": {"<trait>": <value>}}`); the command line wins over the file. Settings
            repo2docker has that mean nothing here are accepted with a warning; any other name is an error.


            """
        out += traitList()
        out += """

            ## Environment variables


            """
        out += EnvironmentVariables.markdown()
        out += """

            ## Exit codes

            | Status | When |
            |---|---|
            | 0 | success, including `--version`, `--help` and a `--no-build` dry run; with `--push`, only after the push completed |
            | 1 | any failure of the build: bad input in the repository, a failed clone, build or push, an unreachable daemon |
            | 2 | usage errors: unknown flags, invalid values, a bad `--config` file |
            | 255 | `--build-memory-limit` or `Repo2Docker.build_memory_limit` (no longer supported) |
            | 130 / 143 | interrupted by SIGINT / SIGTERM, after cleaning up |
            | N | the container ran and exited with status N |

            """
        return out
    }

    /// `swift-r2d build`: one line per row of the settings table that has a flag, in the table's order.
    static func buildSection() -> String {
        let command = BuildCommand.configuration
        var out = "## `swift-r2d build`\n\n" + command.abstract + "\n\n" + command.discussion + "\n\n"
        out += "| Option | Value | Setting | Description |\n|---|---|---|---|\n"
        out += "| `<repo>` | | | \(BuildCommand.repoHelp) |\n"
        for setting in Settings.all where !setting.hidden {
            guard let flag = setting.flag else { continue }
            var names = ["--" + flag] + setting.aliases.map { "--" + $0 } + (setting.shortName.map { ["-" + String($0)] } ?? [])
            if setting.form == .invertible { names.append("--no-" + flag) }
            let value: String
            switch setting.form {
            case .flag, .invertible: value = ""
            case .option: value = "`<\(setting.valueName ?? "value")>`"
            case .repeatable: value = "`<\(setting.valueName ?? "value")>` (repeatable)"
            }
            let traits = setting.traits.map { "`\($0)`" }.joined(separator: ", ")
            let help = setting.help.replacingOccurrences(of: "|", with: "\\|")
            out += "| " + names.map { "`\($0)`" }.joined(separator: ", ") + " | \(value) | \(traits) | \(help) |\n"
        }
        return out + "\n"
    }

    /// Every `Class.trait` name, by class; the ones without effect here are marked.
    static func traitList() -> String {
        var out = ""
        let known = Settings.knownTraits
        for className in known.keys.sorted() {
            let traits = known[className, default: []].sorted().map { trait in
                Settings.ignoredTraits.contains(TraitName(className: className, trait: trait)) ? "`\(trait)` (ignored)" : "`\(trait)`"
            }
            out += "- **\(className)**: " + traits.joined(separator: ", ") + "\n"
        }
        return out
    }

    static func section(_ command: Command) -> String {
        var out = "## `swift-r2d \(command.commandName)`\n\n"
        if let abstract = command.abstract { out += abstract + "\n\n" }
        if let discussion = command.discussion, !discussion.isEmpty { out += discussion + "\n\n" }
        out += "| Option | Value | Default | Description |\n|---|---|---|---|\n"
        var rows: [(label: String, argument: Argument)] = []
        for argument in command.arguments ?? [] where argument.shouldDisplay ?? true {
            let names = (argument.names ?? []).map { $0.kind == "long" ? "`--\($0.name)`" : "`-\($0.name)`" }
            if argument.kind == "positional" {
                rows.append(("`<\(argument.valueName ?? "value")>`", argument))
                continue
            }
            // An inverted flag pair (--run / --no-run) shares one row.
            if argument.kind == "flag", let long = argument.names?.first(where: { $0.kind == "long" }), long.name.hasPrefix("no-"),
                let previous = rows.last, previous.argument.abstract == argument.abstract,
                previous.argument.names?.contains(where: { $0.name == String(long.name.dropFirst(3)) }) ?? false
            {
                rows[rows.count - 1].label += " / " + names.joined(separator: ", ")
                continue
            }
            rows.append((names.joined(separator: ", "), argument))
        }
        for (label, argument) in rows {
            let value =
                argument.kind == "option"
                ? "`<\(argument.valueName ?? "value")>`" + ((argument.isRepeating ?? false) ? " (repeatable)" : "") : ""
            let description = (argument.abstract ?? "").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            out += "| \(label) | \(value) | \(argument.defaultValue.map { "`\($0)`" } ?? "") | \(description) |\n"
        }
        return out + "\n"
    }
}
