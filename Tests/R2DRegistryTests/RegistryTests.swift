import R2DBasics
import Foundation
import R2DTestSupport
import Testing
@testable import R2DRegistry

@Suite("Registry references")
struct ImageReferenceTests {
    @Test(arguments: [
        ("python", "docker.io", "library/python", "latest"),
        ("jupyter/base:2024", "docker.io", "jupyter/base", "2024"),
        ("127.0.0.1:5000/r2d/x:abc", "127.0.0.1:5000", "r2d/x", "abc"),
        ("localhost/img", "localhost", "img", "latest"),
        ("registry.example.org/binder/i-abc:0123@sha256:aa", "registry.example.org", "binder/i-abc", "0123"),
        ("gcr.io/proj/img:tag", "gcr.io", "proj/img", "tag"),
    ])
    func parses(_ input: String, _ registry: String, _ repository: String, _ tag: String) {
        let reference = ImageReference(parsing: input)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
    }

    @Test(arguments: [
        ("https://index.docker.io/v1/", "docker.io"),
        ("https://registry.example.org", "registry.example.org"),
        ("http://127.0.0.1:5000/v2/", "127.0.0.1:5000"),
        ("Registry.Example.org:443", "registry.example.org:443"),
    ])
    func normalizesHosts(_ input: String, _ expected: String) {
        #expect(ImageReference.normalizedHost(input) == expected)
    }

    @Test func loopback() {
        #expect(ImageReference(parsing: "127.0.0.1:5000/a:b").isLoopback)
        #expect(ImageReference(parsing: "localhost:5000/a:b").isLoopback)
        #expect(!ImageReference(parsing: "example.org/a:b").isLoopback)
    }

    @Test func parsesChallenges() {
        #expect(RegistryClient.Challenge.parse("Basic realm=\"Registry Realm\"") == .basic)
        #expect(
            RegistryClient.Challenge.parse(
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull\"")
                == .bearer(realm: "https://auth.example/token", service: "registry.example"))
        #expect(RegistryClient.Challenge.parse("Negotiate") == nil)
    }
}

@Suite("Registry credentials")
struct RegistryCredentialTests {
    func withConfigDirectory(_ config: String?, body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-cfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if let config { try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8) }
        try await body(directory)
    }

    @Test func readsAuthsByNormalizedHost() async throws {
        let auth = Data("builder:s3cret:with:colons".utf8).base64EncodedString()
        try await withConfigDirectory(
            #"{"auths": {"https://127.0.0.1:5000/v1/": {"auth": "\#(auth)"}, "https://index.docker.io/v1/": {"username": "hub", "password": "pw"}}}"#
        ) { dir in
            let store = RegistryCredentialStore(environment: ["DOCKER_CONFIG": dir])
            let local = try await store.credential(for: "127.0.0.1:5000")
            #expect(local?.username == "builder")
            #expect(local?.password == "s3cret:with:colons")
            #expect(local?.source == dir + "/config.json")
            #expect(try await store.credential(for: "docker.io")?.username == "hub")
            #expect(try await store.credential(for: "other.example") == nil)
            #expect(!(local?.description.contains("s3cret") ?? true))
        }
    }

    @Test func environmentVariableWinsForItsRegistry() async throws {
        try await withConfigDirectory(#"{"auths": {"127.0.0.1:5000": {"auth": "\#(Data("a:b".utf8).base64EncodedString())"}}}"#) { dir in
            let env = [
                "DOCKER_CONFIG": dir,
                "CONTAINER_ENGINE_REGISTRY_CREDENTIALS": #"{"registry": "https://127.0.0.1:5000", "username": "dyn", "password": "tok"}"#,
            ]
            let store = RegistryCredentialStore(environment: env)
            let credential = try await store.credential(for: "127.0.0.1:5000")
            #expect(credential?.username == "dyn")
            #expect(credential?.source == "CONTAINER_ENGINE_REGISTRY_CREDENTIALS")
        }
    }

    @Test(arguments: [
        ("not json", "not a JSON object"),
        (#"{"registry": "r", "username": "u"}"#, "missing \"password\""),
        (#"{"registry": "r", "username": 3, "password": "p"}"#, "\"username\" is not a string"),
    ])
    func invalidVariableIsOneClearLine(_ value: String, _ expected: String) {
        let store = RegistryCredentialStore(environment: ["CONTAINER_ENGINE_REGISTRY_CREDENTIALS": value, "HOME": "/nonexistent"])
        #expect {
            try store.validate()
        } throws: { error in
            let text = String(describing: error)
            return text.contains(expected) && text.contains("CONTAINER_ENGINE_REGISTRY_CREDENTIALS") && !text.contains("\n")
        }
    }

    @Test func badConfigFileNamesThePath() async throws {
        try await withConfigDirectory("{ nope") { dir in
            let store = RegistryCredentialStore(environment: ["DOCKER_CONFIG": dir])
            await #expect(throws: RegistryError.invalidConfigFile(path: dir + "/config.json", reason: "it is not the JSON docker writes")) {
                try await store.credential(for: "x.example")
            }
        }
    }

    @Test func credentialHelpersAreAsked() async throws {
        try await withConfigDirectory(#"{"credHelpers": {"helped.example": "fake"}, "credsStore": "fake"}"#) { dir in
            // A helper that echoes the server it was asked about, as docker-credential-* programs answer.
            let helper = dir + "/docker-credential-fake"
            try """
            #!/bin/sh
            read server
            case "$server" in
              helped.example) echo '{"ServerURL":"helped.example","Username":"helper-user","Secret":"helper-secret"}' ;;
              https://index.docker.io/v1/) echo '{"ServerURL":"x","Username":"<token>","Secret":"identity"}' ;;
              *) echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """.write(toFile: helper, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
            let store = RegistryCredentialStore(environment: ["DOCKER_CONFIG": dir, "PATH": dir + ":/usr/bin:/bin"])
            let helped = try await store.credential(for: "helped.example")
            #expect(helped?.username == "helper-user" && helped?.password == "helper-secret")
            #expect(try await store.credential(for: "docker.io")?.identityToken == "identity")
            #expect(try await store.credential(for: "unknown.example") == nil)
        }
    }

    @Test func missingHelperIsAClearError() async throws {
        try await withConfigDirectory(#"{"credsStore": "nonexistent-helper"}"#) { dir in
            let store = RegistryCredentialStore(environment: ["DOCKER_CONFIG": dir, "PATH": "/usr/bin:/bin"])
            await #expect(
                throws: RegistryError.credentialHelper(
                    name: "nonexistent-helper", reason: "docker-credential-nonexistent-helper is not on PATH")
            ) {
                try await store.credential(for: "x.example")
            }
        }
    }
}

