import Foundation
import R2DBuildpackAssets
import R2DTestSupport
import Testing

@testable import R2DBuildpacks

/// Small uv.lock, pylock.toml and pixi.lock texts for scratch repositories.
enum LockTexts {
    static let pyproject = """
        [project]
        name = "demo"
        version = "0.1.0"
        requires-python = ">=3.9"
        dependencies = ["toolz>=0.11"]

        [dependency-groups]
        dev = ["humanize"]

        """

    /// A uv.lock for `pyproject` (virtual project), with `extra` packages after toolz.
    static func uvLock(root: String = "virtual", requiresPython: String = ">=3.9", extra: [(String, String)] = []) -> String {
        var text = """
            version = 1
            revision = 3
            requires-python = "\(requiresPython)"

            [[package]]
            name = "demo"
            version = "0.1.0"
            source = { \(root) = "." }
            dependencies = [{ name = "toolz" }\(extra.map { ", { name = \"\($0.0)\" }" }.joined())]

            [package.dev-dependencies]
            dev = [{ name = "humanize" }]

            [package.metadata]
            requires-dist = [{ name = "toolz", specifier = ">=0.11" }\(extra.map { ", { name = \"\($0.0)\" }" }.joined())]

            [package.metadata.requires-dev]
            dev = [{ name = "humanize" }]

            [[package]]
            name = "humanize"
            version = "4.9.0"
            source = { registry = "https://pypi.org/simple" }

            [[package]]
            name = "toolz"
            version = "0.12.1"
            source = { registry = "https://pypi.org/simple" }

            """
        for (name, version) in extra {
            text += "\n[[package]]\nname = \"\(name)\"\nversion = \"\(version)\"\nsource = { registry = \"https://pypi.org/simple\" }\n"
        }
        return text
    }

    static let pylock = """
        lock-version = "1.0"
        created-by = "uv"
        requires-python = ">=3.9"

        [[packages]]
        name = "tabulate"
        version = "0.9.0"
        wheels = [{ url = "https://files.pythonhosted.org/t/tabulate-0.9.0-py3-none-any.whl", hashes = { sha256 = "024ca478df22e9340661486f85298cff5f6dcdba14f3813e8830015b9ed1948f" } }]

        """

    static func pixiLock(platforms: [String] = ["linux-64"], ipykernel: Bool = true) -> String {
        var text =
            "version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    packages:\n"
        for platform in platforms {
            text += "      \(platform):\n      - conda: https://conda.anaconda.org/conda-forge/\(platform)/python-3.12.7-h_0.conda\n"
            if ipykernel { text += "      - conda: https://conda.anaconda.org/conda-forge/noarch/ipykernel-6.29.5-pyh_0.conda\n" }
        }
        return text
    }

    static let pixiToml =
        "[workspace]\nname = \"p\"\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n\n[dependencies]\nipykernel = \"*\"\n"
}

/// Detects (and renders, when `render`) a scratch repository.
private func plan(_ files: [String: String], defaultPython: String = PythonVersionRules.defaultVersion) throws -> BuildPlan {
    let repo = try ScratchRepo(files)
    defer { try? FileManager.default.removeItem(atPath: repo.root) }
    return try BuildpackChain.detect(try RepoSnapshot(root: repo.root), defaultPython: defaultPython)
}

private func dockerfile(_ files: [String: String], options: RenderOptions = RenderOptions()) throws -> String {
    let repo = try ScratchRepo(files)
    defer { try? FileManager.default.removeItem(atPath: repo.root) }
    let snapshot = try RepoSnapshot(root: repo.root)
    return try DockerfileRenderer.render(try BuildpackChain.detect(snapshot), snapshot: snapshot, options: options)
}

