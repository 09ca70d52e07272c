import Foundation
import Testing
import R2DBuildpackAssets
@testable import R2DBuildpacks

/// Renders a scratch repository with `options` (and removes it).
private func render(_ files: [String: String], options: RenderOptions = RenderOptions()) throws -> (BuildPlan, String) {
    let repo = try ScratchRepo(files)
    defer { try? FileManager.default.removeItem(atPath: repo.root) }
    let snapshot = try RepoSnapshot(root: repo.root)
    let plan = try BuildpackChain.detect(snapshot)
    return (plan, try DockerfileRenderer.render(plan, snapshot: snapshot, options: options))
}

/// The text of the generated Dockerfile before its full repository copy (`COPY … src/ ${REPO_DIR}/`).
private func beforeFullCopy(_ dockerfile: String) -> String {
    guard let range = dockerfile.range(of: " src/ ${REPO_DIR}/") else { return dockerfile }
    return String(dockerfile[..<range.lowerBound])
}

@Suite("Detection of the conda, R, Julia and Nix pathways (reference §3.1–3.3)")
struct EnvironmentDetectionTests {
    static let description = "Package: x\nVersion: 0.1\n"

    @Test(
        "first match and versions",
        arguments: [
            // §3.1 order and its consequences.
            (
                ["Dockerfile": "FROM x\n", "Project.toml": "", "default.nix": "", "environment.yml": ""], BuildpackKind.docker, nil, nil,
                nil
            ),
            (["Project.toml": "", "environment.yml": "dependencies: [numpy]\n"], .julia, "3.10", nil, "1.12.1"),
            (
                ["JuliaProject.toml": "[compat]\njulia = \"1.6\"\n", "Project.toml": "[compat]\njulia = \"=1.3\"\n"], .julia, "3.10", nil,
                "1.12.1"
            ),
            (["Project.toml": "[compat]\njulia = \"~1.9\"\n"], .julia, "3.10", nil, "1.9.4"),
            (["REQUIRE": "julia 0.6\n"], .juliaRequire, "3.10", nil, nil),
            (["REQUIRE": "", "Project.toml": ""], .julia, "3.10", nil, "1.12.1"),
            (["default.nix": "", "environment.yml": ""], .nix, nil, nil, nil),
            (["default.nix": "", "runtime.txt": "r-4.3-2024-01-10"], .nix, nil, nil, nil),
            (["runtime.txt": "r-4.3-2024-01-10", "Pipfile": ""], .r, "3.10", "4.3.3", nil),
            (["runtime.txt": "r-2024-01-10"], .r, "3.10", "4.4.2", nil),
            (["runtime.txt": "r-4.1.2-2022-05-01", "environment.yml": ""], .r, "3.10", "4.1.2", nil),
            (["DESCRIPTION": description], .r, "3.10", "4.4.2", nil),
            (["DESCRIPTION": description, "runtime.txt": "r-3.6"], .r, "3.10", "3.6.3", nil),
            (["install.R": "install.packages('x')\n"], .python, "3.10", nil, nil),
            (["runtime.txt": "r-4.3", "install.R": ""], .python, "3.10", nil, nil),
            (["binder/DESCRIPTION": description], .python, "3.10", nil, nil),
            (["binder/requirements.txt": "", "DESCRIPTION": description], .python, "3.10", nil, nil),
            (["environment.yml": "", "Pipfile": "[requires]\npython_version = \"3.12\"\n"], .conda, "3.10", nil, nil),
            (
                ["environment.yml": "dependencies:\n  - python=3.12\n", "environment.yaml": "dependencies:\n  - python=3.9\n"], .conda,
                "3.12", nil, nil
            ),
            (["environment.yaml": "dependencies:\n  - python=3.9\n"], .conda, "3.9", nil, nil),
            (["environment.yml": "dependencies:\n  - python=3.11\n", "runtime.txt": "python-3.8"], .conda, "3.11", nil, nil),
            (["environment.yml": "", "requirements.txt": "numpy\n"], .conda, "3.10", nil, nil),
            (["runtime.txt": "julia-1.6", "requirements.txt": ""], .python, "3.10", nil, nil),
            (["runtime.txt": "python-2.7", "requirements.txt": ""], .python, "2.7", nil, nil),
            (["Pipfile": "[requires]\npython_version = \"3.6\"\n", "runtime.txt": "python-3.7"], .pipfile, "3.6", nil, nil),
            // §3.2: a binder directory hides every root file, also when it lacks that file.
            (
                [".binder/environment.yml": "dependencies:\n  - python=3.5\n", "environment.yml": "[", "Dockerfile": "FROM x\n"], .conda,
                "3.5", nil, nil
            ),
            (["binder/README": "", "default.nix": "", "Project.toml": ""], .python, "3.10", nil, nil),
            (["binder/default.nix": "", "start": "exit 1\n"], .nix, nil, nil, nil),
            (["binder/Project.toml": "[compat]\njulia = \"=1.3\"\n", "Project.toml": "broken ["], .julia, "3.10", nil, "1.3.0"),
        ] as [([String: String], BuildpackKind, String?, String?, String?)])
    func detect(files: [String: String], kind: BuildpackKind, python: String?, r: String?, julia: String?) throws {
        let plan = try ScratchRepo(files).detect()
        #expect(plan.kind == kind)
        #expect(plan.pythonVersion == python)
        #expect(plan.rVersion == r)
        #expect(plan.juliaVersion == julia)
    }

