import Foundation
import Testing
@testable import R2DBuildpacks

/// A throwaway directory with the given files ("path": "contents"; a trailing "/" makes a directory).
struct ScratchRepo {
    let root: String

    init(_ files: [String: String]) throws {
        root = NSTemporaryDirectory() + "r2d-detect-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (path, contents) in files {
            let full = root + "/" + path
            if path.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
                continue
            }
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try contents.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    func detect(allowDefault: Bool = true) throws -> BuildPlan {
        defer { try? FileManager.default.removeItem(atPath: root) }
        return try BuildpackChain.detect(try RepoSnapshot(root: root), allowDefault: allowDefault)
    }
}

@Suite("Buildpack detection")
struct DetectionTests {
    static let pyproject = "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n[build-system]\nrequires = [\"hatchling\"]\n"

    @Test(
        "first match in repo2docker's order",
        arguments: [
            ([:], BuildpackKind.python, true),
            (["apt.txt": "curl\n", "postBuild": "echo"], .python, true),
            (["Dockerfile": "FROM x\n", "environment.yml": "", "requirements.txt": ""], .docker, false),
            (["binder/Dockerfile": "FROM x\n"], .docker, false),
            (["Project.toml": "", "environment.yml": ""], .julia, false),
            (["JuliaProject.toml": ""], .julia, false),
            (["REQUIRE": "julia 0.6\n"], .juliaRequire, false),
            (["default.nix": "", "environment.yml": ""], .nix, false),
            (["runtime.txt": "r-4.3-2024-01-10", "Pipfile": ""], .r, false),
            (["DESCRIPTION": "Package: x\n"], .r, false),
            (["binder/DESCRIPTION": "Package: x\n", "binder/requirements.txt": ""], .python, false),
            (["install.R": "install.packages('x')\n"], .python, true),
            (["runtime.txt": "r-4.3"], .python, true),
            (["environment.yml": "", "Pipfile": ""], .conda, false),
            (["environment.yaml": ""], .conda, false),
            (["Pipfile": "[packages]\n"], .pipfile, false),
            (["Pipfile.lock": "{}"], .pipfile, false),
            (["runtime.txt": "julia-1.6", "requirements.txt": ""], .python, true),
            (["requirements.txt": "numpy\n"], .python, false),
            (["setup.py": ""], .python, false),
            (["pyproject.toml": pyproject], .python, false),
            (["pyproject.toml": "[project]\nname='x'\n"], .python, true),
            (["binder/setup.py": ""], .python, true),
            ([".binder/environment.yml": "", "Dockerfile": "FROM x\n"], .conda, false),
        ] as [([String: String], BuildpackKind, Bool)])
    func detection(files: [String: String], kind: BuildpackKind, isDefault: Bool) throws {
        let plan = try ScratchRepo(files).detect()
        #expect(plan.kind == kind)
        #expect(plan.isDefault == isDefault)
    }

    @Test("binder directory rules")
    func binderDirectory() throws {
        let plan = try ScratchRepo([
            "binder/Dockerfile": "FROM x\n", "Dockerfile": "FROM y\n",
            ".dockerignore": "*.log\n", "binder/Dockerfile.dockerignore": "x\n",
        ]).detect()
        #expect(plan.binderDirectory == "binder")
        #expect(plan.dockerfile == "binder/Dockerfile")
        #expect(plan.ignoreFiles == [".dockerignore", "binder/Dockerfile.dockerignore"])

        let dot = try ScratchRepo([
            ".binder/requirements.txt": "", "requirements.txt": "", "apt.txt": "bogus!\n", ".binder/postBuild": "", ".binder/start": "",
        ]).detect()
        #expect(dot.binderDirectory == ".binder")
        #expect(dot.aptPackages.isEmpty)
        #expect(dot.postBuild == [".binder/postBuild"])
        #expect(dot.start == ".binder/start")
    }

    @Test("both binder directories are an error")
    func bothBinderDirectories() throws {
        let repo = try ScratchRepo(["binder/": "", ".binder/": ""])
        #expect(throws: BuildpackError.bothBinderDirectories(root: repo.root)) { try repo.detect() }
    }

    @Test("default_buildpack=None refuses a repository with no environment file")
    func noDefault() throws {
        #expect(throws: BuildpackError.noEnvironmentSpecification) { try ScratchRepo(["README.md": "hi"]).detect(allowDefault: false) }
        #expect(try ScratchRepo(["requirements.txt": ""]).detect(allowDefault: false).kind == .python)
    }

