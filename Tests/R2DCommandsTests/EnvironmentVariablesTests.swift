import Foundation
import R2DTestSupport
import Testing

@testable import R2DCommands

/// The documented list of environment variables against what the sources read: a lookup added without a row
/// fails here.
@Suite("Environment variables are documented")
struct EnvironmentVariablesTests {
    /// `environment["NAME"]`, `env["NAME"]`, `processEnvironment["NAME"]` read (not assigned) in Sources/, test
    /// support left out.
    static func variablesReadBySources() throws -> Set<String> {
        let lookup = try NSRegularExpression(pattern: #"(?:environment|env|Environment)\["([A-Z][A-Z0-9_]*)"\](?!\s*=[^=])"#)
        var names = Set<String>()
        let sources = ProjectPaths.root + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.contains("TestSupport") {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for match in lookup.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
            }
        }
        return names
    }

    @Test func everyVariableReadIsInTheTable() throws {
        let documented = Set(EnvironmentVariables.all.flatMap(\.names))
        let read = try Self.variablesReadBySources()
        #expect(read.count >= 12, "the scan found too little: \(read.sorted())")
        #expect(read.subtracting(documented).isEmpty, "read but not documented: \(read.subtracting(documented).sorted())")
    }

    @Test func theReferenceCarriesTheTable() {
        let reference = CLIReference.markdown()
        for name in ["HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "TMPDIR", "SSH_AUTH_SOCK", "CONTAINER_ENGINE_REGISTRY_CREDENTIALS"] {
            #expect(reference.contains("`\(name)`"), "\(name)")
        }
    }
}
