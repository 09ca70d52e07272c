import R2DBuildpacks
import R2DEngine
import R2DTestSupport
import Testing

@testable import R2DCore

/// The environment identity (EnvironmentIdentity.swift): every input that decides the environment's layers
/// changes it, and nothing else does.
@Suite("Environment identity")
struct EnvironmentIdentityTests {
    struct Inputs {
        var dockerfile = "FROM base\nRUN uv pip install -r \"requirements.txt\"\n"
        var files = [
            EnvironmentInputs.CopiedFile(path: "src/requirements.txt", executable: false, sha256: String(repeating: "a", count: 64)),
            EnvironmentInputs.CopiedFile(
                path: "build_script_files/install-uv.bash", executable: true, sha256: String(repeating: "b", count: 64)),
        ]
        var platform = "linux/amd64"
        var backend = BuildBackend.classic
        var downloads = ["micromamba_url=https://example.org/micromamba"]
        var buildArguments = ["NB_USER": "jovyan", "NB_UID": "1000"]
        var secretIDs: [String] = []
        var baseImageID = "sha256:" + String(repeating: "c", count: 64)

        var identity: String {
            EnvironmentInputs(
                dockerfile: dockerfile, files: files, platform: platform, backend: backend, downloads: downloads,
                buildArguments: buildArguments, secretIDs: secretIDs
            ).identity(baseImageID: baseImageID)
        }
    }

    static let changes: [(String, @Sendable (inout Inputs) -> Void)] = [
        ("a rendered step", { $0.dockerfile += "RUN echo more\n" }),
        ("a copied file's bytes", { $0.files[0].sha256 = String(repeating: "d", count: 64) }),
        ("a copied file's executable bit", { $0.files[0].executable = true }),
        ("another copied file", { $0.files.append(.init(path: "src/apt.txt", executable: false, sha256: "e")) }),
        ("the base image", { $0.baseImageID = "sha256:" + String(repeating: "f", count: 64) }),
        ("the platform", { $0.platform = "linux/arm64" }),
        ("the build backend", { $0.backend = .buildKit }),
        ("a download location", { $0.downloads = ["micromamba_url=https://mirror.example.org/micromamba"] }),
        ("the image user", { $0.buildArguments["NB_USER"] = "someone" }),
        ("the uid", { $0.buildArguments["NB_UID"] = "1001" }),
        ("a --build-arg", { $0.buildArguments["EXTRA"] = "1" }),
        ("a build secret's id", { $0.secretIDs = ["pip-token"] }),
    ]

    @Test("each input changes the identity", arguments: changes.indices)
    func inputChangesIdentity(index: Int) {
        let (name, change) = Self.changes[index]
        var changed = Inputs()
        change(&changed)
        #expect(changed.identity != Inputs().identity, "\(name) did not change the identity")
    }

    static let sameEnvironment: [(String, @Sendable (inout Inputs) -> Void)] = [
        ("the copied files listed in another order", { $0.files.reverse() }),
        ("a proxy build argument", { $0.buildArguments["HTTPS_PROXY"] = "http://proxy.example:3128" }),
        ("secret ids in another order", { $0.secretIDs = [] }),
    ]

    @Test("what does not decide the layers leaves it alone", arguments: sameEnvironment.indices)
    func otherChangesKeepIdentity(index: Int) {
        let (name, change) = Self.sameEnvironment[index]
        var changed = Inputs()
        change(&changed)
        #expect(changed.identity == Inputs().identity, "\(name) changed the identity")
    }

    @Test("secret ids are a set; the identity is 64 hex digits and stable")
    func identityShape() {
        var one = Inputs(), two = Inputs()
        one.secretIDs = ["a", "b"]
        two.secretIDs = ["b", "a"]
        #expect(one.identity == two.identity)
        #expect(Inputs().identity.count == 64 && Inputs().identity.allSatisfy(\.isHexDigit))
        #expect(Inputs().identity == Inputs().identity)
    }
}

/// `detect --json`'s `environment`: the identity's part that needs no daemon, from the repository alone.
@Suite("detect --json shows the environment's inputs")
struct DetectEnvironmentTests {
    func summary(_ files: [String: String]) throws -> EnvironmentSummary {
        let repository = try TemporaryGitRepository(files: files)
        defer { repository.remove() }
        let (_, summary) = try Detection.planAndEnvironment(
            repo: repository.path, ref: nil, subdir: "", allowDefault: true, environment: [:],
            reporter: Reporter(json: false, debug: false) { _ in })
        return try #require(summary)
    }

    @Test("a notebook edit keeps the inputs, a requirements change does not; both backends are shown")
    func inputsFollowTheEnvironmentFiles() throws {
        let first = try summary(["requirements.txt": "tabulate==0.10.0\n", "index.ipynb": "{}"])
        let edited = try summary(["requirements.txt": "tabulate==0.10.0\n", "index.ipynb": "{\"cells\": []}"])
        let changed = try summary(["requirements.txt": "tabulate==0.9.0\n", "index.ipynb": "{}"])
        #expect(Set(first.inputs_sha256.keys) == ["classic", "buildkit"])
        #expect(first.inputs_sha256["classic"] != first.inputs_sha256["buildkit"])
        #expect(edited.inputs_sha256 == first.inputs_sha256)
        #expect(changed.inputs_sha256["classic"] != first.inputs_sha256["classic"])
        #expect(first.files.contains("src/requirements.txt") && !first.files.contains("src/index.ipynb"))
        let json = Detection.json(
            try Detection.planAndEnvironment(
                repo: ProjectPaths.fixture("venv/postBuild"), ref: nil, subdir: "", allowDefault: true, environment: [:],
                reporter: Reporter(json: false, debug: false) { _ in }
            ).plan)
        #expect(json.contains("\"environment\":null"), "without a summary the key is still there")
    }
}