/// The one-line message a repository is refused with.
private func refusal(_ files: [String: String], render: Bool = false) -> String? {
    do {
        if render { _ = try dockerfile(files) } else { _ = try plan(files) }
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite(".python-version")
struct PythonVersionFileTests {
    @Test(
        "what the file asks for",
        arguments: [
            ("3.12", "3.12"), ("3.12.4\n", "3.12"), ("  3.11  \n", "3.11"), ("# pinned for uv\n3.10\n", "3.10"), ("3.12\n3.11\n", "3.12"),
            ("3.8", "3.8"), ("3.14.0\r\n", "3.14"),
        ])
    func followed(text: String, version: String) {
        guard case .version(let got, _) = PythonVersionFile.parse(text) else {
            Issue.record("\(text.debugDescription) was ignored")
            return
        }
        #expect(got == version)
    }

    @Test(
        "pyenv's other forms are ignored",
        arguments: [
            "", "\n\n", "# only a comment\n", "3.7", "3.7.17", "2.7.18", "3.15", "3", "system", "miniconda3-4.7.12", "pypy3.10-7.3.12",
            "3.12-dev", "3.12.1.2", "cpython@3.12", "3.12t", "myproject-env", "3.011", "3.12.0rc1",
        ])
    func ignored(text: String) {
        guard case .ignored = PythonVersionFile.parse(text) else {
            Issue.record("\(text.debugDescription) was followed")
            return
        }
    }
}

@Suite("Python version and its source on the pip pathways")
struct PipPythonVersionTests {
    static let requiresPython312 = "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n"

    @Test(
        "version, source and notes",
        arguments: [
            ([".python-version": "3.12\n", "requirements.txt": ""], "3.12", ".python-version", 0),
            ([".python-version": "3.12.4\n", "requirements.txt": ""], "3.12", ".python-version", 1),
            ([".python-version": "3.7\n", "requirements.txt": ""], "3.10", "default", 1),
            ([".python-version": "miniconda3-4.7.12\n"], "3.10", "default", 1),
            ([".python-version": "3.12\n", "runtime.txt": "python-3.11"], "3.11", "runtime.txt", 1),
            ([".python-version": "3.13\n", "pyproject.toml": requiresPython312], "3.13", ".python-version", 0),
            (["pyproject.toml": requiresPython312], "3.14", "pyproject.toml requires-python", 1),
            (
                ["binder/.python-version": "3.9\n", "binder/requirements.txt": "", ".python-version": "3.12"], "3.9",
                "binder/.python-version", 0
            ),
            (["requirements.txt": ""], "3.10", "default", 0),
            (["environment.yml": "dependencies:\n  - python=3.11\n", ".python-version": "3.12"], "3.11", "environment.yml", 0),
            (["environment.yml": "dependencies: [numpy]\n"], "3.10", "default", 0),
            (["Pipfile": "[requires]\npython_version = \"3.9\"\n", ".python-version": "3.12"], "3.9", "Pipfile", 0),
            (
                ["uv.lock": LockTexts.uvLock(), "pyproject.toml": LockTexts.pyproject, ".python-version": "3.12\n"], "3.12",
                ".python-version", 0
            ),
            (
                [
                    "uv.lock": LockTexts.uvLock(), "pyproject.toml": LockTexts.pyproject, ".python-version": "3.12\n",
                    "runtime.txt": "python-3.11",
                ],
                "3.12", ".python-version", 1
            ),
            (["uv.lock": LockTexts.uvLock(), "pyproject.toml": LockTexts.pyproject], "3.10", "default", 0),
            (["pylock.toml": LockTexts.pylock, "runtime.txt": "python-3.11"], "3.11", "runtime.txt", 0),
            (["pylock.toml": LockTexts.pylock.replacingOccurrences(of: ">=3.9", with: ">=3.11")], "3.14", "pylock.toml requires-python", 0),
            (["pixi.toml": LockTexts.pixiToml, "pixi.lock": LockTexts.pixiLock()], "3.10", "default", 1),
        ] as [([String: String], String, String, Int)])
    func version(files: [String: String], python: String, source: String, notes: Int) throws {
        let p = try plan(files)
        #expect(p.pythonVersion == python, "\(files.keys.sorted())")
        #expect(p.pythonVersionSource == source, "\(files.keys.sorted())")
        #expect(p.notes.count == notes, "\(files.keys.sorted()): \(p.notes)")
        #expect(p.notes.allSatisfy { !$0.contains("\n") })
    }

    @Test("a .python-version that requires-python refuses is one line naming both")
    func againstRequiresPython() throws {
        let message = try #require(refusal([".python-version": "3.11\n", "pyproject.toml": Self.requiresPython312]))
        #expect(
            message
                == ".python-version: Python 3.11 is not allowed by requires-python \">=3.12\" in pyproject.toml; change one of the two so that they agree."
        )
    }

    @Test("a .python-version the lock's requires-python refuses is one line")
    func againstLock() throws {
        let lock = LockTexts.pylock.replacingOccurrences(of: ">=3.9", with: ">=3.12")
        let message = try #require(refusal(["pylock.toml": lock, ".python-version": "3.11"]))
        #expect(message.hasPrefix("pylock.toml: requires-python \">=3.12\" does not allow Python 3.11 (from .python-version)"))
        #expect(!message.contains("\n"))
    }
}

@Suite("Precedence of the uv, pylock and pixi pathways (Docs/environments.md)")
struct PrecedenceTests {
    static let uv = ["uv.lock": LockTexts.uvLock(), "pyproject.toml": LockTexts.pyproject]
    static let pixi = ["pixi.toml": LockTexts.pixiToml, "pixi.lock": LockTexts.pixiLock()]
    static let pixiPyproject = [
        "pyproject.toml": "[project]\nname = \"p\"\n\n[tool.pixi.workspace]\nchannels = []\n", "pixi.lock": LockTexts.pixiLock(),
    ]
    static let pylock = ["pylock.toml": LockTexts.pylock]

    static func with(_ base: [String: String], _ more: [String: String]) -> [String: String] { base.merging(more) { a, _ in a } }

    /// The table of Docs/environments.md, row by row: the files, then the pathway that builds them.
    static let table: [(String, [String: String], BuildpackKind)] = [
        ("uv.lock beside pyproject.toml", uv, .uvLock),
        ("uv.lock without pyproject.toml is not followed", ["uv.lock": LockTexts.uvLock()], .python),
        ("uv.lock over requirements.txt", with(uv, ["requirements.txt": "numpy\n"]), .uvLock),
        ("uv.lock over Pipfile", with(uv, ["Pipfile": "", "Pipfile.lock": "{}"]), .uvLock),
        ("uv.lock over setup.py", with(uv, ["setup.py": ""]), .uvLock),
        ("uv.lock over pylock.toml", with(uv, pylock), .uvLock),
        ("environment.yml over uv.lock (conda before pip)", with(uv, ["environment.yml": ""]), .conda),
        ("a binder directory hides the root uv.lock", with(uv, ["binder/requirements.txt": ""]), .python),
        ("R over uv.lock", with(uv, ["runtime.txt": "r-4.3-2024-01-10"]), .r),
        ("runtime.txt naming another language leaves uv.lock", with(uv, ["runtime.txt": "julia-1.6"]), .python),
        ("runtime.txt python-X.Y keeps uv.lock", with(uv, ["runtime.txt": "python-3.11"]), .uvLock),
        ("Dockerfile over uv.lock", with(uv, ["Dockerfile": "FROM x\n"]), .docker),
        ("Julia over uv.lock", with(uv, ["Project.toml": ""]), .julia),
        ("Nix over uv.lock", with(uv, ["default.nix": ""]), .nix),
        ("pylock.toml", pylock, .pylock),
        ("pylock.<name>.toml alone", ["pylock.docs.toml": LockTexts.pylock], .pylock),
        ("pylock.toml over requirements.txt", with(pylock, ["requirements.txt": "numpy\n"]), .pylock),
        ("pylock.toml over Pipfile", with(pylock, ["Pipfile": ""]), .pylock),
        ("environment.yml over pylock.toml", with(pylock, ["environment.yml": ""]), .conda),
        ("binder/pylock.toml", ["binder/pylock.toml": LockTexts.pylock, "requirements.txt": ""], .pylock),
        ("a binder directory hides the root pylock.toml", with(pylock, ["binder/requirements.txt": ""]), .python),
        ("pixi.toml with pixi.lock", pixi, .pixi),
        ("pixi.toml without pixi.lock is not followed", ["pixi.toml": LockTexts.pixiToml], .python),
        ("pyproject.toml [tool.pixi] with pixi.lock", pixiPyproject, .pixi),
        (
            "pixi.lock beside a pyproject.toml without [tool.pixi]",
            ["pixi.lock": LockTexts.pixiLock(), "pyproject.toml": "[project]\nname = \"p\"\n"], .python
        ),
        ("pixi over environment.yml (a lock over the unlocked file)", with(pixi, ["environment.yml": ""]), .pixi),
        ("pixi over requirements.txt", with(pixi, ["requirements.txt": ""]), .pixi),
        ("pixi over uv.lock", with(pixi, uv), .pixi),
        ("R over pixi", with(pixi, ["runtime.txt": "r-4.3-2024-01-10"]), .r),
        ("Nix over pixi", with(pixi, ["default.nix": ""]), .nix),
        ("binder/pixi.toml", ["binder/pixi.toml": LockTexts.pixiToml, "binder/pixi.lock": LockTexts.pixiLock()], .pixi),
        ("a binder directory hides the root pixi.toml", with(pixi, ["binder/environment.yml": ""]), .conda),
        (".python-version keeps requirements.txt on the Python pathway", [".python-version": "3.12", "requirements.txt": ""], .python),
        (".python-version alone is the default Python pathway", [".python-version": "3.12"], .python),
        // repo2docker's own order, unchanged without the new files.
        ("environment.yml over Pipfile", ["environment.yml": "", "Pipfile": ""], .conda),
        ("Pipfile over requirements.txt", ["Pipfile": "", "requirements.txt": ""], .pipfile),
        ("requirements.txt", ["requirements.txt": ""], .python),
        ("setup.py", ["setup.py": ""], .python),
        ("environment.yml over requirements.txt", ["environment.yml": "", "requirements.txt": ""], .conda),
    ]

    @Test("first match", arguments: table)
    func firstMatch(label: String, files: [String: String], kind: BuildpackKind) throws {
        #expect(try plan(files).kind == kind, "\(label)")
    }

    @Test("the order of the chain is the documented one")
    func order() {
        #expect(BuildpackChain.order == [.docker, .julia, .juliaRequire, .nix, .r, .pixi, .conda, .uvLock, .pylock, .pipfile, .python])
    }

    @Test("Docs/environments.md lists every new pathway in its precedence table")
    func documented() throws {
        let docs = try String(contentsOfFile: ProjectPaths.root + "/Docs/environments.md", encoding: .utf8)
        for kind in ["`uv-lock`", "`pylock`", "`pixi`", "`conda`", "`pipfile`", "`python`"] { #expect(docs.contains(kind), "\(kind)") }
    }
}

@Suite("The uv.lock pathway")
struct UVLockPathwayTests {
    @Test("dependencies before the full copy, with --inexact, the environment's interpreter and the Jupyter check")
    func layers() throws {
        let text = try dockerfile([
            "uv.lock": LockTexts.uvLock(root: "editable"),
            "pyproject.toml": LockTexts.pyproject + "[build-system]\nrequires = [\"flit_core\"]\n",
        ])
        let copy = try #require(text.range(of: " src/ ${REPO_DIR}/"))
        let before = String(text[..<copy.lowerBound]), after = String(text[copy.upperBound...])
        #expect(before.contains("COPY --chown=1000:1000 src/pyproject.toml ${REPO_DIR}/pyproject.toml"))
        #expect(before.contains("COPY --chown=1000:1000 src/uv.lock ${REPO_DIR}/uv.lock"))
        #expect(before.contains("uv sync --locked --inexact --python ${NB_PYTHON_PREFIX}/bin/python --no-install-project"))
        #expect(before.contains("export UV_PROJECT_ENVIRONMENT=${NB_PYTHON_PREFIX}"))
        #expect(before.contains("uv pip check --python ${NB_PYTHON_PREFIX}"))
        #expect(after.contains("uv sync --locked --inexact --python ${NB_PYTHON_PREFIX}/bin/python \\"))
        #expect(!text.contains("uv sync --locked --python"), "every sync keeps what the lock lacks")
        #expect(!text.contains("ENV UV_PROJECT_ENVIRONMENT"), "a later `uv sync` in the image must not target the notebook environment")
    }

    @Test("a virtual project has nothing to install after the copy; a workspace member moves everything after it")
    func placement() throws {
        let virtual = try dockerfile(PrecedenceTests.uv)
        #expect(virtual.components(separatedBy: "uv sync").count == 2)
        var member = LockTexts.uvLock(root: "editable")
        member += "\n[[package]]\nname = \"member\"\nversion = \"0.1.0\"\nsource = { editable = \"packages/member\" }\n"
        let workspace = try dockerfile(["uv.lock": member, "pyproject.toml": LockTexts.pyproject])
        let copy = try #require(workspace.range(of: " src/ ${REPO_DIR}/"))
        #expect(!workspace[..<copy.lowerBound].contains("uv sync"))
        #expect(workspace[copy.upperBound...].contains("uv sync"))
        let dynamic = LockTexts.pyproject.replacingOccurrences(of: "dependencies = [\"toolz>=0.11\"]", with: "dynamic = [\"dependencies\"]")
        let built = try dockerfile(["uv.lock": LockTexts.uvLock(root: "editable"), "pyproject.toml": dynamic])
        let builtCopy = try #require(built.range(of: " src/ ${REPO_DIR}/"))
        #expect(!built[..<builtCopy.lowerBound].contains("uv sync"), "dynamic dependencies need the checkout")
    }

    @Test("a lock older than pyproject.toml is one line")
    func stale() throws {
        let pyproject = LockTexts.pyproject.replacingOccurrences(of: "[\"toolz>=0.11\"]", with: "[\"toolz>=0.11\", \"termcolor\"]")
        let message = try #require(refusal(["uv.lock": LockTexts.uvLock(), "pyproject.toml": pyproject]))
        #expect(
            message
                == "uv.lock: it is out of date with pyproject.toml (termcolor is in pyproject.toml's dependencies but not in uv.lock); run `uv lock` and commit uv.lock."
        )
        let group = LockTexts.pyproject.replacingOccurrences(of: "dev = [\"humanize\"]", with: "dev = [\"humanize\", \"pytest\"]")
        #expect(
            try #require(refusal(["uv.lock": LockTexts.uvLock(), "pyproject.toml": group])).contains(
                "pytest is in pyproject.toml's dependency group \"dev\""))
        let removed = LockTexts.pyproject.replacingOccurrences(of: "[\"toolz>=0.11\"]", with: "[]")
        #expect(try #require(refusal(["uv.lock": LockTexts.uvLock(), "pyproject.toml": removed])).contains("uv.lock still has toolz"))
    }

    @Test("a lock moving the Jupyter stack to another series is one line naming both versions")
    func jupyterConflict() throws {
        let lock = LockTexts.uvLock(extra: [("jupyterlab", "3.6.7")])
        let pyproject = LockTexts.pyproject.replacingOccurrences(of: "[\"toolz>=0.11\"]", with: "[\"toolz>=0.11\", \"jupyterlab\"]")
        let message = try #require(refusal(["uv.lock": lock, "pyproject.toml": pyproject]))
        #expect(
            message.hasPrefix("uv.lock: it locks jupyterlab 3.6.7, but the notebook environment's Jupyter stack needs jupyterlab 4.* ("))
        #expect(message.contains("Buildpacks/python/locks/jupyter-py3.10.lock has 4."))
        #expect(!message.contains("\n"))
    }

    @Test("other packages of the stack take the lock's version, noted in one line")
    func replaced() throws {
        let lock = LockTexts.uvLock(extra: [("attrs", "23.2.0")])
        let pyproject = LockTexts.pyproject.replacingOccurrences(of: "[\"toolz>=0.11\"]", with: "[\"toolz>=0.11\", \"attrs\"]")
        let p = try plan(["uv.lock": lock, "pyproject.toml": pyproject])
        let note = try #require(p.notes.first { $0.contains("replaces") })
        #expect(note.hasPrefix("uv.lock replaces 1 package(s) of the Jupyter stack with its locked versions: attrs "))
        #expect(note.hasSuffix(" → 23.2.0."))
    }

    @Test("a lock of another format version is one line")
    func version() throws {
        let message = try #require(refusal(["uv.lock": "version = 2\n", "pyproject.toml": LockTexts.pyproject]))
        #expect(message.hasPrefix("uv.lock: this is not a version 1 uv.lock"))
    }

    @Test("the walk follows default groups and extras, not other groups")
    func installedSet() throws {
        let text = """
            version = 1
            [[package]]
            name = "demo"
            version = "0.1.0"
            source = { virtual = "." }
            dependencies = [{ name = "a", extra = ["x"] }]
            [package.dev-dependencies]
            dev = [{ name = "d" }]
            docs = [{ name = "e" }]
            [[package]]
            name = "a"
            version = "1"
            dependencies = [{ name = "b" }]
            [package.optional-dependencies]
            x = [{ name = "c" }]
            [[package]]
            name = "b"
            version = "1"
            [[package]]
            name = "c"
            version = "1"
            [[package]]
            name = "d"
            version = "1"
            [[package]]
            name = "e"
            version = "1"
            """
        let lock = try UVLockFile(bytes: Array(text.utf8), file: "uv.lock")
        #expect(lock.installed(groups: ["dev"]).map(\.name) == ["a", "b", "c", "d"])
        #expect(lock.installed(groups: []).map(\.name) == ["a", "b", "c"])
    }
}

