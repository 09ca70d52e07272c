import Foundation
import R2DBuildContext
import Testing

@testable import R2DCore

/// Composing an image in the registry (EnvironmentReuse+Compose.swift): which steps can be, what they do to
/// the config, and the config and manifest made of them.
@Suite("Composing an image in the registry")
struct RegistryCompositionTests {
    /// The steps after a requirements.txt environment as the renderer writes them.
    static let afterEnvironment = """
        FROM environment

        ARG NB_USER
        ARG NB_UID
        USER root
        COPY --chown=1000:1000 src/ ${REPO_DIR}/

        USER ${NB_USER}

        ENV PYTHONUNBUFFERED=1
        # Executable modes come from the build context, so no COPY --chmod is needed.
        COPY python3-login /usr/local/bin/python3-login
        COPY repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint
        ENTRYPOINT ["/usr/local/bin/repo2docker-entrypoint"]
        CMD ["jupyter", "notebook", "--ip", "0.0.0.0"]

        """

    static let environment = ComposedSteps.RunConfig(
        env: ["PATH=/usr/bin", "REPO_DIR=/home/jovyan", "HOME=/home/jovyan"], user: "jovyan", workingDir: "/home/jovyan",
        entrypoint: nil, cmd: ["bash"], labels: ["org.swift-r2d.environment": "abc"])

