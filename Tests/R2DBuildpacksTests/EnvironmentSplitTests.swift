import Foundation
import R2DBuildpacks
import R2DTestSupport
import Testing

/// The generated Dockerfile split into the environment and the steps after it (EnvironmentStage.swift): the
/// environment is the full Dockerfile's own first lines, and the rest built on an image of it is the same steps.
@Suite("The environment split of generated Dockerfiles")
struct EnvironmentSplitTests {
    static let fixtures = GoldenDockerfileTests.fixtures.filter { !$0.hasPrefix("dockerfile/") }

    static func render(_ fixture: String, buildKit: Bool = false) throws -> RenderedBuild {
        let snapshot = try RepoSnapshot(root: ProjectPaths.fixture(fixture))
        let plan = try BuildpackChain.detect(snapshot, defaultPython: GoldenDockerfileTests.defaultPython)
        var options = GoldenDockerfileTests.options
        options.buildKitCaches = buildKit
        return try DockerfileRenderer.renderBuild(plan, snapshot: snapshot, options: options)
    }

    @Test("environment + steps after it = the full Dockerfile, which stays the golden one", arguments: fixtures, [false, true])
    func splitReassembles(fixture: String, buildKit: Bool) throws {
        let rendered = try Self.render(fixture, buildKit: buildKit)
        let split = try #require(rendered.environmentSplit, "\(fixture) has no environment split")
        let after = try #require(rendered.dockerfileAfterEnvironment(from: "registry.example/envs:r2d-env-x"))
        let header = "FROM registry.example/envs:r2d-env-x\n\nARG NB_USER\nARG NB_UID\n"
        #expect(after.hasPrefix(header))
        #expect(split.environmentDockerfile + after.dropFirst(header.count) == rendered.dockerfile)
        // Everything that reads the whole repository comes after the split, nothing of it before.
        #expect(!split.environmentDockerfile.contains("src/ ${REPO_DIR}/"), "\(fixture)")
        #expect(after.contains("COPY --chown=1000:1000 src/ ${REPO_DIR}/"), "\(fixture)")
        #expect(after.contains("ENTRYPOINT [\"/usr/local/bin/repo2docker-entrypoint\"]"))
        #expect(split.environmentDockerfile.hasPrefix("FROM swift-r2d/test-base:bookworm\n"))
        #expect(!after.dropFirst(header.count).contains("FROM "), "one stage after the environment")
    }

    @Test("a requirements.txt repository: its install is in the environment, copied file by file; postBuild after it")
    func requirementsRepository() throws {
        let rendered = try Self.render("venv/postBuild")
        let split = try #require(rendered.environmentSplit)
        #expect(split.copiedPaths.contains("src/requirements.txt"))
        #expect(split.copiedPaths.allSatisfy { $0.hasPrefix("src/") || $0.hasPrefix("build_script_files/") })
        #expect(split.copiedPaths == split.copiedPaths.sorted())
        #expect(split.environmentDockerfile.contains("uv pip install --python ${KERNEL_PYTHON_PREFIX} -r \"requirements.txt\""))
        let after = try #require(rendered.dockerfileAfterEnvironment(from: "e"))
        #expect(after.contains("./postBuild") && !split.environmentDockerfile.contains("./postBuild"))
        #expect(!after.contains("uv pip install"))
    }

    @Test("a repository's own Dockerfile has no split: it is built as it is")
    func userDockerfileHasNone() throws {
        let snapshot = try RepoSnapshot(root: ProjectPaths.fixture("dockerfile/simple"))
        let plan = try BuildpackChain.detect(snapshot)
        let rendered = try DockerfileRenderer.renderBuild(plan, snapshot: snapshot, options: GoldenDockerfileTests.options)
        #expect(rendered.environmentSplit == nil)
        #expect(rendered.dockerfileAfterEnvironment(from: "e") == nil)
    }
}