    @Test("legacy binder-base Dockerfile is refused")
    func legacy() throws {
        #expect(throws: BuildpackError.legacyDockerfile(file: "Dockerfile")) {
            try ScratchRepo(["Dockerfile": "# comment\nFROM andrewosh/binder-base\n"]).detect()
        }
        #expect(try ScratchRepo(["Dockerfile": "FROM python:3 # andrewosh/binder-base\n"]).detect().kind == .docker)
    }

    @Test(
        "python version",
        arguments: [
            ([:], "3.10"),
            (["runtime.txt": "python-3.12"], "3.12"),
            (["runtime.txt": "python-3"], "3.10"),
            (["runtime.txt": "python-2"], "2.7"),
            (["runtime.txt": "python-3.11-2024-01-01"], "3.11"),
            (["pyproject.toml": pyproject], "3.14"),
            // The default is kept when requires-python allows it (repo2docker's fixture pyproject/pyproject-toml).
            (["pyproject.toml": "[project]\nrequires-python = \">=3.9,<3.12\"\n"], "3.10"),
            (["pyproject.toml": "[project]\nrequires-python = \">=3.10\"\n"], "3.10"),
            (["pyproject.toml": "[project]\nrequires-python = \"<3.10\"\n"], "3.9"),
            (["pyproject.toml": "project.requires-python = \">=3.11,<3.13\"\n"], "3.12"),
            (["pyproject.toml": "project = { requires-python = \"==3.13.*\" }\n"], "3.13"),
            (["pyproject.toml": "[project]\nrequires-python = \">=3.12\"\n", "runtime.txt": "python-3"], "3.14"),
            (["pyproject.toml": "[project]\nrequires-python = \">=3.12\"\n", "runtime.txt": "r-4.3-2024-01-01"], "3.10"),
            (["pyproject.toml": "[project]\nrequires-python = \">=3.12\"\n", "binder/requirements.txt": "numpy\n"], "3.10"),
            (["pyproject.toml": "[project]\nrequires-python = \"~=3.9\"\n", "runtime.txt": "python-3.13"], "3.13"),
            (["Pipfile": "[requires]\npython_version = \"3.9\"\n"], "3.9"),
            (
                [
                    "Pipfile": "[requires]\npython_version = \"3.9\"\n",
                    "Pipfile.lock": "{\"_meta\": {\"requires\": {\"python_full_version\": \"3.11.4\"}}}",
                ], "3.11"
            ),
            (["environment.yml": "dependencies:\n  - python=3.12\n  - numpy\n"], "3.12"),
            (["environment.yml": "dependencies:\n  - numpy\n"], "3.10"),
            // YAML forms a line scanner misread (each lost the pin and gave 3.10).
            (["environment.yml": "dependencies: [\n  numpy,\n  python=3.9\n]\n"], "3.9"),
            (["environment.yml": "{dependencies: [python=3.13]}\n"], "3.13"),
            (["environment.yml": "  dependencies:\n    - python=3.8\n"], "3.8"),
            (["environment.yml": "py: &py python=3.11\ndependencies: [*py]\n"], "3.11"),
            (["environment.yml": "dependencies:\n  - \"python\n    =3.12\"\n"], "3.12"),
            (["environment.yml": "dependencies:\r\n  - python=3.9\r\n"], "3.9"),
            (["environment.yml": "\u{FEFF}dependencies:\n  - python=3.13\n"], "3.13"),
            // Not strings to repo2docker: a number, an explicit !!str, a nested list.
            (["environment.yml": "dependencies:\n  - !!str python=3.9\n  - [python=3.8]\n"], "3.10"),
            (["environment.yml": "dependencies:\n  - python=\n  - python=3.12\n"], "3.10"),
            // TOML forms: a multi-line string holding a [project] line does not count.
            (["pyproject.toml": "x = \"\"\"\n[project]\nrequires-python = \">=3.13\"\n\"\"\"\n"], "3.10"),
            (["Pipfile": "requires = { python_version = \"3.8\" }\n"], "3.8"),
            (["Pipfile": "[requires]\npython_full_version = \"*\"\npython_version = \"3.9\"\n"], "3.9"),
        ] as [([String: String], String)])
    func pythonVersion(files: [String: String], version: String) throws {
        #expect(try ScratchRepo(files).detect().pythonVersion == version)
    }

    @Test(
        "python versions that cannot be used",
        arguments: [
            ["runtime.txt": "python-3.12.1"],
            ["runtime.txt": "python-3.4"],
            ["runtime.txt": "python-4.10"],
            ["runtime.txt": "python-3.9", "pyproject.toml": "[project]\nrequires-python = \">=3.10\"\n"],
            ["pyproject.toml": "[project]\nrequires-python = \"<3.0\"\n"],
            ["pyproject.toml": "[project]\nrequires-python = \"3.11\"\n"],
            ["pyproject.toml": "[project]\nrequires-python = \"^3.10\"\n"],
            ["pyproject.toml": "[project]\nrequires-python = 3.10\n"],
            ["pyproject.toml": "[project\nname = \"x\"\n"],
            ["pyproject.toml": "[project]\nname = \"x\"\nname = \"y\"\n", "requirements.txt": "numpy\n"],
            ["Pipfile": "[requires\npython_version = \"3.9\"\n"],
            ["Pipfile": "[requires]\npython_version = 3.9\n"],
            ["environment.yml": "dependencies: [numpy,\n"],
            ["environment.yml": "dependencies:\n  - a\ndependencies:\n  - b\n"],
            ["environment.yml": "dependencies: numpy\n"],
            ["Project.toml": "name = \n"],
            ["Project.toml": "[compat]\njulia = 1\n"],
        ])
    func badPython(files: [String: String]) throws {
        #expect(throws: BuildpackError.self) { try ScratchRepo(files).detect() }
    }

    @Test("R versions from runtime.txt")
    func rVersionFromRuntime() throws {
        #expect(try ScratchRepo(["runtime.txt": "r-4.3-2024-01-10"]).detect().rVersion == "4.3.3")
        #expect(try ScratchRepo(["runtime.txt": "r-4.3.2-2024-01-10"]).detect().rVersion == "4.3.2")
        #expect(try ScratchRepo(["runtime.txt": "r-2024-01-10"]).detect().rVersion == "4.4.2")
        #expect(try ScratchRepo(["DESCRIPTION": "x"]).detect().rVersion == "4.4.2")
    }

    @Test("apt.txt and the docker plan")
    func aptAndDocker() throws {
        let plan = try ScratchRepo(["apt.txt": "# tools\nzlib1g-dev\n\ncurl # fetcher\nbyacc\n"]).detect()
        #expect(plan.aptPackages == ["byacc", "curl", "zlib1g-dev"])
        let docker = try ScratchRepo(["Dockerfile": "FROM x\n", "apt.txt": "curl\n"]).detect()
        #expect(docker.aptPackages.isEmpty)
        #expect(docker.pythonVersion == nil)
    }
}

