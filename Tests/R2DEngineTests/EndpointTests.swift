import Foundation
import R2DEngine
import Testing

@Suite struct EndpointTests {
    @Test(arguments: [
        ([String: String](), EngineEndpoint.Address.unix(path: "/var/run/docker.sock"), "unix:///var/run/docker.sock"),
        (["DOCKER_HOST": ""], .unix(path: "/var/run/docker.sock"), "unix:///var/run/docker.sock"),
        (["DOCKER_HOST": "unix:///run/podman/podman.sock"], .unix(path: "/run/podman/podman.sock"), "unix:///run/podman/podman.sock"),
        (["DOCKER_HOST": "/tmp/engine.sock"], .unix(path: "/tmp/engine.sock"), "unix:///tmp/engine.sock"),
        (["DOCKER_HOST": "tcp://127.0.0.1:2375"], .tcp(host: "127.0.0.1", port: 2375), "tcp://127.0.0.1:2375"),
        (["DOCKER_HOST": "tcp://engine.example"], .tcp(host: "engine.example", port: 2375), "tcp://engine.example:2375"),
        (["DOCKER_HOST": "tcp://[::1]:2400"], .tcp(host: "::1", port: 2400), "tcp://[::1]:2400"),
        // DOCKER_TLS_VERIFY only matters for tcp, and an empty value means off.
        (["DOCKER_HOST": "unix:///x.sock", "DOCKER_TLS_VERIFY": "1"], .unix(path: "/x.sock"), "unix:///x.sock"),
        (["DOCKER_HOST": "tcp://h:1", "DOCKER_TLS_VERIFY": ""], .tcp(host: "h", port: 1), "tcp://h:1"),
    ])
    func parsesPlainEndpoints(env: [String: String], address: EngineEndpoint.Address, description: String) throws {
        let endpoint = try EngineEndpoint.fromEnvironment(env)
        #expect(endpoint.address == address)
        #expect(endpoint.description == description)
        #expect(endpoint.tls == nil)
    }

    @Test(arguments: [
        "garbage", "ssh://user@host", "npipe:////./pipe/docker_engine", "tcp://", "tcp://host:notaport",
        "tcp://host:99999", "tcp://a:b:c", "unix://relative.sock", "tcp://[::1",
    ])
    func rejectsGarbage(value: String) {
        #expect {
            try EngineEndpoint.fromEnvironment(["DOCKER_HOST": value])
        } throws: { error in
            guard case EngineError.invalidEndpoint(let text) = error else { return false }
            return text.contains("DOCKER_HOST") && text.contains(value) && !text.contains("\n")
        }
    }

    @Test func tlsUsesCertPathFiles() throws {
        let directory = try makeCertDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let endpoint = try EngineEndpoint.fromEnvironment([
            "DOCKER_HOST": "tcp://engine.example", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": directory,
        ])
        #expect(endpoint.address == .tcp(host: "engine.example", port: 2376))
        #expect(endpoint.tls?.caCertificate == directory + "/ca.pem")
        #expect(endpoint.tls?.clientCertificate == directory + "/cert.pem")
        #expect(endpoint.tls?.clientKey == directory + "/key.pem")
    }

    @Test func tlsDefaultsToHomeDockerDirectory() throws {
        let home = NSTemporaryDirectory() + "r2d-home-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/.docker", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        for name in ["ca.pem", "cert.pem", "key.pem"] {
            #expect(FileManager.default.createFile(atPath: home + "/.docker/" + name, contents: Data("x".utf8)))
        }
        let endpoint = try EngineEndpoint.fromEnvironment([
            "DOCKER_HOST": "tcp://10.0.0.1:3000", "DOCKER_TLS_VERIFY": "yes", "HOME": home,
        ])
        #expect(endpoint.tls?.caCertificate == home + "/.docker/ca.pem")
        #expect(endpoint.address == .tcp(host: "10.0.0.1", port: 3000))
    }

    @Test func tlsWithMissingFilesNamesTheVariable() {
        let missing = "/tmp/r2d-no-certs-\(UUID().uuidString)"
        #expect {
            try EngineEndpoint.fromEnvironment([
                "DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": missing,
            ])
        } throws: { error in
            guard case EngineError.invalidEndpoint(let text) = error else { return false }
            return text.contains("DOCKER_CERT_PATH") && text.contains(missing + "/ca.pem")
        }
    }

    @Test func tlsWithUnparsableFilesFailsAtClientCreation() throws {
        let directory = try makeCertDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let endpoint = try EngineEndpoint.fromEnvironment([
            "DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": directory,
        ])
        #expect {
            _ = try EngineClient(endpoint: endpoint)
        } throws: { error in
            guard case EngineError.invalidEndpoint(let text) = error else { return false }
            return text.contains("DOCKER_CERT_PATH")
        }
    }

    private func makeCertDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "r2d-certs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["ca.pem", "cert.pem", "key.pem"] {
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("not a certificate".utf8)))
        }
        return directory
    }
}

@Suite("Choosing the engine's socket")
struct EngineSelectionTests {
    @Test(
        arguments: [
            // (engine, existing sockets, DOCKER_HOST, XDG_RUNTIME_DIR, expected)
            ("docker", ["/var/run/docker.sock", "/run/podman/podman.sock"], nil, nil, "unix:///var/run/docker.sock"),
            ("docker", ["/run/podman/podman.sock"], nil, nil, "unix:///run/podman/podman.sock"),
            ("docker", ["/run/user/1000/podman/podman.sock"], nil, "/run/user/1000", "unix:///run/user/1000/podman/podman.sock"),
            ("docker", [], nil, nil, "unix:///var/run/docker.sock"),
            ("podman", ["/var/run/docker.sock", "/run/podman/podman.sock"], nil, nil, "unix:///run/podman/podman.sock"),
            ("podman", ["/run/user/1000/podman/podman.sock"], nil, "/run/user/1000", "unix:///run/user/1000/podman/podman.sock"),
            ("podman", ["/var/run/docker.sock"], "unix:///var/run/docker.sock", nil, "unix:///var/run/docker.sock"),
            ("docker", ["/var/run/docker.sock"], "tcp://127.0.0.1:2375", nil, "tcp://127.0.0.1:2375"),
        ] as [(String, [String], String?, String?, String)])
    func resolves(engine: String, existing: [String], dockerHost: String?, runtimeDir: String?, expected: String) throws {
        var environment: [String: String] = [:]
        environment["DOCKER_HOST"] = dockerHost
        environment["XDG_RUNTIME_DIR"] = runtimeDir
        let endpoint = try EngineEndpoint.resolve(environment: environment, engine: engine, fileExists: { existing.contains($0) })
        #expect(endpoint.description == expected)
    }
}
