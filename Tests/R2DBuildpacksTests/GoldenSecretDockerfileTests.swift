import Foundation
import R2DBuildpacks
import R2DTestSupport
import Testing

/// Installer secrets in the BuildKit rendering: recorded copies in GoldenBuildKit/Secrets/ for a requirements.txt
/// repository with `UV_INDEX_URL` and with `PIP_EXTRA_INDEX_URL`, and, for every generated fixture, that only the
/// steps installing the repository's packages mount them, only installer ids are mounted, and no value or `ENV`
/// of them appears. `RECORD_GOLDEN=1 swift test --filter GoldenSecretDockerfileTests` rewrites the copies.
@Suite("Golden BuildKit Dockerfiles with installer secrets")
struct GoldenSecretDockerfileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var ids: [String]
        var testDescription: String { "\(fixture) with \(ids.joined(separator: ", "))" }
        var goldenName: String { fixture.replacingOccurrences(of: "/", with: "__") + "+" + ids.joined(separator: "+") + ".Dockerfile" }
    }

    static let cases = [Case(fixture: "venv/numpy", ids: ["UV_INDEX_URL"]), Case(fixture: "venv/numpy", ids: ["PIP_EXTRA_INDEX_URL"])]

    static let goldenDirectory = GoldenBuildKitDockerfileTests.goldenDirectory + "/Secrets"

    static func options(_ ids: [String]) -> RenderOptions {
        var options = GoldenBuildKitDockerfileTests.options
        options.secretIDs = ids
        return options
    }

    @Test("the rendering matches GoldenBuildKit/Secrets/", arguments: cases)
    func matchesGolden(_ case_: Case) throws {
        let rendered = try GoldenDockerfileTests.render(case_.fixture, options: Self.options(case_.ids))
        try GoldenDockerfileTests.expectGolden(
            rendered, fixture: case_.fixture, path: Self.goldenDirectory + "/" + case_.goldenName, directory: Self.goldenDirectory)
    }

    @Test("no stale golden files in GoldenBuildKit/Secrets/")
    func noStaleGoldens() {
        let expected = Set(Self.cases.map(\.goldenName))
        let present = (try? FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory)) ?? []
        #expect(Set(present.filter { $0.hasSuffix(".Dockerfile") }) == expected)
    }

    /// Every installer id, a uv named index's credentials, and ids the generated environment does not read.
    static let allIDs = [
        "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX_CORP_USERNAME", "UV_INDEX_CORP_PASSWORD",
        "GITHUB_TOKEN", "uv_index_url", "UV_INDEX_corp_PASSWORD",
    ]
    static let installerIDs = Array(allIDs.prefix(6))

    /// What runs in a step that installs the repository's packages.
    static let installCommands = [
        "-r \"", "pip install --python ${KERNEL_PYTHON_PREFIX} .", "bin/pip install .", "pipenv install", "env update",
    ]

    @Test(
        "only the repository's install steps mount the installer secrets, each read into its variable",
        arguments: GoldenBuildKitDockerfileTests.generated)
    func installStepsOnly(fixture: String) throws {
        let rendered = try GoldenDockerfileTests.render(fixture, options: Self.options(Self.allIDs))
        for run in DockerfileSyntax.parse(rendered).instructions where run.keyword == "RUN" {
            let secretFlags = run.flags.filter { $0.hasPrefix("--mount=type=secret,") }
            let installs = Self.installCommands.contains { run.arguments.contains($0) }
            guard installs else {
                #expect(secretFlags.isEmpty, "\(fixture) line \(run.line) mounts a secret: \(run.arguments.prefix(120))")
                continue
            }
            let mounted = secretFlags.map { $0.dropFirst("--mount=type=secret,id=".count).prefix { $0 != "," } }.map(String.init)
            #expect(mounted == Self.installerIDs.sorted(), "\(fixture) line \(run.line)")
            #expect(secretFlags.allSatisfy { $0.contains(",required=true") })
            for id in Self.installerIDs { #expect(run.arguments.contains("\(id)=\"$(cat /run/secrets/\(id))\""), "\(fixture): \(id)") }
        }
        for id in Self.allIDs { #expect(!rendered.contains("ENV \(id)"), "\(fixture): \(id) as ENV") }
        #expect(!rendered.contains("GITHUB_TOKEN") && !rendered.contains("uv_index_url") && !rendered.contains("UV_INDEX_corp"))
    }

    @Test(
        "the classic rendering mounts nothing, and no installer id means no secret mount",
        arguments: ["venv/numpy", "conda/py310-requirements-file"])
    func nothingWithoutBuildKit(fixture: String) throws {
        var classic = GoldenDockerfileTests.options
        classic.secretIDs = Self.allIDs
        #expect(!(try GoldenDockerfileTests.render(fixture, options: classic)).contains("type=secret"))
        #expect(!(try GoldenDockerfileTests.render(fixture, options: Self.options(["GITHUB_TOKEN"]))).contains("type=secret"))
        #expect(
            try GoldenDockerfileTests.render(fixture, options: Self.options([]))
                == GoldenDockerfileTests.render(fixture, options: GoldenBuildKitDockerfileTests.options))
    }

    /// uv and pip both see an index given for either: (ids given, the exports that follow).
    static let companions: [([String], String)] = [
        (["UV_INDEX_URL"], "export UV_INDEX_URL UV_DEFAULT_INDEX=\"$UV_INDEX_URL\" PIP_INDEX_URL=\"$UV_INDEX_URL\""),
        (["PIP_INDEX_URL"], "export PIP_INDEX_URL UV_INDEX_URL=\"$PIP_INDEX_URL\" UV_DEFAULT_INDEX=\"$PIP_INDEX_URL\""),
        (["PIP_INDEX_URL", "UV_INDEX_URL"], "export PIP_INDEX_URL UV_INDEX_URL UV_DEFAULT_INDEX=\"$UV_INDEX_URL\""),
        (["UV_EXTRA_INDEX_URL"], "export UV_EXTRA_INDEX_URL PIP_EXTRA_INDEX_URL=\"$UV_EXTRA_INDEX_URL\""),
        (["PIP_EXTRA_INDEX_URL"], "export PIP_EXTRA_INDEX_URL UV_EXTRA_INDEX_URL=\"$PIP_EXTRA_INDEX_URL\""),
        (["UV_INDEX_CORP_PASSWORD", "UV_INDEX_CORP_USERNAME"], "export UV_INDEX_CORP_PASSWORD UV_INDEX_CORP_USERNAME"),
    ]

    @Test("an index given for uv or pip is set for both", arguments: companions)
    func companionVariables(ids: [String], exports: String) throws {
        let rendered = try GoldenDockerfileTests.render("venv/numpy", options: Self.options(ids))
        #expect(rendered.contains(" && " + exports + " \\\n"), "\(rendered)")
    }

    @Test("a step of the image user reads the secret as that user's literal uid; a root step as root")
    func owner() throws {
        var options = Self.options(["UV_INDEX_URL"])
        options.userID = 4321
        let rendered = try GoldenDockerfileTests.render("venv/numpy", options: options)
        #expect(rendered.contains("--mount=type=secret,id=UV_INDEX_URL,required=true,uid=4321 \\\n"))
    }

    @Test(
        "the installer variables are recognised by name",
        arguments: [
            ("UV_INDEX_URL", true), ("PIP_EXTRA_INDEX_URL", true), ("UV_INDEX_MY_CORP_2_USERNAME", true), ("UV_INDEX_X_PASSWORD", true),
            ("UV_INDEX__PASSWORD", false), ("UV_INDEX_PASSWORD", false), ("UV_INDEX_my_PASSWORD", false), ("UV_INDEX_A-B_PASSWORD", false),
            ("UV_DEFAULT_INDEX", false), ("PIP_TRUSTED_HOST", false), ("uv_index_url", false),
        ])
    func recognised(id: String, expected: Bool) {
        #expect(InstallerSecrets.isInstallerVariable(id) == expected)
    }
}