@Suite("runtime.txt and apt.txt parsing")
struct ParsingTests {
    @Test(
        "valid runtime.txt forms",
        arguments: [
            ("python-3.10", RuntimeSpec(name: "python", version: "3.10", date: nil)),
            ("  r-4.3\n", RuntimeSpec(name: "r", version: "4.3", date: nil)),
            ("r-2023-01-01", RuntimeSpec(name: "r", version: nil, date: "2023-01-01")),
            ("r-4.3.2-2024-01-10", RuntimeSpec(name: "r", version: "4.3.2", date: "2024-01-10")),
            ("python-3.12-2024-02-29", RuntimeSpec(name: "python", version: "3.12", date: "2024-02-29")),
            ("a_b/c-0.0.1-2025-06-22", RuntimeSpec(name: "a_b/c", version: "0.0.1", date: "2025-06-22")),
        ])
    func validRuntime(text: String, spec: RuntimeSpec) throws {
        #expect(try RuntimeSpec.parse(text) == spec)
    }

    @Test(
        "invalid runtime.txt forms",
        arguments: [
            "python", "python-", "-3.10", "python-3-10", "r-4.3-2024-13-01", "r-4.3-2023-02-29",
            "r-4.3-24-01-01", "r-4.3.2-2024-01-1x", "a-b-c-d-e-f", "",
        ])
    func invalidRuntime(text: String) {
        #expect(throws: BuildpackError.self) { try RuntimeSpec.parse(text) }
    }