    @Test("the generated steps become three COPY layers and config changes")
    func generatedSteps() throws {
        let steps = try ComposedSteps.read(Self.afterEnvironment, on: Self.environment, buildArguments: ["NB_USER": "jovyan"])
        #expect(
            steps.steps.compactMap(\.copy) == [
                CopyLayerRequest(source: "src/", destination: "/home/jovyan/", uid: 1000, gid: 1000),
                CopyLayerRequest(source: "python3-login", destination: "/usr/local/bin/python3-login", uid: 0, gid: 0),
                CopyLayerRequest(source: "repo2docker-entrypoint", destination: "/usr/local/bin/repo2docker-entrypoint", uid: 0, gid: 0),
            ])
        #expect(steps.config.user == "jovyan")
        #expect(steps.config.env.last == "PYTHONUNBUFFERED=1")
        #expect(steps.config.entrypoint == ["/usr/local/bin/repo2docker-entrypoint"])
        #expect(steps.config.cmd == ["jupyter", "notebook", "--ip", "0.0.0.0"])
        #expect(steps.steps.count == 10, "ARG, ARG, USER, COPY, USER, ENV, COPY, COPY, ENTRYPOINT, CMD: \(steps.steps)")
    }

    @Test(
        "steps that need the engine are refused with the reason",
        arguments: [
            ("RUN ./postBuild", "RUN"), ("WORKDIR /srv", "WORKDIR"), ("ADD x.tar /", "ADD"), ("COPY --from=base /a /b", "--from"),
            ("COPY src/*.py /x/", "src/*.py"), ("ENV A=${B:-c}", "${"), ("COPY --chown=jovyan src/ /x/", "--chown=jovyan"),
            ("COPY a b /c/", "a b /c/"), ("HEALTHCHECK CMD true", "HEALTHCHECK"),
        ])
    func notComposable(line: String, named: String) {
        #expect {
            try ComposedSteps.read("FROM environment\n\(line)\n", on: Self.environment, buildArguments: [:])
        } throws: { error in
            (error as? ComposedSteps.NotComposable)?.reason.contains(named) == true
        }
    }

    @Test("words: quotes, escapes, the old ENV form, ENTRYPOINT resetting an inherited CMD")
    func words() throws {
        let text = """
            FROM environment
            ENV START="${REPO_DIR}/start" PLAIN='$HOME' ESCAPED=\\$HOME
            ENV OLD value with spaces
            LABEL a.b="c d"
            ENTRYPOINT /bin/run
            """
        let steps = try ComposedSteps.read(text, on: Self.environment, buildArguments: [:])
        #expect(steps.config.env.suffix(4) == ["START=/home/jovyan/start", "PLAIN=$HOME", "ESCAPED=$HOME", "OLD=value with spaces"])
        #expect(steps.config.labels["a.b"] == "c d")
        #expect(steps.config.entrypoint == ["/bin/sh", "-c", "/bin/run"])
        #expect(steps.config.cmd == nil, "an ENTRYPOINT resets the CMD of the image below")
        let withCmd = try ComposedSteps.read("FROM e\nCMD [\"a\"]\nENTRYPOINT [\"b\"]\n", on: Self.environment, buildArguments: [:])
        #expect(withCmd.config.cmd == ["a"], "a CMD of this stage stays")
    }

    static let configJSON = """
        {"architecture":"amd64","os":"linux","container":"x","config":{"Env":["PATH=/usr/bin"],"User":"jovyan",
        "Cmd":["bash"],"Labels":{"org.swift-r2d.environment":"abc"}},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},
        "history":[{"created_by":"RUN x"}]}
        """

    @Test("the config: steps' changes, labels over them, diff ids and history appended, one time, stable bytes")
    func config() throws {
        let steps = try ComposedSteps.read(
            Self.afterEnvironment, on: try ImageComposition.runConfig(Array(Self.configJSON.utf8)), buildArguments: [:])
        let layers = (1...3).map { WrittenLayer(path: "/l\($0)", diffID: "sha256:d\($0)", digest: "sha256:g\($0)", size: Int64($0)) }
        let made = try ImageComposition.config(
            environment: Array(Self.configJSON.utf8), steps: steps, layers: layers, labels: ["repo2docker.ref": "c0ffee"],
            created: "2024-01-02T03:04:05Z")
        let root = try ImageComposition.object(made)
        #expect((root["rootfs"] as? [String: Any])?["diff_ids"] as? [String] == ["sha256:aa", "sha256:d1", "sha256:d2", "sha256:d3"])
        let history = root["history"] as? [[String: Any]] ?? []
        #expect(history.count == 1 + steps.steps.count)
        #expect(history.dropFirst().filter { $0["empty_layer"] == nil }.count == 3, "one history entry with a layer per layer")
        #expect(root["created"] as? String == "2024-01-02T03:04:05Z" && root["container"] == nil)
        let labels = (root["config"] as? [String: Any])?["Labels"] as? [String: String]
        #expect(labels == ["org.swift-r2d.environment": "abc", "repo2docker.ref": "c0ffee"])
        let again = try ImageComposition.config(
            environment: Array(Self.configJSON.utf8), steps: steps, layers: layers, labels: ["repo2docker.ref": "c0ffee"],
            created: "2024-01-02T03:04:05Z")
        #expect(again == made)
    }

    @Test("the manifest keeps the environment's layers and type and adds the new ones; an index is resolved by platform")
    func manifest() throws {
        let environment = """
            {"schemaVersion":2,"mediaType":"\(ImageComposition.dockerManifest)","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:old","size":1},
            "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:base","size":10}]}
            """
        let layer = WrittenLayer(path: "/l", diffID: "sha256:d", digest: "sha256:new", size: 5)
        let config = Array("{}".utf8)
        let made = try ImageComposition.object(
            try ImageComposition.manifest(
                environment: Array(environment.utf8), mediaType: ImageComposition.dockerManifest, config: config, layers: [layer]))
        #expect((made["layers"] as? [[String: Any]])?.compactMap { $0["digest"] as? String } == ["sha256:base", "sha256:new"])
        #expect((made["config"] as? [String: Any])?["digest"] as? String == RegistryDigest.of(config))
        #expect((made["config"] as? [String: Any])?["size"] as? Int == 2)
        let index = """
            {"manifests":[{"digest":"sha256:att","platform":{"os":"unknown","architecture":"unknown"}},
            {"digest":"sha256:amd","mediaType":"\(ImageComposition.ociManifest)","platform":{"os":"linux","architecture":"amd64"}}]}
            """
        #expect(try ImageComposition.platformManifest(in: Array(index.utf8), platform: "linux/amd64").digest == "sha256:amd")
        #expect(throws: ImageComposition.Failure.self) {
            try ImageComposition.platformManifest(in: Array(index.utf8), platform: "linux/arm64")
        }
    }

    @Test("recorded directories give a copy its parents; an unrecorded parent is refused")
    func directories() throws {
        let probe = "0 0 755 10 /\n0 0 755 11 /home\n1000 1000 750 12 /home/jovyan\n0 0 755 13 /usr\n"
        let directories = EnvironmentDirectories(probe: probe)
        #expect(try directories.parents(of: "/home/jovyan/").map(\.path) == ["home", "home/jovyan"])
        #expect(try directories.parents(of: "/home/jovyan/").last?.mode == 0o750)
        #expect(throws: ComposedSteps.NotComposable.self) { try directories.parents(of: "/usr/local/bin/entry") }
    }
}
