import Foundation
import R2DBuildpacks
import R2DTestSupport
import Testing

/// The BuildKit rendering (`buildKitCaches`: download caches as `RUN --mount=type=cache`) of a representative set
/// of fixtures, compared with a recorded copy in GoldenBuildKit/; and, for every fixture, that the classic
/// rendering has no mount and the BuildKit one turns no cache off.
/// `RECORD_GOLDEN=1 swift test --filter GoldenBuildKitDockerfileTests` rewrites the recorded copies instead.
@Suite("Golden BuildKit Dockerfiles with download caches")
struct GoldenBuildKitDockerfileTests {
    /// venv default, requirements.txt, apt.txt, postBuild, pyproject, Pipfile, conda environment.yml (with R,
    /// with requirements.txt), a conda Python by runtime.txt, R (install.R, DESCRIPTION), Julia, uv.lock, pylock.toml,
    /// .python-version and pixi.
    static let cases = [
        "venv/default", "venv/numpy", "venv/apt-packages", "venv/postBuild", "pyproject/pyproject-toml", "pipfile/pipfile-lock",
        "conda/py312", "conda/py-r-postbuild-file", "conda/py310-requirements-file", "conda/runtime-py37", "r/r4.6-rspm",
        "r/binder-dir-install-r", "julia/project", "uv/lock", "uv/pylock", "uv/python-version", "pixi/toml",
    ]
    static let options: RenderOptions = {
        var options = GoldenDockerfileTests.options
        options.buildKitCaches = true
        return options
    }()
    static let goldenDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.appendingPathComponent("GoldenBuildKit").path
    }()
    /// Generated Dockerfiles only: a user Dockerfile is returned as it is.
    static let generated = GoldenDockerfileTests.fixtures.filter { !$0.hasPrefix("dockerfile/") }

    static func goldenPath(_ fixture: String) -> String {
        goldenDirectory + "/" + fixture.replacingOccurrences(of: "/", with: "__") + ".Dockerfile"
    }

    @Test("BuildKit rendering matches GoldenBuildKit/", arguments: cases)
    func matchesGolden(fixture: String) throws {
        let rendered = try GoldenDockerfileTests.render(fixture, options: Self.options)
        try GoldenDockerfileTests.expectGolden(rendered, fixture: fixture, path: Self.goldenPath(fixture), directory: Self.goldenDirectory)
    }

    @Test("no stale BuildKit golden files")
    func noStaleGoldens() throws {
        let expected = Set(Self.cases.map { (Self.goldenPath($0) as NSString).lastPathComponent })
        let present = (try? FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory)) ?? []
        #expect(present.filter { $0.hasSuffix(".Dockerfile") && !expected.contains($0) }.isEmpty)
    }

    /// Generated environments only: a user's own Dockerfile (dockerfile/buildkit-syntax) may mount what it likes.
    @Test("the classic rendering has no mount and no BuildKit feature", arguments: generated)
    func classicHasNoMount(fixture: String) throws {
        let classic = try GoldenDockerfileTests.render(fixture)
        #expect(!classic.contains("--mount"))
        #expect(DockerfileSyntax.firstBuildKitFeature(in: classic) == nil)
    }

    @Test("the BuildKit rendering turns no cache off and BuildKit's syntax check finds its mounts", arguments: generated)
    func buildKitKeepsCaches(fixture: String) throws {
        let rendered = try GoldenDockerfileTests.render(fixture, options: Self.options)
        for off in ["UV_NO_CACHE", "PIP_NO_CACHE_DIR", "--no-cache-dir", "apt-get -qq clean", "rm -rf /var/lib/apt/lists", "clean --all"] {
            #expect(!rendered.contains(off), "\(fixture): \(off)")
        }
        #expect(DockerfileSyntax.firstBuildKitFeature(in: rendered)?.feature == "RUN --mount")
    }

    /// Which cache a command needs, by what it runs.
    static let needs: [(command: String, mount: String)] = [
        ("apt-get", "id=r2d-apt-lists,target=/var/lib/apt/lists,sharing=locked"),
        ("apt-get", "id=r2d-apt-archives,target=/var/cache/apt,sharing=locked"),
        ("uv pip install", "id=r2d-uv-1000,target=/var/cache/r2d/uv,uid=1000,gid=1000"),
        ("bin/pip install", "id=r2d-pip-1000,target=/var/cache/r2d/pip,uid=1000,gid=1000"),
        ("MAMBA_EXE} env update", "id=r2d-conda-pkgs-1000,target=/var/cache/r2d/conda-pkgs,sharing=locked,uid=1000,gid=1000"),
        ("install-base-env.bash", "id=r2d-conda-pkgs,target=/var/cache/r2d/conda-pkgs,sharing=locked"),
    ]

    @Test("every downloading RUN mounts its cache and points the tool at it", arguments: generated)
    func downloadsAreMounted(fixture: String) throws {
        let rendered = try GoldenDockerfileTests.render(fixture, options: Self.options)
        for run in DockerfileSyntax.parse(rendered).instructions where run.keyword == "RUN" {
            for need in Self.needs where run.arguments.contains(need.command) {
                #expect(run.flags.contains("--mount=type=cache," + need.mount), "\(fixture) line \(run.line): \(need.mount)")
            }
            if run.flags.contains(where: { $0.contains("target=/var/cache/r2d/uv") }) {
                #expect(run.arguments.hasPrefix("export ") && run.arguments.contains("UV_CACHE_DIR=/var/cache/r2d/uv"))
            }
        }
    }

    @Test("the mounts carry the image user's literal uid")
    func otherUserID() throws {
        var options = Self.options
        options.userID = 4321
        let rendered = try GoldenDockerfileTests.render("venv/postBuild", options: options)
        #expect(rendered.contains("--mount=type=cache,id=r2d-uv-4321,target=/var/cache/r2d/uv,uid=4321,gid=4321"))
        #expect(!rendered.contains("uid=1000"))
    }
}