    @Test(
        "environment.yml python pins (python\\s*=+\\s*([\\d.]*))",
        arguments: [
            ("dependencies:\n  - python=3.11.5\n", "3.11"),
            ("dependencies:\n  - python==3.11.5\n", "3.11"),
            ("dependencies:\n  - python = 3.12\n", "3.12"),
            ("dependencies:\n  - \"python=3.9\"\n", "3.9"),
            ("dependencies:\n  - python>=3.8\n", "3.10"),
            ("dependencies:\n  - python\n", "3.10"),
            ("dependencies:\n  - python=2\n", "2.7"),
            ("dependencies:\n  - python=3\n", "3.10"),
            ("dependencies:\n  - python-dateutil=2.8\n  - python=3.13\n", "3.13"),
            ("dependencies:\n- python=3.14\n", "3.14"),
            ("dependencies: [numpy, 'python=3.8']\n", "3.8"),
            ("name: x\nchannels:\n  - conda-forge\ndependencies:\n  - pip:\n    - python==3.11\n  - numpy\n", "3.10"),
            ("", "3.10"),
            ("# only a comment\n", "3.10"),
            ("---\nnull\n", "3.10"),
        ])
    func condaPython(text: String, version: String) throws {
        #expect(try ScratchRepo(["environment.yml": text]).detect().pythonVersion == version)
    }

    @Test(
        "environment.yml that is not a mapping is a one-line error naming the file",
        arguments: [
            "- numpy\n- scipy\n", "[numpy]\n", "just some text\n",
        ])
    func notMapping(text: String) throws {
        let error = try #require(throws: BuildpackError.self) { try ScratchRepo(["binder/environment.yml": text]).detect() }
        guard case .environmentNotMapping(let file, _) = error else { Issue.record("wrong error \(error)"); return }
        #expect(file == "binder/environment.yml")
        #expect(!error.description.contains("\n") && error.description.contains("binder/environment.yml"))
    }

    @Test(
        "unsupported versions fail with one line",
        arguments: [
            ["environment.yml": "dependencies:\n  - python=3.4\n"],
            ["runtime.txt": "r-4.7-2024-01-01"],
            ["runtime.txt": "r-5-2024-01-01"],
            ["Project.toml": "[compat]\njulia = \"0.3\"\n"],
            ["Project.toml": "[compat]\njulia = \"1.6 - 1.9\"\n"],
        ])
    func unsupported(files: [String: String]) throws {
        let error = try #require(throws: BuildpackError.self) { try ScratchRepo(files).detect() }
        #expect(!error.description.contains("\n"))
    }
}

