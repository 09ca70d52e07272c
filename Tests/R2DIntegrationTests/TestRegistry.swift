import Foundation
import R2DTestSupport

/// A CA and a server certificate for 127.0.0.1 made at test time. The name is in the SAN both as an IP address
/// (what the standard asks for) and as a DNS name: mbedTLS 2.28 (Debian's libgit2) matches only DNS names.
enum TestCertificates {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Writes ca.pem, ca.key, server.pem and server.key into `directory`.
    static func make(in directory: String) throws {
        let extensions = """
            subjectAltName=IP:127.0.0.1,DNS:127.0.0.1
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth

            """
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: directory + "/server.ext"))
        try tool([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", directory + "/ca.key", "-out", directory + "/ca.pem", "-subj", "/CN=swift-r2d test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try tool([
            "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/server.key",
            "-out", directory + "/server.csr", "-subj", "/CN=127.0.0.1",
        ])
        try tool([
            "openssl", "x509", "-req", "-in", directory + "/server.csr", "-CA", directory + "/ca.pem",
            "-CAkey", directory + "/ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", directory + "/server.ext", "-out", directory + "/server.pem",
        ])
    }

    /// Writes client.pem and client.key (a client certificate signed by ca.pem) into `directory`.
    static func makeClient(in directory: String) throws {
        try Data("extendedKeyUsage=clientAuth\n".utf8).write(to: URL(fileURLWithPath: directory + "/client.ext"))
        try tool([
            "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/client.key",
            "-out", directory + "/client.csr", "-subj", "/CN=swift-r2d test client",
        ])
        try tool([
            "openssl", "x509", "-req", "-in", directory + "/client.csr", "-CA", directory + "/ca.pem",
            "-CAkey", directory + "/ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", directory + "/client.ext", "-out", directory + "/client.pem",
        ])
    }

    /// Runs a tool found on PATH; throws with its stderr if it fails.
    static func tool(_ arguments: [String], input: String? = nil) throws {
        let result = try runProgram("/usr/bin/env", arguments)
        guard result.status == 0 else {
            throw Failure(description: "\(arguments.prefix(2).joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
    }
}

/// Debian's `docker-registry` on 127.0.0.1 with htpasswd auth and TLS from a CA made at test time, plus a
/// `certs.d` directory (Docker's layout) that trusts that CA. Call `close()` when done.
final class TestRegistry {
    static let user = "builder"
    static let password = "pa55-w0rd-\(UInt32.random(in: 100_000...999_999))"

    let directory: String
    let port: Int
    private var process: Process?

    var host: String { "127.0.0.1:\(port)" }
    var certificatesDirectory: String { directory + "/certs.d" }

    init() throws {
        directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-registry-")
        port = try GeneratedEnvironmentTests.freePort()
        do {
            try TestCertificates.make(in: directory)
            try FileManager.default.createDirectory(atPath: certificatesDirectory + "/" + host, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory + "/ca.pem", toPath: certificatesDirectory + "/" + host + "/ca.crt")
            let htpasswd = try runProgram("/usr/bin/htpasswd", ["-Bbn", Self.user, Self.password])
            guard htpasswd.status == 0 else { throw TestCertificates.Failure(description: "htpasswd failed: \(htpasswd.stderr)") }
            try htpasswd.stdout.write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
            try """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(directory)/data
            http:
              addr: 127.0.0.1:\(port)
              tls:
                certificate: \(directory)/server.pem
                key: \(directory)/server.key
            auth:
              htpasswd:
                realm: swift-r2d-test
                path: \(directory)/htpasswd

            """.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
            try start()
        } catch {
            close()
            throw error
        }
    }

    private func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if manifestStatus(repository: "probe", tag: "probe", authenticated: false) == 401 { return }
            usleep(100_000)
        }
        throw TestCertificates.Failure(description: "docker-registry did not answer on \(host)")
    }

    /// Stops the registry and removes its files.
    func close() {
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The HTTP status of `GET /v2/<repository>/manifests/<tag>` (0 when curl fails).
    func manifestStatus(repository: String, tag: String, authenticated: Bool = true) -> Int {
        var arguments = [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", directory + "/ca.pem",
            "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
            "https://\(host)/v2/\(repository)/manifests/\(tag)",
        ]
        if authenticated { arguments += ["-u", "\(Self.user):\(Self.password)"] }
        guard let result = try? runProgram("/usr/bin/curl", arguments) else { return 0 }
        return Int(result.stdout) ?? 0
    }

    /// A DOCKER_CONFIG directory whose config.json holds the registry's credentials (as `docker login` writes).
    func makeDockerConfig(password: String = TestRegistry.password) throws -> String {
        let config = directory + "/docker-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let auth = Data("\(Self.user):\(password)".utf8).base64EncodedString()
        try """
        {
        \t"auths": {
        \t\t"\(host)": {
        \t\t\t"auth": "\(auth)"
        \t\t}
        \t}
        }
        """.write(toFile: config + "/config.json", atomically: true, encoding: .utf8)
        return config
    }
}
