import Foundation
import Testing

@testable import R2DRegistry

/// docker-credential-* helpers that misbehave, written as scripts at test time on PATH through a temporary
/// directory: each ends in a bounded time, in one line naming the helper, and leaves no process behind.
@Suite("Credential helpers that misbehave")
struct CredentialHelperTests {
    /// A config.json whose credsStore is `docker-credential-odd`, the given script, in a fresh directory.
    func withHelper(
        _ script: String, timeout: Duration = .seconds(600), body: (RegistryCredentialStore, String) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-helper-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"credsStore": "odd"}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        let helper = dir + "/docker-credential-odd"
        try ("#!/bin/sh\n" + script.replacingOccurrences(of: "{dir}", with: dir)).write(toFile: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
        let store = RegistryCredentialStore(
            environment: ["DOCKER_CONFIG": dir, "PATH": dir + ":/usr/bin:/bin"], helperTimeout: timeout)
        try await body(store, dir)
    }

    /// The error and the seconds it took, for a lookup expected to fail.
    func failure(_ store: RegistryCredentialStore) async -> (error: (any Error)?, seconds: Double) {
        let start = Date()
        do {
            _ = try await store.credential(for: "registry.example")
            return (nil, Date().timeIntervalSince(start))
        } catch {
            return (error, Date().timeIntervalSince(start))
        }
    }

    /// No process is left whose pid was written to one of `files` (a zombie counts as ended), polled for up to 10 s.
    static func gone(_ files: [String]) async throws -> Bool {
        let pids = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            .compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard pids.count == files.count else { return false }
        for _ in 0..<200 {
            let alive = pids.filter { pid in
                guard kill(pid, 0) == 0 else { return false }
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false)
            }
            if alive.isEmpty { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("a helper that never answers is stopped after the helper timeout, with what it started")
    func neverAnswers() async throws {
        try await withHelper("echo $$ > {dir}/helper.pid\nsleep 3600 &\necho $! > {dir}/sleep.pid\nwait\n", timeout: .seconds(2)) {
            store, dir in
            let (caught, seconds) = await failure(store)
            let error = try #require(caught)
            #expect(error as? RegistryError == .credentialHelper(name: "odd", reason: "it did not answer within 2 s and was stopped"))
            let text = String(describing: error)
            #expect(text.contains("docker-credential-odd") && !text.contains("\n"))
            // The helper sleeps an hour; the bound only catches a hang: the parallel suite can block the two-thread
            // cooperative pool for minutes on 2 cores.
            #expect(seconds < 900, "took \(seconds) s")
            #expect(try await Self.gone([dir + "/helper.pid", dir + "/sleep.pid"]))
        }
    }

    @Test("a helper that writes 1 MB to stderr before answering is read to its answer")
    func megabyteOfStderr() async throws {
        let script = """
            echo $$ > {dir}/helper.pid
            head -c 1048576 /dev/zero | tr '\\0' e >&2
            echo '{"ServerURL":"registry.example","Username":"noisy","Secret":"s3cret"}'
            """
        try await withHelper(script) { store, dir in
            let start = Date()
            let credential = try await store.credential(for: "registry.example")
            #expect(credential?.username == "noisy" && credential?.password == "s3cret")
            #expect(Date().timeIntervalSince(start) < 900)
            #expect(try await Self.gone([dir + "/helper.pid"]))
        }
    }

    @Test("a helper that exits 1 fails in one line with the first line of its stderr")
    func exitsOne() async throws {
        try await withHelper("echo $$ > {dir}/helper.pid\necho 'gpg: decryption failed: No secret key' >&2\necho more >&2\nexit 1\n") {
            store, dir in
            let (caught, seconds) = await failure(store)
            let error = try #require(caught)
            #expect(
                error as? RegistryError
                    == .credentialHelper(name: "odd", reason: "it exited with status 1: gpg: decryption failed: No secret key"))
            #expect(!String(describing: error).contains("\n") && String(describing: error).contains("docker-credential-odd"))
            #expect(seconds < 900)
            #expect(try await Self.gone([dir + "/helper.pid"]))
        }
    }
}
