import Foundation
import Testing
@testable import R2DYAML

@Suite("YAML through libyaml, constructed as ruamel.yaml does")
struct YAMLDocumentTests {
    @Test("an empty stream or only comments is no document", arguments: ["", "# only a comment\n", "\n\n"])
    func empty(text: String) throws {
        #expect(try YAMLDocument.parse(Array(text.utf8)) == nil)
    }

    @Test func flowListOverSeveralLines() throws {
        let doc = try #require(try YAMLDocument.parse(Array("dependencies: [\n  python=3.11,\n  'a, b',\n  numpy\n]\n".utf8)))
        #expect(doc["dependencies"]?.sequence?.compactMap(\.string) == ["python=3.11", "a, b", "numpy"])
    }

    @Test func duplicateKeyIsAnError() throws {
        #expect(throws: YAMLError.self) { try YAMLDocument.parse(Array("a: 1\na: 2\n".utf8)) }
    }
}