@Suite("Julia [compat] rules")
struct JuliaCompatTests {
    static let releases = [
        "0.6.4", "0.7.0", "1.0.0", "1.0.5", "1.3.0", "1.3.1", "1.5.4", "1.6.0", "1.6.7", "1.9.4",
        "1.10.0", "1.10.4", "1.11.0-rc1", "1.11.2", "2.0.0",
    ]

    @Test(arguments: [
        ("1.6", "1.11.2"), ("^1.6", "1.11.2"), ("1", "1.11.2"), ("^1.3.1", "1.11.2"), ("0.6", "0.6.4"), ("^0.7", "0.7.0"),
        ("0", "0.7.0"), ("~1.6", "1.6.7"), ("~1", "1.11.2"), ("~1.6.2", "1.6.7"), ("~1.10.1", "1.10.4"), ("~0.6.3", "0.6.4"),
        ("=1.3", "1.3.0"), ("==1.3.1", "1.3.1"), (">=1.6", "2.0.0"), ("≥1.10", "2.0.0"), ("<1.6", "1.5.4"), ("<=1.6", "1.6.0"),
        ("≤1.0.5", "1.0.5"), (">1.10.4", "2.0.0"), ("1.3, 1.5", "1.11.2"), ("~1.3, ~1.5", "1.5.4"), ("  1.9 ", "1.11.2"),
    ])
    func highestMatch(compat: String, expected: String) throws {
        #expect(try JuliaVersionRules.version(compat: compat, releases: Self.releases) == expected)
    }

    @Test(arguments: ["=1.4", "~1.2", "^3", "1.x", "", ">=", "1.2.3.4"])
    func noMatchOrInvalid(compat: String) {
        #expect(throws: BuildpackError.self) { try JuliaVersionRules.version(compat: compat, releases: Self.releases) }
    }

    @Test func shippedReleaseList() throws {
        let releases = BuildpackAssets.juliaReleases
        #expect(releases.contains("1.6.7") && releases.contains("1.10.10") && releases.contains("1.3.0"))
        #expect(!releases.contains { $0.contains("-") })
        #expect(try JuliaVersionRules.version(compat: JuliaVersionRules.defaultCompat, releases: releases) == "1.12.1")
    }
}

@Suite("Parsing environment.yml")
struct CondaEnvironmentFileTests {
    @Test func blockListsAndPip() throws {
        let env = try CondaEnvironmentFile.parse(
            Array(
                """
                name: demo  # ignored
                channels:
                  - conda-forge
                dependencies:
                  - python=3.11   # comment
                  - 'r-base=4.3'
                  - pip
                  - pip:
                      - -r requirements.txt
                      - "there==1.0"
                variables:
                  X: "1"
                """.utf8), file: "environment.yml")
        #expect(env.dependencies == ["python=3.11", "r-base=4.3", "pip"])
        #expect(env.pip == ["-r requirements.txt", "there==1.0"])
        #expect(env.wantsR && env.rBaseVersion == "4.3")
        #expect(env.hasLocalPipRequirement)
    }

    @Test func flowPip() throws {
        let env = try CondaEnvironmentFile.parse(Array("dependencies:\n- r-digest\n- pip: [numpy, ./local]\n".utf8), file: "e.yml")
        #expect(env.dependencies == ["r-digest"] && env.pip == ["numpy", "./local"])
        #expect(env.wantsR && env.rBaseVersion == nil && env.hasLocalPipRequirement)
    }

    @Test(
        "repo2docker's is_local_pip_requirement",
        arguments: [
            ("-r requirements.txt", true), ("--requirement=x.txt", true), ("-c constraints.txt", true), ("--constraint c.txt", true),
            ("-e .", true), ("--editable=.", true), ("-e ./sub", true), ("./pkg", true), ("../sibling", true),
            ("file:///tmp/x.whl", true), ("pkg @ file:///srv/x", true), ("pkg @ ./dir", false), ("git://../local", true),
            ("-rfoo.txt", true), ("-e=foo", false), ("--editable", false), ("numpy # see ./notes", false), ("/abs/path.whl", false),
            ("numpy", false), ("numpy==1.26", false), ("--pre", false), ("# comment", false), ("--index-url https://x/simple", false),
            ("git+https://github.com/a/b", false), ("-e git+https://github.com/a/b#egg=b", false), ("", false),
        ])
    func localPip(line: String, local: Bool) {
        #expect(PipRequirement.isLocal(line) == local)
    }
}

