import Foundation
@testable import R2DBuildpacks
import Testing

@Suite("One member of a large JSON object")
struct JSONTopLevelTests {
    static let documents: [String] = [
        #"{"_meta": {"requires": {"python_version": "3.11"}}, "default": {}}"#,
        #"{"default": {"a": {"hashes": ["sha256:{x}", "]"], "v": "==1"}}, "_meta": {"requires": {"python_version": "3.9"}}}"#,
        #"  {"x\"_meta": 1, "list": [1, 2, [3, {"_meta": 0}]], "n": -1.5e3, "t": true, "z": null, "_meta": {"k": "v\\"}} "#,
        #"{"_met\u0061": {"escaped": "key"}}"#,
        #"{"a": 1}"#, #"[{"_meta": 1}]"#, #"{"_meta": "#, #"{"a" 1, "_meta": {}}"#, "", #"{"_meta": "text"}"#,
    ]

    @Test("agrees with JSONSerialization on the member's value", arguments: documents)
    func agrees(document: String) throws {
        let bytes = Array(document.utf8)
        let expected = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? [String: Any])?["_meta"]
        let found = JSONTopLevel.member("_meta", in: bytes)
        let parsed = found.flatMap { try? JSONSerialization.jsonObject(with: Data($0), options: [.fragmentsAllowed]) }
        if let expected {
            #expect(parsed.map { NSDictionary(dictionary: ["v": $0]) } == NSDictionary(dictionary: ["v": expected]), "\(document)")
        } else {
            #expect(parsed == nil, "\(document)")
        }
    }

    @Test("a Pipfile.lock of tens of megabytes gives its Python without parsing the hashes")
    func largeLock() throws {
        let hashes = (0..<200_000).map { "\"sha256:\(String(format: "%064x", $0))\"" }.joined(separator: ", ")
        let lock = #"{"default": {"pkg": {"hashes": ["# + hashes + #"]}}, "_meta": {"requires": {"python_version": "3.12"}}}"#
        let repo = try ScratchRepo(["Pipfile": "[packages]\n", "Pipfile.lock": lock])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        #expect(lock.utf8.count > 10_000_000)
        #expect(try PythonVersionRules.pipfileVersion(try RepoSnapshot(root: repo.root)) == "3.12")
    }
}
