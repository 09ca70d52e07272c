import Foundation
import R2DTestSupport
import Testing

/// The binary, given a remote repository whose submodule points at the host's file system (Docs/security.md).
@Suite("Local submodules of remote repositories", .serialized)
struct LocalSubmoduleTests {
    @Test("refused with one line and nothing left; --allow-local-submodules builds it in")
    func refusedUnlessAllowed() throws {
        let host = try HostRepository(file: "secret.txt", contents: "host secret\n")
        defer { host.remove() }
        let superproject = try SuperprojectBuilder.make([SubmoduleEntry(path: "deps/host", url: host.path, commit: host.commit)])
        defer { superproject.remove() }
        try superproject.write("requirements.txt", "")
        _ = try GitCLI.run(["add", "requirements.txt"], in: superproject.path)
        _ = try GitCLI.run(["commit", "--quiet", "-m", "requirements"], in: superproject.path)
        let server = try GitHTTPServer()
        defer { server.stop() }
        let url = try server.publish(superproject, as: "org/super.git")
        let workdir = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-submodule-run-")
        defer { try? FileManager.default.removeItem(atPath: workdir) }
        // Clones go to TMPDIR: an empty one shows that the refused clone left nothing behind.
        let environment = ["TMPDIR": workdir, "DOCKER_HOST": "unix://" + workdir + "/no-engine.sock"]

        for json in [false, true] {
            let refused = try runProgram(
                ProjectPaths.binary, (json ? ["--json-logs"] : []) + ["--no-build", url],
                environment: environment, currentDirectory: workdir)
            #expect(refused.status == 1, "\(refused.stderr)")
            let last = refused.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.contains("Refusing submodule 'deps/host' (URL '\(host.path)')"), "\(last)")
            #expect(last.contains("--allow-local-submodules"), "\(last)")
            if json { #expect(last.contains("\"phase\":\"failed\"") || last.contains("\"phase\": \"failed\""), "\(last)") }
            #expect(!refused.stdout.contains("FROM "))
            #expect((try? FileManager.default.contentsOfDirectory(atPath: workdir))?.isEmpty == true)
        }

        let allowed = try runProgram(
            ProjectPaths.binary, ["--no-build", "--no-clean", "--allow-local-submodules", url],
            environment: environment, currentDirectory: workdir)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.hasPrefix("FROM "))
        let kept = allowed.stderr.split(separator: "\n").first { $0.hasPrefix("Keeping the checkout at ") }
        let checkout = try #require(kept.map { String($0.dropFirst("Keeping the checkout at ".count).prefix { $0 != " " }) })
        #expect(FileManager.default.contents(atPath: checkout + "/deps/host/secret.txt") == Data("host secret\n".utf8))
    }
}