@Suite("Registry manifest check against a stub registry")
struct RegistryClientTests {
    @Test("a registry whose name does not resolve is one line saying so, without retries")
    func unresolvableRegistry() async throws {
        let client = RegistryClient(attempts: 3, connectTimeoutSeconds: 60)
        await #expect {
            _ = try await client.manifestExists(ImageReference(parsing: "no-such-registry.invalid/r2d/x:tag"), credential: nil)
        } throws: { error in
            guard case .unreachable(let registry, let reason) = error as? RegistryError else { return false }
            return registry == "no-such-registry.invalid" && reason.hasPrefix("the name no-such-registry.invalid does not resolve")
                && !"\(error)".contains("\n")
        }
    }

    /// A registry with a Bearer token service, as Docker Hub, GHCR and Harbor answer.
    @Test func bearerFlow() async throws {
        let server = try await StubEngineServer.startTCP { request in
            if request.path == "/token" {
                let authorized = request.header("Authorization") == "Basic " + Data("u:p".utf8).base64EncodedString()
                return authorized ? .json(#"{"token": "T0KEN"}"#) : .json("{}", status: 401)
            }
            guard request.header("Authorization") == "Bearer T0KEN" else {
                return StubResponse(
                    status: 401,
                    headers: [("WWW-Authenticate", #"Bearer realm="http://\#(request.header("Host") ?? "")/token",service="stub""#)])
            }
            return request.path.hasSuffix("/manifests/present")
                ? .json("{}") : .json(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#, status: 404)
        }
        defer { Task { await server.stop() } }
        let client = RegistryClient(attempts: 1)
        let credential = RegistryCredential(username: "u", password: "p", source: "test")
        #expect(try await client.manifestExists(ImageReference(parsing: server.socketPath + "/a/b:present"), credential: credential))
        #expect(try await !client.manifestExists(ImageReference(parsing: server.socketPath + "/a/b:absent"), credential: credential))
        let token = server.requests.first { $0.path == "/token" }
        #expect(token?.queryValues("scope") == ["repository:a/b:pull"])
        #expect(token?.queryValues("service") == ["stub"])
        await #expect(throws: RegistryError.unauthorized(registry: server.socketPath, credentialSource: "test")) {
            _ = try await client.manifestExists(
                ImageReference(parsing: server.socketPath + "/a/b:present"),
                credential: RegistryCredential(username: "u", password: "wrong", source: "test"))
        }
    }

    @Test func basicFlowAndServerErrorsAreRetried() async throws {
        let failures = CallCounter()
        let server = try await StubEngineServer.startTCP { request in
            if failures.next() <= 2 { return .json("{}", status: 503) }
            guard request.header("Authorization") == "Basic " + Data("u:p".utf8).base64EncodedString() else {
                return StubResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="Registry Realm""#)])
            }
            return .json("{}")
        }
        defer { Task { await server.stop() } }
        let found = try await RegistryClient(attempts: 3).manifestExists(
            ImageReference(parsing: server.socketPath + "/x:1"), credential: RegistryCredential(username: "u", password: "p", source: "t"))
        #expect(found)
        #expect(server.requests.count == 4)
        #expect(server.requests.allSatisfy { $0.header("Accept")?.contains("application/vnd.oci.image.manifest.v1+json") == true })
        await #expect(throws: RegistryError.unauthorized(registry: server.socketPath, credentialSource: nil)) {
            _ = try await RegistryClient(attempts: 1).manifestExists(ImageReference(parsing: server.socketPath + "/x:1"), credential: nil)
        }
    }
}
