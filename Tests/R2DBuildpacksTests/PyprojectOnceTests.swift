import Foundation
import Testing
@testable import R2DBuildpacks

@Suite("pyproject.toml is read and parsed once per snapshot")
struct PyprojectOnceTests {
    static let package = "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n[build-system]\nrequires = [\"hatchling\"]\n"

    @Test("detection, the version rules, the notes and the fragments share one parse")
    func sharedParse() throws {
        let repo = try ScratchRepo(["pyproject.toml": Self.package])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        let snapshot = try RepoSnapshot(root: repo.root)
        let plan = try BuildpackChain.detect(snapshot)
        #expect(plan.kind == .python && plan.pythonVersion == "3.14" && plan.notes.count == 1)
        // A file that no longer parses is not read again: rendering uses the parse detection made.
        try "[project".write(toFile: repo.root + "/pyproject.toml", atomically: true, encoding: .utf8)
        let dockerfile = try DockerfileRenderer.render(plan, snapshot: snapshot, options: RenderOptions())
        #expect(dockerfile.contains("uv pip install --python ${KERNEL_PYTHON_PREFIX} ."))
        // A new snapshot reads the file afresh.
        #expect(throws: BuildpackError.self) { try BuildpackChain.detect(try RepoSnapshot(root: repo.root)) }
    }

    @Test("a refusal is kept, so every caller sees the first one's error")
    func sharedRefusal() throws {
        let repo = try ScratchRepo(["pyproject.toml": "[project"])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        let snapshot = try RepoSnapshot(root: repo.root)
        let first = #expect(throws: BuildpackError.self) { try snapshot.rootPyproject() }
        try Self.package.write(toFile: repo.root + "/pyproject.toml", atomically: true, encoding: .utf8)
        let second = #expect(throws: BuildpackError.self) { try snapshot.rootPyproject() }
        #expect(first == second)
    }
}