@Suite("Rendering the conda, R, Julia and Nix pathways")
struct EnvironmentRenderingTests {
    @Test("environment.yml is installed before the full copy unless its pip list refers to the repository")
    func preassembleRule() throws {
        let (_, early) = try render(["environment.yml": "dependencies:\n  - numpy\n  - pip:\n    - there\n"])
        #expect(beforeFullCopy(early).contains("env update -p ${NB_PYTHON_PREFIX} --file \"environment.yml\""))
        #expect(beforeFullCopy(early).contains("src/environment.yml ${REPO_DIR}/environment.yml"))
        let (_, late) = try render(["environment.yml": "dependencies:\n  - pip:\n    - -e .\n", "setup.py": ""])
        #expect(!beforeFullCopy(late).contains("env update"))
        #expect(late.contains("env update -p ${NB_PYTHON_PREFIX} --file \"environment.yml\""))
        #expect(!late.contains("pip install --no-cache-dir ."), "setup.py is not installed by the conda buildpack")
    }

    @Test("conda ignores requirements.txt and Pipfile; Python 2 gets a kernel environment")
    func condaScope() throws {
        let (_, text) = try render(["environment.yml": "dependencies:\n  - python=2\n", "requirements.txt": "there\n", "Pipfile": ""])
        #expect(!text.contains("requirements.txt") && !text.contains("pipenv"))
        #expect(text.contains("ENV KERNEL_PYTHON_PREFIX=${CONDA_DIR}/envs/kernel"))
        #expect(text.contains("ENV KERNEL_ENVIRONMENT_FILE=/tmp/env/kernel-environment.txt"))
        #expect(text.contains("ENV PATH=${NB_PYTHON_PREFIX}/bin:${KERNEL_PYTHON_PREFIX}/bin:${CONDA_DIR}/bin:${NPM_DIR}/bin:${PATH}"))
        #expect(text.contains("env update -p ${KERNEL_PYTHON_PREFIX}"))
        #expect(text.contains("COPY --chown=1000:1000 build_script_files/kernel-environment.txt /tmp/env/kernel-environment.txt"))
    }

    @Test("R in conda: r-base pin, IRkernel, RStudio on amd64 only")
    func condaR() throws {
        let env = ["environment.yml": "dependencies:\n  - r-base=3.6\n  - r-digest\n"]
        let (_, amd) = try render(env)
        #expect(amd.contains("${MAMBA_EXE} install -p ${NB_PYTHON_PREFIX} r-base=3.6 r-irkernel r-devtools -y"))
        #expect(amd.contains("rsession-which-r=${NB_PYTHON_PREFIX}/bin/R"))
        #expect(amd.contains("jupyter-rsession-proxy==2.3.0 jupyter-shiny-proxy==1.4"))
        let (_, arm) = try render(env, options: RenderOptions(platform: "linux/arm64"))
        #expect(!arm.contains("rstudio.deb") && arm.contains("IRkernel::installspec"))
        #expect(arm.contains("ENV CONDA_PLATFORM=linux-aarch64"))
    }

    @Test(
        "a Pipfile asking for Python 3.5/3.6 is installed with pipenv into the conda kernel environment",
        arguments: [("3.5", "2021.5.29"), ("3.6", "2022.1.8")])
    func legacyPipfile(python: String, pipenv: String) throws {
        let (plan, text) = try render(["Pipfile": "[requires]\npython_version = \"\(python)\"\n", "requirements3.txt": "nbgitpuller\n"])
        #expect(plan.kind == .pipfile && plan.pythonVersion == python)
        #expect(beforeFullCopy(text).contains("${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir pipenv==\(pipenv)"))
        #expect(text.contains("${NB_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements3.txt\""))
        #expect(text.contains("pipenv install --skip-lock --system --dev"))
        #expect(text.contains("COPY --chown=1000:1000 build_script_files/kernel-environment.txt"))
    }