@Suite("The pylock.toml pathway")
struct PylockPathwayTests {
    @Test("installed by uv from the lock before the full copy, hash-checked, then checked against the Jupyter stack")
    func layers() throws {
        let text = try dockerfile(PrecedenceTests.pylock)
        let copy = try #require(text.range(of: " src/ ${REPO_DIR}/"))
        let before = String(text[..<copy.lowerBound])
        #expect(before.contains("COPY --chown=1000:1000 src/pylock.toml ${REPO_DIR}/pylock.toml"))
        #expect(before.contains("uv pip install --preview-features pylock --python ${KERNEL_PYTHON_PREFIX} -r pylock.toml"))
        #expect(before.contains("uv pip check"))
    }

    @Test("several named locks without pylock.toml are one line; pylock.toml wins over named ones")
    func choice() throws {
        let message = try #require(refusal(["pylock.a.toml": LockTexts.pylock, "pylock.b.toml": LockTexts.pylock]))
        #expect(message.hasPrefix("pylock.a.toml: several named locks (pylock.a.toml, pylock.b.toml) and no pylock.toml"))
        let text = try dockerfile(["pylock.a.toml": LockTexts.pylock, "pylock.toml": LockTexts.pylock])
        #expect(text.contains("-r pylock.toml") && !text.contains("pylock.a.toml"))
        #expect(try dockerfile(["pylock.dev.toml": LockTexts.pylock]).contains("-r pylock.dev.toml"))
        #expect(try plan(["pylock.x$(id).toml": LockTexts.pylock]).kind == .python, "a name that is not a plain word is not a lock")
    }

