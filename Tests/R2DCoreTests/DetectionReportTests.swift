import Foundation
import R2DBuildpacks
import R2DCore
import R2DTestSupport
import Testing

/// `detect --json` says where the Python version came from (`python_version_source`), for every fixture kind.
@Suite("detect --json: python_version_source")
struct DetectionReportTests {
    @Test(
        "the key is always present and names the deciding file",
        arguments: [
            ("uv/python-version", "3.11", ".python-version"), ("uv/lock", "3.14", "pyproject.toml requires-python"),
            ("uv/pylock", "3.14", "pylock.toml requires-python"), ("venv/numpy", "3.11", "runtime.txt"),
            ("conda/py312", "3.12", "environment.yml"),
            ("pipfile/pipfile-lock", "3.11", "Pipfile.lock"), ("dockerfile/simple", nil, nil),
        ] as [(String, String?, String?)])
    func source(fixture: String, python: String?, source: String?) throws {
        let plan = try BuildpackChain.detect(try RepoSnapshot(root: ProjectPaths.fixture(fixture)))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(Detection.json(plan).utf8)) as? [String: Any])
        #expect(object.keys.contains("python_version_source"))
        #expect(object["python_version"] as? String == python, "\(fixture)")
        #expect(object["python_version_source"] as? String == source, "\(fixture)")
        if let python, let source { #expect(Detection.text(plan).contains("python: \(python) (from \(source))")) }
    }
}