    @Test("legacy Pythons have no aarch64 environment")
    func aarch64Legacy() throws {
        #expect(throws: BuildpackError.self) {
            try render(["environment.yml": "dependencies:\n  - python=3.6\n"], options: RenderOptions(platform: "linux/arm64"))
        }
    }

    @Test("R: version, dated snapshot URL without network, install.R tried early and retried, install_local")
    func rImage() throws {
        let (_, text) = try render([
            "runtime.txt": "r-4.3-2024-01-10", "install.R": "install.packages('digest')\n",
            "requirements.txt": "numpy\n", "environment.yml": "dependencies: [numpy]\n",
        ])
        #expect(text.contains("\"https://packagemanager.posit.co/cran\"/__linux__/${VERSION_CODENAME}/2024-01-10"))
        #expect(text.contains("\"${distro}/pkgs/r-4.3.3_1_amd64.deb\""))
        #expect(text.contains("ENV R_HOME=/opt/R/4.3.3/lib/R"))
        #expect(text.contains("apt-get -qq install --yes libapparmor1 libssl-dev lsb-release psmisc sudo"))
        let early = beforeFullCopy(text)
        #expect(early.contains("Rscript install.R && touch /tmp/.preassembled || true"))
        #expect(early.contains("pip install --no-cache-dir -r \"requirements.txt\""))
        #expect(early.contains("env update -p ${NB_PYTHON_PREFIX} --file \"environment.yml\""))
        #expect(text.contains("if [ ! -f /tmp/.preassembled ]; then Rscript install.R;"))
        #expect(!text.contains("remotes::install_local()"))

        let today = Date(timeIntervalSince1970: 1_773_273_600)  // 2026-03-12
        let (_, description) = try render(["DESCRIPTION": "Package: x\n"], options: RenderOptions(today: today))
        #expect(description.contains("/__linux__/${VERSION_CODENAME}/2026-03-10"))
        #expect(description.contains("remotes::install_local()"))
    }

    @Test("R refuses snapshots before 2018-12-07 and non-amd64 platforms")
    func rErrors() throws {
        #expect(throws: BuildpackError.rSnapshotTooOld(file: "runtime.txt", date: "2018-12-06")) {
            try render(["runtime.txt": "r-3.5-2018-12-06"])
        }
        #expect(try render(["runtime.txt": "r-3.5-2018-12-07"]).1.contains("/2018-12-07\\\""))
        #expect(throws: BuildpackError.needsAMD64(buildpack: "R", platform: "linux/arm64")) {
            try render(["runtime.txt": "r-4.4-2024-06-01"], options: RenderOptions(platform: "linux/arm64"))
        }
    }

    @Test("Julia: tarball for the picked version, IJulia and Pkg.instantiate after the full copy")
    func julia() throws {
        let (_, text) = try render(["binder/Project.toml": "[compat]\njulia = \"~1.10.2\"\n", "binder/environment.yml": ""])
        #expect(text.contains("ENV JULIA_VERSION=1.10.10"))
        #expect(text.contains("ENV JULIA_PROJECT=${REPO_DIR}/binder"))
        #expect(
            text.contains(
                "https://julialang-s3.julialang.org/bin/\"linux/${JULIA_ARCH_SHORT}/${JULIA_VERSION%[.-]*}/julia-${JULIA_VERSION}-linux-${JULIA_ARCH}.tar.gz\""
            ))
        #expect(
            !beforeFullCopy(text).contains("IJulia") && text.contains("installkernel(\\\"Julia\\\", \\\"--project=${REPO_DIR}/binder\\\")"))
        #expect(text.contains("julia --project=${REPO_DIR}/binder -e \"using Pkg; Pkg.instantiate(); Pkg.resolve(); Pkg.instantiate()\""))
        #expect(beforeFullCopy(text).contains("env update"), "environment.yml is installed as well")
    }

    @Test("REQUIRE renders a Python Dockerfile whose first step fails with repo2docker's message")
    func require() throws {
        let (plan, text) = try render(["REQUIRE": "julia 0.6\n"])
        #expect(plan.kind == .juliaRequire)
        let lines = text.split(separator: "\n")
        #expect(lines.count > 3 && lines[1].hasPrefix("RUN echo 'Julia REQUIRE no longer supported") && lines[1].hasSuffix(">&2 && exit 1"))
    }

    @Test("Nix: installer, channel, nix-shell, and nix-shell-wrapper as the start")
    func nix() throws {
        let (plan, text) = try render(["default.nix": "{}", "start": "#!/bin/bash\nexec \"$@\"\n", "requirements.txt": "numpy\n"])
        #expect(plan.start == "/usr/local/bin/nix-shell-wrapper")
        #expect(text.contains("ENV R2D_ENTRYPOINT=\"/usr/local/bin/nix-shell-wrapper\""))
        #expect(
            text.contains(
                "NIX_ARCH=x86_64 NIX_INSTALLER_URL='https://nixos.org/releases/nix/nix-{version}/nix-{version}-{arch}-linux.tar.xz'"))
        #expect(text.contains("nix-shell default.nix"))
        #expect(!text.contains("conda") && !text.contains("requirements.txt"), "Nix images get no Python pathway")
    }

    @Test("every download location is configurable and the defaults disappear when replaced")
    func downloadLocations() throws {
        var locations = DownloadLocations()
        var first = true
        let settings: [(String, String)] = [
            ("micromamba_url", "https://mirror.example/mm/{platform}/micromamba.tar.bz2"),
            ("conda_channel", "https://mirror.example/conda-forge"), ("conda_channel", "bioconda"),
            ("posit_package_manager_url", "https://ppm.example/cran/"), ("r_binary_url", "https://r.example/r"),
            ("rstudio_url", "https://rs.example/rstudio3.deb"), ("rstudio_legacy_url", "https://rs.example/rstudio1.deb"),
            ("shiny_server_url", "https://rs.example/shiny.deb"), ("julia_download_url", "https://jl.example/bin"),
            ("julia_pkg_server", "https://pkg.example"), ("nix_installer_url", "https://nix.example/{version}/{arch}.tar.xz"),
            ("nix_channel_url", "https://nix.example/channel"),
        ]
        for (trait, value) in settings { #expect(locations.set(trait: trait, value: value, firstChannel: &first)) }
        #expect(!locations.set(trait: "base_image", value: "x", firstChannel: &first))
        #expect(locations.condaChannels == ["https://mirror.example/conda-forge", "bioconda"])
        let options = RenderOptions(downloads: locations)
        let r = try render(["runtime.txt": "r-4.4-2024-06-01", "environment.yml": ""], options: options).1
        let julia = try render(["Project.toml": ""], options: options).1
        let nix = try render(["default.nix": ""], options: options).1
        let all = r + julia + nix
        for host in [
            "mirror.example", "ppm.example/cran\"/__linux__", "r.example/r", "rs.example/rstudio3.deb", "rs.example/rstudio1.deb",
            "rs.example/shiny.deb", "jl.example/bin", "JULIA_PKG_SERVER=https://pkg.example", "nix.example/{version}",
            "nix.example/channel",
            "CONDA_CHANNELS='https://mirror.example/conda-forge bioconda'",
        ] {
            #expect(all.contains(host), "\(host) missing")
        }
        for upstream in ["anaconda.org", "posit.co", "rstudio.com", "rstudio.org", "julialang", "nixos.org"] {
            #expect(!all.contains(upstream), "\(upstream) still used")
        }
    }

    @Test("the legacy binder base image is refused, with the file named")
    func legacy() throws {
        let error = try #require(throws: BuildpackError.self) {
            try render(["Dockerfile": "FROM andrewosh/binder-base\n", "binder/environment.yml": ""])
        }
        #expect(error == .legacyDockerfile(file: "Dockerfile"))
        #expect(error.description.hasPrefix("The legacy buildpack has been removed"))
    }
}