    @Test("an archive without hashes, or another lock version, is one line")
    func refusals() throws {
        let unhashed = LockTexts.pylock.replacingOccurrences(
            of: ", hashes = { sha256 = \"024ca478df22e9340661486f85298cff5f6dcdba14f3813e8830015b9ed1948f\" }", with: "")
        #expect(
            try #require(refusal(["pylock.toml": unhashed])).hasPrefix("pylock.toml: \"tabulate\" has an entry of wheels without hashes"))
        let version = LockTexts.pylock.replacingOccurrences(of: "lock-version = \"1.0\"", with: "lock-version = \"2.0\"")
        #expect(try #require(refusal(["pylock.toml": version])).hasPrefix("pylock.toml: lock-version must be 1.x"))
    }
}

@Suite("The pixi pathway")
struct PixiPathwayTests {
    @Test("the pinned pixi, its locked install before the copy, and the kernel")
    func rendered() throws {
        let text = try dockerfile(PrecedenceTests.pixi)
        #expect(
            text.contains(
                "PIXI_ARCH=x86_64 PIXI_URL='https://github.com/prefix-dev/pixi/releases/download/v{version}/pixi-{arch}-unknown-linux-musl.tar.gz' bash /tmp/install-pixi.bash"
            ))
        let copy = try #require(text.range(of: " src/ ${REPO_DIR}/"))
        let before = String(text[..<copy.lowerBound])
        #expect(before.contains("pixi install --locked --manifest-path pixi.toml --environment default"))
        #expect(
            before.contains("${REPO_DIR}/.pixi/envs/default/bin/python -m ipykernel install --prefix ${NB_PYTHON_PREFIX} --name python3"))
        #expect(!text.contains("pip install pixi"), "the PyPI package named pixi is another program")
    }

    @Test("--pixi-url replaces the GitHub release; arm64 gets its archive")
    func location() throws {
        var downloads = DownloadLocations()
        var first = true
        #expect(downloads.set(trait: "pixi_url", value: "https://mirror.example/pixi/{version}/{arch}.tar.gz", firstChannel: &first))
        let text = try dockerfile(PrecedenceTests.pixi, options: RenderOptions(downloads: downloads))
        #expect(text.contains("PIXI_URL='https://mirror.example/pixi/{version}/{arch}.tar.gz'") && !text.contains("github.com"))
        let arm = try dockerfile(
            ["pixi.toml": LockTexts.pixiToml, "pixi.lock": LockTexts.pixiLock(platforms: ["linux-64", "linux-aarch64"])],
            options: RenderOptions(platform: "linux/arm64"))
        #expect(arm.contains("PIXI_ARCH=aarch64"))
    }

    @Test("a lock without ipykernel or without the platform is one line")
    func refusals() throws {
        let noKernel = try #require(refusal(["pixi.toml": LockTexts.pixiToml, "pixi.lock": LockTexts.pixiLock(ipykernel: false)]))
        #expect(noKernel.hasPrefix("pixi.lock: the default environment has no ipykernel") && !noKernel.contains("\n"))
        let noPlatform = try #require(
            refusal(["pixi.toml": LockTexts.pixiToml, "pixi.lock": LockTexts.pixiLock(platforms: ["osx-arm64"])]))
        #expect(noPlatform.hasPrefix("pixi.lock: the default environment is not locked for linux-64"))
        let old = try #require(refusal(["pixi.toml": LockTexts.pixiToml, "pixi.lock": "version: 3\n"]))
        #expect(old.hasPrefix("pixi.lock: this is not a pixi.lock of format 5 or 6"))
    }

    @Test("the pixi archive checksums are pinned for both Linux architectures")
    func pinned() throws {
        let script = String(decoding: BuildpackAssets.installPixi, as: UTF8.self)
        #expect(script.contains("\nPIXI_VERSION=\"\(BuildpackAssets.pixiVersion)\"\n"))
        for arch in ["X86_64", "AARCH64"] {
            let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("PIXI_SHA256_\(arch)=") })
            #expect(line.count == "PIXI_SHA256_\(arch)=\"\"".count + 64)
        }
        #expect(script.contains("sha256sum") && script.contains("refusing to install it"))
    }
}

@Suite("The Jupyter stack the lock pathways compare with")
struct JupyterStackTests {
    @Test("the top-level list is jupyter.in's")
    func topLevel() throws {
        let text = try String(contentsOfFile: ProjectPaths.root + "/Buildpacks/python/jupyter.in", encoding: .utf8)
        let names = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.compactMap {
            PackageName.ofRequirement(String($0))
        }
        #expect(Set(names.filter { $0 != "pip" }) == Set(JupyterStack.topLevel))
    }

    @Test("the compiled-in lock's pins are read")
    func pins() throws {
        let stack = try #require(JupyterStack(python: "3.11", platform: "linux/amd64"))
        #expect(stack.versions["jupyterlab"]?.hasPrefix("4.") == true)
        #expect(stack.versions.count > 50)
        #expect(JupyterStack.series("4.4.9") == "4" && JupyterStack.series("0.3.2") == "0.3")
    }
}
