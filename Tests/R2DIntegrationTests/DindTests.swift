import Foundation
import R2DTestSupport
import Testing

/// The tests on the second, newer engine, one after another: they share its CPU and its build cache.
@Suite("Docker 26 in containers of the host dockerd (dind)", .serialized)
enum DindTests {}

extension DindTests {
    /// The second, newer engine (Docker 26, scripts/start-dind.sh): both daemons answer and are what the other suites
    /// expect. A daemon that does not answer fails, never skips.
    @Suite("Docker 26 engines that make deps starts", .serialized)
    struct Engines {
        @Test(
            "answers on its socket as Docker 26 (API 1.45) on its image store, with no bridge network and no TCP listener",
            arguments: DindEngine.allCases)
        func answers(engine: DindEngine) throws {
            let version = try #require(try engine.object("/version"))
            #expect((version["Version"] as? String)?.hasPrefix("26.") == true, "\(version)")
            #expect(version["ApiVersion"] as? String == "1.45", "\(version)")
            let info = try #require(try engine.object("/info"))
            let status = (info["DriverStatus"] as? [[String]] ?? []).filter { $0.count == 2 }.map { ($0[0], $0[1]) }
            let containerdStore = status.contains { $0 == ("driver-type", "io.containerd.snapshotter.v1") }
            #expect(containerdStore == (engine == .containerd), "\(info["Driver"] ?? "?") \(status)")
            #expect(try engine.object("/networks/bridge") == nil, "the daemon runs with --bridge=none")
            #expect(try engine.inspectImage("swift-r2d/test-base:bookworm") != nil, "start-dind.sh loads the test base image")
            #expect(try engine.listeningTCPSockets().isEmpty, "the daemon listens on TCP")
        }
    }
}

extension DindTests {
    /// The Dockerfile fixtures and a generated environment built on Docker 26 (overlay2) with each builder, and a
    /// Dockerfile written for BuildKit: the newer engine's BuildKit is what the host's dockerd 20.10 cannot show.
    @Suite("Fixtures on Docker 26 (overlay2) with BuildKit and the classic builder", .serialized)
    struct Builds {
        static let engine = DindEngine.overlay2
        static let fixtures = DockerfileBuildTests.fixtures + ["venv/default"]
        static let backends = ["buildkit", "classic"]

        /// The arguments the other integration suites give each kind of fixture: a generated environment needs the
        /// test base image and host networking to reach PyPI.
        static func arguments(_ fixture: String, image: String) -> [String] {
            guard fixture.hasPrefix("dockerfile/") else {
                return GeneratedEnvironmentTests.common + GeneratedEnvironmentTests.extraArguments(fixture) + ["--image-name", image]
            }
            return DockerfileBuildTests.common + ["--image-name", image]
        }

        /// Builds the fixture (at a commit of this run's own, or `time`) with `backend` and `options`, then runs `command` in it.
        static func build(
            _ fixture: String, backend: String, on engine: DindEngine = engine, time: Int64? = nil, options: [String] = [],
            command: [String] = ["./verify"]
        ) throws -> (image: String, result: ProgramResult) {
            let (repo, sha) = try TemporaryGitRepository.fromFixture(fixture, time: time ?? GeneratedEnvironmentTests.uniqueCommitTime())
            defer { repo.remove() }
            let image = GeneratedEnvironmentTests.imageName("dind/\(engine.rawValue)/\(backend)/\(fixture)", tag: sha)
            let result = try engine.swiftR2D(
                arguments(fixture, image: image) + ["--build-backend", backend] + options + [repo.path] + command)
            return (image, result)
        }

        @Test("build with --build-backend, run ./verify in it, leave no container", arguments: fixtures, backends)
        func verify(fixture: String, backend: String) throws {
            let started = Date()
            let (image, result) = try Self.build(fixture, backend: backend)
            defer { Self.engine.untagKeepingCache(image) }
            let output = result.stdout + result.stderr
            let seconds = Int(Date().timeIntervalSince(started))
            #expect(result.status == 0, "\(fixture) with \(backend): exit \(result.status) after \(seconds) s\n\(output.suffix(4000))")
            #expect(output.contains("verify: ok"), "\(fixture) with \(backend)\n\(output.suffix(4000))")
            let builtWith = backend == "buildkit" ? BuilderOutput.isBuildKit(output) : BuilderOutput.isClassic(output)
            #expect(builtWith, "\(fixture) was not built with \(backend)\n\(output.suffix(4000))")
            #expect(try Self.engine.inspectImage(image) != nil)
            #expect(try Self.engine.containers(ancestor: image).isEmpty, "containers left from \(image)")
        }

        @Test("a Dockerfile with COPY --chmod and --link, a cache mount and heredocs: auto picks BuildKit, verify passes")
        func buildKitSyntax() throws {
            let (image, result) = try Self.build("dockerfile/buildkit-syntax", backend: "auto")
            defer { Self.engine.untagKeepingCache(image) }
            let output = result.stdout + result.stderr
            #expect(result.status == 0, "exit \(result.status)\n\(output.suffix(4000))")
            #expect(output.contains("verify: ok"), "\(output.suffix(4000))")
            #expect(BuilderOutput.isBuildKit(output), "not built with BuildKit\n\(output.suffix(4000))")
            #expect(!output.contains("classic builder"), "\(output.suffix(4000))")
            #expect(try Self.engine.containers(ancestor: image).isEmpty, "containers left from \(image)")
        }

        @Test("the same Dockerfile with --build-backend classic is refused in one line that names COPY --chmod")
        func buildKitSyntaxOnClassic() throws {
            let (image, result) = try Self.build("dockerfile/buildkit-syntax", backend: "classic")
            defer { Self.engine.untagKeepingCache(image) }
            #expect(result.status != 0)
            let refusals = result.stderr.split(separator: "\n").filter { $0.contains("which only BuildKit builds") }
            #expect(refusals.count == 1, "\(result.stderr)")
            #expect(refusals.first?.contains("Dockerfile uses COPY --chmod") == true, "\(result.stderr)")
            #expect(try Self.engine.inspectImage(image) == nil, "no tag is left")
        }

        @Test("with BuildKit the image's Created, and its created label, are the commit's time")
        func createdIsCommitTime() throws {
            let time = GeneratedEnvironmentTests.uniqueCommitTime()
            let (image, result) = try Self.build("dockerfile/simple", backend: "buildkit", time: time, options: ["--no-run"], command: [])
            defer { Self.engine.untagKeepingCache(image) }
            #expect(result.status == 0, "\(result.stderr.suffix(3000))")
            let inspect = try #require(try Self.engine.inspectImage(image))
            let expected = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
            #expect(inspect["Created"] as? String == expected, "Created \(inspect["Created"] ?? "none"), commit time \(expected)")
            let labels = (inspect["Config"] as? [String: Any])?["Labels"] as? [String: String] ?? [:]
            let label = labels["org.opencontainers.image.created"].flatMap { ISO8601DateFormatter().date(from: $0) }
            #expect(label == Date(timeIntervalSince1970: TimeInterval(time)), "label \(labels)")
        }
    }
}

// Docker 26 on the containerd image store builds with BuildKit through a client session: SessionBuildTests.swift.
