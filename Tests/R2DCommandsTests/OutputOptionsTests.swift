import Foundation
import R2DTestSupport
import Testing
@testable import R2DCommands

/// `--json-logs`, `--debug`, `--Repo2Docker.json_logs=…`, `--Repo2Docker.log_level=…` and the same keys of a
/// configuration file decide the output once, later sources overriding earlier ones.
@Suite("Output options from flags, traits and the configuration file")
struct OutputOptionsTests {
    static func setting(_ trait: String, _ value: String) -> TraitSetting {
        TraitSetting(className: "Repo2Docker", trait: trait, value: value, origin: "c.json")
    }

    @Test(
        "resolved in order: file, then --Class.trait, then flags",
        arguments: [
            ([], [], false, false),
            (["--json-logs"], [], true, false),
            (["--debug"], [], false, true),
            (["--Repo2Docker.json_logs=True"], [], true, false),
            (["--Repo2Docker.json_logs=true"], [], true, false),
            (["--Repo2Docker.log_level=DEBUG"], [], false, true),
            (["--Repo2Docker.log_level=10"], [], false, true),
            (["--Repo2Docker.log_level=debug"], [], false, true),
            ([], [setting("json_logs", "True")], true, false),
            ([], [setting("log_level", "DEBUG")], false, true),
            ([], [setting("log_level", "INFO")], false, false),
            (["--Repo2Docker.json_logs=False"], [setting("json_logs", "True")], false, false),
            (["--Repo2Docker.log_level=INFO"], [setting("log_level", "DEBUG")], false, false),
            (["--json-logs", "--Repo2Docker.json_logs=False"], [], true, false),
            (["--debug", "--Repo2Docker.log_level=WARN"], [], false, true),
        ] as [([String], [TraitSetting], Bool, Bool)])
    func resolve(arguments: [String], configured: [TraitSetting], json: Bool, debug: Bool) {
        let options = OutputOptions.resolve(ArgumentSplitter.split(arguments + ["repo"]), configured: configured)
        #expect(options == OutputOptions(json: json, debug: debug))
    }

    @Test("a log level that is not one is refused, naming the setting", arguments: ["LOUD", "99", "-1", ""])
    func badLevel(value: String) {
        #expect(throws: CommandLineFailure.self) { try OutputOptions.logLevelIsDebug(.trait(Self.setting("log_level", value))) }
    }

    /// The run fails after parsing (root as the image user), so every line it writes must be JSON, the last one
    /// `failed`, exactly as with `--json-logs`.
    @Test(
        "--Repo2Docker.json_logs=True gives the same JSON lines as --json-logs, ending in failed",
        arguments: [["--Repo2Docker.json_logs=True"], ["--json-logs"]])
    func jsonLogsTrait(arguments: [String]) throws {
        let result = try runProgram(ProjectPaths.binary, arguments + ["--user-id=0", "/nonexistent"], environment: ["USER": "root"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && result.stdout.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        #expect(lines.last?.contains("\"phase\":\"failed\"") == true, "\(result.stderr)")
    }
}