    @Test(
        "invalid apt.txt tokens are refused with their line",
        arguments: [
            ("Curl", "Curl"), ("_x", "_x"), ("$(rm -rf /)", "$(rm"), ("\"quoted\"", "\"quoted\""),
            ("curl;touch /pwned", "curl;touch"), ("curl$(id)", "curl$(id)"), ("curl\u{0}vim", "curl\u{0}vim"),
            ("-o APT::Get::AllowUnauthenticated=true", "-o"), ("curl `id`", "`id`"), ("vim*", "vim*"),
            ("x", "x"), ("curl=", "curl="), ("curl=abc", "curl=abc"), ("curl:", "curl:"), ("curl/", "curl/"),
            ("curl\u{0B}vim", "curl\u{0B}vim"), ("git curl|sh", "curl|sh"),
        ])
    func invalidApt(line: String, token: String) {
        #expect(throws: BuildpackError.invalidAptPackage(file: "apt.txt:2", line: token)) { try AptPackages.parse("# ok\n" + line + "\n") }
    }

    @Test(
        "apt.txt lines with several packages, architectures, versions and releases",
        arguments: [
            ("curl vim\n", ["curl", "vim"]),
            ("  libc6:amd64   python3=3.11.2-1+b1 # comment\n", ["libc6:amd64", "python3=3.11.2-1+b1"]),
            ("git/bookworm-backports\r\n\n# only a comment\n\tg++\n", ["g++", "git/bookworm-backports"]),
            ("libgtk2.0-0 r-base=4.2.2.20221110-2\n", ["libgtk2.0-0", "r-base=4.2.2.20221110-2"]),
            ("nano=1:7.2-1\n", ["nano=1:7.2-1"]),
        ])
    func validApt(text: String, packages: [String]) throws {
        #expect(try AptPackages.parse(text) == packages)
    }

    @Test(
        "PEP 440 specifiers",
        arguments: [
            (">=3.9", "3.10", true), (">=3.9", "3.8", false), ("<3.12,>=3.10", "3.11", true), ("<3.12", "3.12", false),
            ("~=3.10", "3.13", true), ("~=3.10", "4.0", false), ("==3.11.*", "3.11", true), ("==3.11.*", "3.12", false),
            ("!=3.11.*", "3.11", false), ("!=3.11", "3.12", true), ("==3.10", "3.10", true), (">3.10", "3.10", false),
        ])
    func specifiers(spec: String, version: String, expected: Bool) throws {
        #expect(try PythonSpecifierSet(spec).contains(version) == expected)
    }

    @Test("invalid PEP 440 specifiers are refused", arguments: ["3.11", "^3.10", "=>3.9", ">=3.x", "~=3", ">=3.10.*", "<3.10+local"])
    func invalidSpecifiers(spec: String) {
        #expect(throws: PythonSpecifierSet.SpecifierError.self) { try PythonSpecifierSet(spec) }
    }
}

@Suite("Dockerfile rendering")
struct RenderingTests {
    @Test("a user Dockerfile is returned verbatim, without the appendix")
    func verbatim() throws {
        let text = "FROM base\nRUN echo hi\n"
        let repo = try ScratchRepo(["binder/Dockerfile": text])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        let snapshot = try RepoSnapshot(root: repo.root)
        let plan = try BuildpackChain.detect(snapshot)
        #expect(try DockerfileRenderer.render(plan, snapshot: snapshot, options: RenderOptions(appendix: "RUN x")) == text)
    }

    @Test(
        "Pythons uv cannot provide are built through conda",
        arguments: [("python-2.7", "2.7"), ("python-3.6", "3.6"), ("python-3.7", "3.7")])
    func legacyPython(runtime: String, version: String) throws {
        let repo = try ScratchRepo(["runtime.txt": runtime, "requirements.txt": "numpy\n"])
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        let snapshot = try RepoSnapshot(root: repo.root)
        let plan = try BuildpackChain.detect(snapshot)
        #expect(plan.kind == .python && plan.pythonVersion == version)
        let dockerfile = try DockerfileRenderer.render(plan, snapshot: snapshot, options: RenderOptions())
        #expect(dockerfile.contains("/tmp/install-base-env.bash"))
        #expect(!dockerfile.contains("install-uv.bash"))
        #expect(dockerfile.contains("${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements.txt\""))
        #expect(dockerfile.contains("ENV KERNEL_PYTHON_PREFIX=${CONDA_DIR}/envs/kernel") == (version != "3.7"))
    }
}
