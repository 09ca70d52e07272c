import Foundation
import R2DTestSupport
import Testing
@testable import R2DCommands

/// The settings table is the one spelling of every setting: these tests hold ArgumentParser's definition of
/// `build`, the value options, the trait map and the configuration file's names to it.
@Suite("Settings table")
struct SettingsTableTests {
    struct Definition: Decodable {
        struct Command: Decodable { var arguments: [Argument] }
        struct Argument: Decodable {
            struct Name: Decodable, Hashable { var kind: String; var name: String }
            var kind: String
            var names: [Name]?
            var abstract: String?
            var shouldDisplay: Bool
        }
        var command: Command
    }

    static let definition = try! JSONDecoder().decode(Definition.self, from: Data(BuildCommand._dumpHelp().utf8))

    /// The spellings ArgumentParser knows for each argument of `build`, with its help.
    static var parsed: [(spellings: Set<String>, kind: String, help: String?)] {
        definition.command.arguments.filter { $0.kind != "positional" }.map { argument in
            let spellings = (argument.names ?? []).map { ($0.kind == "short" ? "-" : "--") + $0.name }
            return (Set(spellings), argument.kind, argument.abstract)
        }
    }

    static var flagRows: [Setting] { Settings.all.filter { $0.flag != nil } }

    /// Every spelling of a row's flag, `--no-…` included for an invertible one.
    static func spellings(_ row: Setting) -> Set<String> {
        var spellings: Set<String> = ["--" + row.flag!]
        for alias in row.aliases { spellings.insert("--" + alias) }
        if let short = row.shortName { spellings.insert("-" + String(short)) }
        if row.form == .invertible { spellings.insert("--no-" + row.flag!) }
        return spellings
    }

    @Test("each row with a flag is one ArgumentParser argument, with the row's names and help")
    func rowsAreTheDefinition() {
        for row in Self.flagRows {
            let spellings = Self.spellings(row)
            let matches = Self.parsed.filter { !$0.spellings.isDisjoint(with: spellings) }
            // An inverted flag is two arguments (--run, --no-run) in the dump; together they are the row's.
            #expect(Set(matches.flatMap(\.spellings)) == spellings, "\(row.flag!)")
            #expect(matches.allSatisfy { $0.kind == (row.form == .flag || row.form == .invertible ? "flag" : "option") }, "\(row.flag!)")
            if !row.hidden { #expect(matches.allSatisfy { $0.help == row.help }, "\(row.flag!)") }
        }
        let known = Set(Self.flagRows.flatMap(Self.spellings))
        for argument in Self.parsed where !argument.spellings.contains("--help") && !argument.spellings.contains("-h") {
            #expect(!argument.spellings.isDisjoint(with: known), "\(argument.spellings) has no row")
        }
    }

    @Test("the value options are exactly the definition's options")
    func valueOptions() {
        let options = Set(Self.parsed.filter { $0.kind == "option" }.flatMap(\.spellings))
        #expect(ArgumentSplitter.valueOptions == options)
    }

    /// Values `BuildCommand.validate` accepts, for the flags it checks.
    static let samples = ["user-id": "1234", "default-python-version": "3.12", "label": "a=b", "build-arg": "A=b"]

    @Test("each row reads its own flag, and only it")
    func rowsReadTheirFlag() throws {
        for row in Self.flagRows where row.read != nil {
            let given: [String]
            switch row.form {
            case .flag: given = ["--" + row.flag!]
            case .invertible: given = ["--no-" + row.flag!]
            case .option, .repeatable: given = ["--" + row.flag!, Self.samples[row.flag!] ?? "value-of-\(row.flag!)"]
            }
            let command = try BuildCommand.parse(given + ["--", "repo"])
            let expected: [String]
            switch row.form {
            case .flag: expected = ["True"]
            case .invertible: expected = ["False"]
            case .option, .repeatable: expected = [given[1]]
            }
            #expect(row.read?(command) == expected, "\(row.flag!)")
            for other in Self.flagRows where other.flag != row.flag {
                #expect(other.read?(command) == nil, "--\(other.flag!) read the value of --\(row.flag!)")
            }
        }
    }

    @Test("every trait name is a row's or an ignored one, and the configuration file knows them all")
    func traits() {
        let rowTraits = Set(Settings.all.flatMap(\.traits))
        #expect(rowTraits.isDisjoint(with: Settings.ignoredTraits))
        for name in rowTraits.union(Settings.ignoredTraits) {
            #expect(ConfigurationFile.knownTraits[name.className]?.contains(name.trait) == true, "\(name)")
        }
        for row in Settings.all where !row.traits.isEmpty { #expect(row.apply != nil, "\(row.traits)") }
    }

    @Test("the manual lists every visible flag")
    func manual() {
        let page = ManualPage.roff()
        #expect(page.hasPrefix(".TH SWIFT-R2D 1"))
        for row in Self.flagRows where !row.hidden {
            let name = "\\fB\\-\\-" + ManualPage.escaped(row.flag!) + "\\fR"
            #expect(page.contains(name), "\(row.flag!)")
        }
    }

    @Test("the root command serves the completion script (both subcommands) and the manual")
    func rootCommandServes() throws {
        let bash = try runProgram(ProjectPaths.binary, ["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        for word in ["detect", "--ref", "--no-build", "--json"] { #expect(bash.stdout.contains(word), "\(word)") }
        let manual = try runProgram(ProjectPaths.binary, ["--generate-manual"])
        #expect(manual.status == 0 && manual.stdout == ManualPage.roff())
        let unknown = try runProgram(ProjectPaths.binary, ["--generate-completion-script", "tcsh"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "--generate-completion-script: \"tcsh\" is not a shell it knows; pass one of zsh, bash, fish.\n")
    }
}
