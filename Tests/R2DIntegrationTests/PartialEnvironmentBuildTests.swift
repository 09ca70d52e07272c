import Foundation
import R2DBuildpacks
import R2DTestSupport
import Testing

/// The conda, R, Julia and Nix pathways need servers this machine cannot reach (conda-forge, Posit, Julia's
/// and Nix's), so these tests check what can be checked here: detection and rendering with no network at all
/// (inside `unshare -n`), and, on the real dockerd, every layer of a generated Dockerfile before its first
/// download, followed by assertions about those layers and the shipped scripts' own behaviour.
@Suite("Conda, R, Julia and Nix pathways: offline rendering and partial builds", .serialized)
struct PartialEnvironmentBuildTests {
    static let baseImage = "swift-r2d/test-base:bookworm"

    /// What repo2docker picks for each fixture: buildpack, python_version, r_version, julia_version.
    static let expectedDetection: [(String, String, String?, String?, String?)] = [
        ("conda/downgrade", "conda", "3.9", nil, nil),
        ("conda/empty-file", "conda", "3.10", nil, nil),
        ("conda/local-pip", "conda", "3.11", nil, nil),
        ("conda/pipfile-environment-yml", "conda", "3.10", nil, nil),
        ("conda/py-r-postbuild-file", "conda", "3.10", nil, nil),
        ("conda/py2", "conda", "2.7", nil, nil),
        ("conda/py310-requirements-file", "conda", "3.10", nil, nil),
        ("conda/py312", "conda", "3.12", nil, nil),
        ("conda/py35-binder-dir", "conda", "3.5", nil, nil),
        ("conda/py36-postBuild", "conda", "3.6", nil, nil),
        ("conda/r3.6-target-repo-dir-flag", "conda", "3.10", nil, nil),
        ("conda/runtime-py27", "python", "2.7", nil, nil),
        ("conda/runtime-py37", "python", "3.7", nil, nil),
        ("conda/yaml", "conda", "3.12", nil, nil),
        ("julia/project", "julia", "3.10", nil, "1.12.1"),
        ("julia/project-binder-dir", "julia", "3.10", nil, "1.3.0"),
        ("julia/project-compat-environment-yml", "julia", "3.10", nil, "1.10.10"),
        ("julia/require", "julia-require", "3.10", nil, nil),
        ("nix/binder-dir", "nix", nil, nil, nil),
        ("nix/ignore-outside", "nix", nil, nil, nil),
        ("nix/simple", "nix", nil, nil, nil),
        ("nix/start", "nix", nil, nil, nil),
        ("nix/test-building", "nix", nil, nil, nil),
        ("r/binder-dir-install-r", "r", "3.10", "4.3.3", nil),
        ("r/r-rspm-apt-file", "r", "3.10", "4.4.2", nil),
        ("r/r-rspm-description-file", "r", "3.10", "4.4.2", nil),
        ("r/r3.6-rspm", "r", "3.10", "3.6.3", nil),
        ("r/r4.3.2-rspm", "r", "3.10", "4.3.2", nil),
        ("r/r4.5-rspm", "r", "3.10", "4.5.1", nil),
        ("r/r4.6-rspm", "r", "3.10", "4.6.1", nil),
    ]

    /// Every fixture directory with a `verify` under the four groups, as "group/path".
    static let fixtures: [String] = ["conda", "r", "julia", "nix"].flatMap { group -> [String] in
        guard let walker = FileManager.default.enumerator(atPath: ProjectPaths.fixture(group)) else { return [] }
        return walker.compactMap { item -> String? in
            guard let path = item as? String, (path as NSString).lastPathComponent == "verify" else { return nil }
            return group + "/" + (path as NSString).deletingLastPathComponent
        }
    }.sorted()

    /// Runs the swift-r2d binary in a new network namespace: only loopback, no route anywhere.
    static func offline(_ arguments: [String]) throws -> ProgramResult {
        try runProgram("/usr/bin/unshare", ["--net", ProjectPaths.binary] + arguments)
    }

    @Test("the detection table covers every fixture")
    func tableCoversFixtures() {
        #expect(Self.expectedDetection.map(\.0) == Self.fixtures)
    }

    @Test("unshare gives a namespace without network", .timeLimit(.minutes(15)))
    func noNetworkInsideUnshare() throws {
        let probe = try runProgram("/usr/bin/unshare", ["--net", "/usr/bin/curl", "-sS", "-m", "5", "http://deb.debian.org/"])
        #expect(probe.status != 0, "curl reached the network inside unshare --net")
    }

    @Test("detect --json picks repo2docker's buildpack and versions, offline", arguments: expectedDetection)
    func detectJSON(fixture: String, buildpack: String, python: String?, r: String?, julia: String?) throws {
        let result = try Self.offline(["detect", "--json", ProjectPaths.fixture(fixture)])
        try #require(result.status == 0, "\(fixture): \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["buildpack"] as? String == buildpack, "\(fixture): \(result.stdout)")
        #expect(json["python_version"] as? String == python, "\(fixture): \(result.stdout)")
        #expect(json["r_version"] as? String == r, "\(fixture): \(result.stdout)")
        #expect(json["julia_version"] as? String == julia, "\(fixture): \(result.stdout)")
    }

