import Foundation
import R2DCore
import R2DEngine
import R2DTestSupport
import Synchronization
import Testing

/// `swift-r2d build` of data-repository records served by a loopback Zenodo and Software Heritage, on the
/// real dockerd: the image is named `r2d<escaped input>` and tagged by the content id.
@Suite("Data repositories end to end", .serialized)
struct ProviderBuildTests {
    static let common = ["--user-id=1000", "--user-name=jovyan", "--network=host"]

    /// A Dockerfile repository on the test base image, with a verify script that checks the fetched files.
    static let files: [(String, String, Int)] = [
        (
            "Dockerfile",
            """
            FROM swift-r2d/test-base:bookworm
            ARG NB_USER=jovyan
            ARG NB_UID=1000
            RUN useradd --create-home --uid ${NB_UID} ${NB_USER}
            COPY --chown=${NB_UID}:${NB_UID} . /home/${NB_USER}/
            WORKDIR /home/${NB_USER}
            USER ${NB_UID}

            """, 0o644
        ),
        ("verify", "#!/bin/sh\nset -e\ntest \"$(cat data/values.csv)\" = \"1,2,3\"\necho \"verify: ok\"\n", 0o755),
        ("data/values.csv", "1,2,3", 0o644),
    ]

    func imageInfo(_ name: String) async throws -> ImageInspect? {
        let client = try EngineClient(endpoint: .unixSocket("/var/run/docker.sock"))
        let info = try await client.inspectImage(name)
        await client.shutdown()
        return info
    }

    @Test("a Zenodo record (a single zip) builds and runs; the tag is the record id")
    func zenodo() async throws {
        let record = "\(UInt32.random(in: 100_000...999_999))"
        let zip = try TestArchives.bytes(
            [ArchiveEntry("record-main/", .directory)]
                + Self.files.map {
                    ArchiveEntry.file("record-main/" + $0.0, $0.1, mode: $0.2)
                }, format: .zip)
        let base = Mutex("")
        let server = try await StubEngineServer.startTCP { request in
            let root = base.withLock { $0 }
            switch request.path {
            case "/api/records/\(record)":
                return .json(#"{"id":\#(record),"links":{"files":"\#(root)/api/records/\#(record)/files"}}"#)
            case "/api/records/\(record)/files":
                return .json(
                    #"{"entries":[{"key":"record.zip","links":{"content":"\#(root)/api/records/\#(record)/files/record.zip/content"}}]}"#)
            case "/api/records/\(record)/files/record.zip/content":
                return StubResponse(status: 200, headers: [("Content-Type", "application/zip")], chunks: [zip])
            default:
                return StubResponse(status: 404)
            }
        }
        defer { Task { await server.stop() } }
        base.withLock { $0 = "http://" + server.socketPath }
        let root = "http://" + server.socketPath
        let input = root + "/records/" + record
        let image = ImageName.defaultRepository(repo: input, subdir: "") + ":" + record
        defer { DaemonAPI.removeImageKeepingCache(image) }

        let result = try runProgram(ProjectPaths.binary, Self.common + ["--zenodo-url", root, input, "./verify"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Picked Zenodo content provider."))
        #expect(result.stderr.contains("verify: ok"))
        let info = try #require(try await imageInfo(image), "no image \(image)")
        #expect(info.labels["org.opencontainers.image.revision"] == record)
        #expect(info.labels["repo2docker.repo"] == input)
    }

    @Test("a SWHID builds through the vault; the tag is the content id with ':' as '-'")
    func swhid() async throws {
        let directory = String((0..<40).map { _ in "0123456789abcdef".randomElement() ?? "0" })
        let tarball = try TestArchives.bytes(
            [ArchiveEntry("\(directory)/", .directory)]
                + Self.files.map {
                    ArchiveEntry.file("\(directory)/" + $0.0, $0.1, mode: $0.2)
                }, format: .tarGz)
        let base = Mutex("")
        let polls = Mutex(0)
        let server = try await StubEngineServer.startTCP { request in
            let root = base.withLock { $0 }
            switch (request.method, request.path) {
            case ("POST", "/api/1/vault/directory/\(directory)/"):
                return .json(#"{"status":"pending"}"#)
            case ("GET", "/api/1/vault/directory/\(directory)/"):
                let count = polls.withLock { value -> Int in
                    value += 1; return value
                }
                return count < 2
                    ? .json(#"{"status":"pending"}"#)
                    : .json(#"{"status":"done","fetch_url":"\#(root)/api/1/vault/flat/\#(directory)/raw/"}"#)
            case ("GET", "/api/1/vault/flat/\(directory)/raw/"):
                return StubResponse(status: 200, headers: [("Content-Type", "application/gzip")], chunks: [tarball])
            default:
                return StubResponse(status: 404)
            }
        }
        defer { Task { await server.stop() } }
        let root = "http://" + server.socketPath
        base.withLock { $0 = root }
        let swhid = "swh:1:dir:" + directory
        let image = ImageName.defaultRepository(repo: swhid, subdir: "") + ":swh-1-dir-" + directory
        defer { DaemonAPI.removeImageKeepingCache(image) }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-swh-\(UUID().uuidString).json").path
        try #"{"Repo2Docker": {"swh_api_url": "\#(root)/api/1", "swh_token": "very-secret-token"}}"#.write(
            toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }

        let result = try runProgram(ProjectPaths.binary, Self.common + ["--json-logs", "--config", config, swhid, "./verify"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Picked Swhid content provider."))
        #expect(result.stderr.contains("verify: ok"))
        #expect(!result.stderr.contains("very-secret-token"))
        #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer very-secret-token" })
        let info = try #require(try await imageInfo(image), "no image \(image)")
        #expect(info.labels["org.opencontainers.image.revision"] == swhid)
    }
}
