import R2DBasics
import Foundation
import Testing
@testable import R2DBuildpacks

/// Inputs the fuzz targets (Fuzz/Targets, Docs/fuzzing.md) found to crash or to break the one-line rule,
/// replayed through the same parsers.
@Suite("Fuzz regressions: repository file parsers")
struct FuzzRegressionTests {
    static func isOneLine(_ error: any Error) -> Bool {
        !String(describing: error).contains(where: \.isNewline)
    }

    @Test(
        "runtime.txt errors stay on one line",
        arguments: [
            "r-4.224-06-01\n01",  // fuzz-RuntimeTxt: the invalid date carried the line break into the message
            "python-3.11\npython-3.12",
            "python-3.\u{2028}12",
            "r-4.\r\n9-2024-06-01",
        ])
    func runtimeOneLine(text: String) {
        do {
            let spec = try RuntimeSpec.parse(text)
            _ = try RVersionRules.version(for: spec)
            _ = try PythonVersionRules.pythonVersion(try RepoSnapshot(root: "/nonexistent-swift-r2d-test"), runtime: spec)
            Issue.record("expected \(text.debugDescription) to be refused")
        } catch {
            #expect(Self.isOneLine(error), "\(error)")
        }
    }

    /// fuzz-TomlFiles found these aborting the process inside toml++ (TOMLKit, adopted first), through an assertion in
    /// `parse_key()` / `parse_value()`; they are why TOML is read by R2DTOML.
    @Test(
        "TOML that stopped toml++ is a one-line refusal",
        arguments: [
            "ame = \"Dem0u-473812mple =620f79a\"\n\n[= \"Demo\"\ncompa\"  &.9 x#\"\n requires-python = \">=  t\"#ailing\n",
            "[=]\n", "[ . ]\n", "[a.=]\n", "[[=]]\n", "a = {=}\n", "a = { b = 1, = 2 }\n", "a = [=]\n", "a.=1\n", "a = ,\n",
        ])
    func tomlThatStoppedTomlPlusPlus(text: String) {
        for reader in [TOMLFile.Reader.tomllib, .toml] {
            #expect(throws: BuildpackError.self) { try TOMLFile(bytes: Array(text.utf8), file: "pyproject.toml", reader: reader) }
            do { _ = try TOMLFile(bytes: Array(text.utf8), file: "pyproject.toml", reader: reader) } catch {
                #expect(Self.isOneLine(error), "\(error)")
            }
        }
    }

    @Test(
        "julia compat parts past Int's range are an error, not a trap",
        arguments: [
            "9223372036854775807", "^0.9223372036854775807", "~1.9223372036854775807", "1.2.9223372036854775807",
        ])
    func juliaCompatOverflow(compat: String) {
        #expect(throws: BuildpackError.invalidJuliaCompat(file: "Project.toml", compat: compat)) {
            try JuliaVersionRules.version(compat: compat, releases: ["1.10.4"], file: "Project.toml")
        }
    }

    @Test("values with line breaks are escaped in messages")
    func singleLine() {
        #expect("a\nb\tc\u{2028}d".singleLine == "a\\nb\\tc\\u{2028}d")
        #expect("plain".quotedSingleLine == "\"plain\"")
    }
}