    @Test("--no-build renders every fixture offline", arguments: fixtures)
    func renderOffline(fixture: String) throws {
        let result = try Self.offline(["--no-build", "--base-image", Self.baseImage, ProjectPaths.fixture(fixture)])
        #expect(result.status == 0, "\(fixture): \(result.stderr)")
        #expect(result.stdout.hasPrefix("FROM \(Self.baseImage)\n"), "\(fixture): \(result.stdout.prefix(200))")
        #expect(result.stdout.contains("ENTRYPOINT [\"/usr/local/bin/repo2docker-entrypoint\"]"))
    }

    /// A fixture's generated Dockerfile cut before its first instruction that downloads (the first `RUN` naming a
    /// URL), the cut instruction, and the context files the prefix needs.
    static func prefix(of fixture: String) throws -> (dockerfile: String, cut: String, files: [GeneratedFile]) {
        let snapshot = try RepoSnapshot(root: ProjectPaths.fixture(fixture))
        let plan = try BuildpackChain.detect(snapshot)
        let rendered = try DockerfileRenderer.renderBuild(plan, snapshot: snapshot, options: RenderOptions(baseImage: baseImage))
        // Instructions span lines ending in a backslash; keep them whole.
        var instructions: [String] = []
        for line in rendered.dockerfile.components(separatedBy: "\n") {
            if let last = instructions.last, last.hasSuffix("\\") {
                instructions[instructions.count - 1] = last + "\n" + line
            } else {
                instructions.append(line)
            }
        }
        guard let index = instructions.firstIndex(where: { $0.hasPrefix("RUN ") && $0.contains("://") }) else {
            throw PartialBuildFailure("\(fixture): no downloading RUN in\n\(rendered.dockerfile)")
        }
        return (instructions[..<index].joined(separator: "\n") + "\n", instructions[index], rendered.files)
    }

    /// Builds `dockerfile` (with `files` beside it) through swift-r2d's Dockerfile pathway, on the daemon.
    static func build(_ name: String, dockerfile: String, files: [GeneratedFile]) throws -> ProgramResult {
        let repo = try TemporaryGitRepository(prefix: "r2d-partial-")
        defer { repo.remove() }
        try repo.write("Dockerfile", dockerfile)
        for file in files {
            try repo.write(file.path, String(decoding: file.contents, as: UTF8.self), executable: file.mode & 0o111 != 0)
        }
        let sha = try repo.commit(message: "partial \(name)", time: 1_700_000_000 + Int64.random(in: 0..<100_000_000))
        let image = "swift-r2d-test-partial-\(name):\(sha)"
        defer { DaemonAPI.removeImageKeepingCache(image) }
        return try runProgram(
            ProjectPaths.binary,
            [
                "--no-run", "--user-id", "1000", "--user-name", "jovyan", "--network", "host", "--image-name", image, repo.path,
            ])
    }

    /// Checks appended to each prefix: a failing one fails the build.
    static let checks: [(String, String, [String])] = [
        (
            "r/r4.3.2-rspm", "https://anaconda.org/conda-forge/micromamba/",
            [
                // The R image's apt packages (installed with recommends) and the image user.
                "RUN dpkg -s libapparmor1 libssl-dev lsb-release psmisc sudo > /dev/null && test \"$(id -u jovyan)\" = 1000",
                "RUN test \"$R_LIBS_USER\" = /srv/rlibs && test \"$NB_PYTHON_PREFIX\" = /srv/conda/envs/notebook && case \"$PATH\" in */usr/lib/rstudio-server/bin/:*) ;; *) exit 1 ;; esac",
                "RUN grep -qx 'python=3.10.19' /tmp/env/environment.txt && test -x /tmp/install-base-env.bash && bash -n /tmp/install-base-env.bash",
                // The conda installer refuses a micromamba whose checksum differs, and names the URL.
                "RUN echo not-micromamba > /tmp/fake-linux-64.tar.bz2 && ! MICROMAMBA_URL='file:///tmp/fake-{platform}.tar.bz2' CONDA_CHANNELS=conda-forge /tmp/install-base-env.bash 2> /tmp/err && grep -q 'sha256 mismatch for file:///tmp/fake-linux-64.tar.bz2' /tmp/err && rm /tmp/err /tmp/fake-linux-64.tar.bz2",
                // The login profile warns, but does not fail, while conda is not installed yet.
                "RUN bash -lc true 2> /tmp/err && grep -q 'activate-conda: /srv/conda/etc/profile.d/conda.sh is missing' /tmp/err && rm /tmp/err",
                // The R step's distribution name for Posit's .deb, from this image's os-release.
                "RUN . /etc/os-release && test \"$ID-$VERSION_ID\" = debian-12",
            ]
        ),
        (
            "conda/py2", "https://anaconda.org/conda-forge/micromamba/",
            [
                "RUN grep -qx 'python=2.7.15' /tmp/env/kernel-environment.txt && grep -qx 'python=3.10.19' /tmp/env/environment.txt",
                "RUN test \"$KERNEL_PYTHON_PREFIX\" = /srv/conda/envs/kernel && test \"$KERNEL_ENVIRONMENT_FILE\" = /tmp/env/kernel-environment.txt && test \"$CONDA_PLATFORM\" = linux-64",
                "RUN case \"$PATH\" in /srv/conda/envs/notebook/bin:/srv/conda/envs/kernel/bin:/srv/conda/bin:/srv/npm/bin:*) ;; *) exit 1 ;; esac",
                "RUN test \"$(stat -c %u /etc/profile.d/activate-conda.sh)\" = 1000 && bash -n /etc/profile.d/activate-conda.sh",
            ]
        ),
        (
            "nix/start", "https://nixos.org/releases/nix/",
            [
                // The root step before the Nix download ran: /nix and the wrapper belong to the user, no sandbox.
                "RUN test \"$(stat -c %U /nix)\" = jovyan && test -x /usr/local/bin/nix-shell-wrapper && grep -qx 'sandbox = false' /etc/nix/nix.conf",
                // install-nix.bash refuses a tarball whose checksum differs.
                "RUN echo not-nix > /tmp/fake.tar.xz && ! NIX_ARCH=x86_64 NIX_INSTALLER_URL='file:///tmp/fake.tar.xz' bash /home/jovyan/.local/bin/install-nix.bash 2> /tmp/err && grep -q 'sha256 mismatch' /tmp/err && rm /tmp/err /tmp/fake.tar.xz",
                // nix-shell-wrapper runs the repository's start inside nix-shell (a stub here) before the command.
                "RUN mkdir -p /tmp/stub /tmp/w/binder && printf '#!/bin/bash\\n[ \"$2\" = --command ] && echo \"file=$1\" && exec bash -c \"$3\"\\n' > /tmp/stub/nix-shell && chmod +x /tmp/stub/nix-shell && printf '#!/bin/bash\\nexport TEST_START_VAR=\"var is set\"\\nexec \"$@\"\\n' > /tmp/w/binder/start && cd /tmp/w && PATH=/tmp/stub:$PATH /usr/local/bin/nix-shell-wrapper printenv TEST_START_VAR > /tmp/out && grep -qx 'file=./binder/default.nix' /tmp/out && grep -qx 'var is set' /tmp/out && rm -rf /tmp/stub /tmp/w /tmp/out",
            ]
        ),
    ]

    @Test(
        "the layers before the first download build on the daemon, and pass their checks", .timeLimit(.minutes(20)),
        arguments: checks)
    func partialBuild(fixture: String, firstDownload: String, assertions: [String]) throws {
        let (dockerfile, cut, files) = try Self.prefix(of: fixture)
        #expect(cut.contains(firstDownload), "\(fixture): the cut is not at the expected download:\n\(cut)")
        #expect(!dockerfile.contains("://"), "\(fixture): the prefix downloads something:\n\(dockerfile)")
        let name = fixture.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-").lowercased()
        let result = try Self.build(name, dockerfile: dockerfile + assertions.joined(separator: "\n") + "\n", files: files)
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "\(fixture): exit \(result.status)\n\(output)")
        for check in assertions {
            #expect(Self.ran(check.prefix(80), in: output), "\(fixture): the daemon did not run \(check.prefix(80))")
        }

        // The checks are real: the same prefix with a check that must fail does not build.
        let failing = try Self.build(name + "-negative", dockerfile: dockerfile + "RUN test \"$(id -u jovyan)\" = 4242\n", files: files)
        #expect(failing.status != 0, "\(fixture): a failing check did not fail the build")
        #expect((failing.stdout + failing.stderr).contains("= 4242' returned a non-zero code"), "\(fixture): \(failing.stderr)")
    }
}

extension PartialEnvironmentBuildTests {
    /// Whether a step header in the build's output shows `instruction`. The header is the daemon's: the classic
    /// builder writes `Step 7/12 : RUN test "$HOME" = /home/jovyan` as written, BuildKit writes
    /// `#9 [ 7/12] RUN test "/home/jovyan" = /home/jovyan` with the variables it knows replaced, so a `$NAME` or
    /// `${NAME}` of the instruction matches any text there.
    static func ran(_ instruction: Substring, in output: String) -> Bool {
        let variable = try! NSRegularExpression(pattern: #"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"#)
        let text = String(instruction)
        var pattern = ""
        var last = text.startIndex
        for match in variable.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let range = Range(match.range, in: text)!
            pattern += NSRegularExpression.escapedPattern(for: String(text[last..<range.lowerBound])) + ".*"
            last = range.upperBound
        }
        pattern += NSRegularExpression.escapedPattern(for: String(text[last...]))
        let header = try! NSRegularExpression(pattern: #"(^Step \d+/\d+ : |^#\d+ \[ *\d+/\d+\] )"# + pattern, options: .anchorsMatchLines)
        return header.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil
    }
}

struct PartialBuildFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
