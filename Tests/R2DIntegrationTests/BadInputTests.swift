import Foundation
import R2DGit
import R2DGitTestSupport
import R2DTestSupport
import Testing

/// One case of the bad-input corpus: `Fixtures/bad/<name>/case.json` plus the repository files beside it
/// (Docs/bad-input.md describes the fields).
struct BadInputCase: Decodable, Sendable {
    /// Something made in the repository at test time (never committed to swift-r2d itself).
    struct Setup: Decodable, Sendable {
        /// A symbolic link at this path pointing at `target`.
        var symlink: String?
        var target: String?
        /// A file / a directory whose name is this text with each `<FF>` replaced by the byte 0xFF.
        var nonUTF8: String?
        var nonUTF8Dir: String?
        /// A file at this path holding the bytes of `hex`.
        var bytes: String?
        var hex: String?
        /// A file at this path relative to the case's working directory (the repository's parent) holding `text`.
        var write: String?
        var text: String?
        /// A file at this path in the repository of `size` bytes: `line` repeated (cut at `size`).
        var fill: String?
        var size: Int?
        var line: String?
        /// A named pipe (FIFO) at this path in the repository.
        var fifo: String?
    }

    var summary: String
    /// The command line after the program name; `{repo}` is the case's repository, `{url}` its file:// URL.
    var args: [String]
    /// Whether the repository is a git repository with one commit (default true).
    var git: Bool?
    /// "stub": DOCKER_HOST points at a stub engine that only answers /_ping and /version.
    var engine: String?
    /// Pass the arguments through `sh` and `printf %b`, so `<FF>` reaches the program as the byte 0xFF.
    var shell: Bool?
    var setup: [Setup]?
    /// A file stdout is redirected to (`/dev/full`: every write fails), through `sh`.
    var stdout: String?
    /// "repo": run inside the repository instead of its parent.
    var cwd: String?
    /// false for commands without `--json-logs` (`detect`): only the plain run.
    var jsonLogs: Bool?
    /// The documented exit status.
    var exit: Int32
    /// The exact last line of stderr (placeholders substituted).
    var message: String
}

enum BadInputCorpus {
    static let directory = ProjectPaths.fixture("bad")

    /// Every case directory, sorted.
    static let names: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { FileManager.default.fileExists(atPath: directory + "/" + $0 + "/case.json") }.sorted()
    }()

    static func load(_ name: String) throws -> BadInputCase {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + "/case.json"))
        return try JSONDecoder().decode(BadInputCase.self, from: data)
    }
}

/// A case's repository, made at test time in a fresh temporary directory.
struct PreparedCase {
    let parent: String
    let repo: String

    init(_ name: String, _ spec: BadInputCase) throws {
        parent = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-bad-")
        repo = parent + "/repo"
        let source = BadInputCorpus.directory + "/" + name
        let isGit = spec.git ?? true
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        if isGit { try Git.initRepository(at: repo) }
        for item in try FileManager.default.contentsOfDirectory(atPath: source) where item != "case.json" {
            try FileManager.default.copyItem(atPath: source + "/" + item, toPath: repo + "/" + item)
        }
        for step in spec.setup ?? [] {
            if let link = step.symlink, let target = step.target {
                try FileManager.default.createSymbolicLink(atPath: repo + "/" + link, withDestinationPath: target)
            } else if let name = step.nonUTF8 {
                try Self.makeNonUTF8(repo, name, directory: false)
            } else if let name = step.nonUTF8Dir {
                try Self.makeNonUTF8(repo, name, directory: true)
            } else if let path = step.bytes, let hex = step.hex {
                let bytes = stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
                    let start = hex.index(hex.startIndex, offsetBy: offset)
                    return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
                }
                try Data(bytes).write(to: URL(fileURLWithPath: repo + "/" + path))
            } else if let path = step.write, let text = step.text {
                try text.write(toFile: parent + "/" + path, atomically: false, encoding: .utf8)
            } else if let path = step.fill, let size = step.size {
                let line = Array((step.line ?? "x\n").utf8)
                let bytes = (0..<size).map { line[$0 % line.count] }
                try Data(bytes).write(to: URL(fileURLWithPath: repo + "/" + path))
            } else if let path = step.fifo {
                guard mkfifo(repo + "/" + path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
            }
        }
        if isGit { _ = try Git.commitAll(in: repo, message: "bad input case \(name)") }
    }

    /// The raw bytes of `name` with `<FF>` as 0xFF (not representable in a Swift String).
    static func rawBytes(_ name: String) -> [UInt8] {
        let parts = name.components(separatedBy: "<FF>")
        var bytes: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { bytes.append(0xFF) }
            bytes += Array(part.utf8)
        }
        return bytes
    }

    static func makeNonUTF8(_ directory: String, _ name: String, directory isDirectory: Bool) throws {
        let path = Array((directory + "/").utf8) + rawBytes(name) + [0]
        let result = path.withUnsafeBufferPointer { buffer -> Int32 in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return -1 }
                if isDirectory { return mkdir(base, 0o755) }
                let fd = open(base, O_CREAT | O_WRONLY, 0o644)
                if fd >= 0 { close(fd) }
                return fd >= 0 ? 0 : -1
            }
        }
        if result != 0 { throw CocoaError(.fileWriteUnknown) }
    }

    func substitute(_ text: String) -> String {
        text.replacingOccurrences(of: "{parent}", with: parent).replacingOccurrences(of: "{url}", with: "file://" + repo)
            .replacingOccurrences(of: "{repo}", with: repo)
    }

    func remove() { try? FileManager.default.removeItem(atPath: parent) }
}

@Suite("Bad input corpus (Fixtures/bad)")
struct BadInputTests {
    @Test func corpusHasAtLeastFortyCases() {
        #expect(BadInputCorpus.names.count >= 40)
    }

    @Test func everyCaseIsDocumented() throws {
        let document = try String(contentsOfFile: ProjectPaths.root + "/Docs/bad-input.md", encoding: .utf8)
        for name in BadInputCorpus.names {
            #expect(document.contains("`\(name)`"), "Docs/bad-input.md does not list \(name)")
        }
    }

    @Test("plain: exit code and the exact one-line error", arguments: BadInputCorpus.names)
    func plain(_ name: String) async throws {
        let spec = try BadInputCorpus.load(name)
        let result = try await run(name, spec, json: false)
        let prepared = result.prepared
        defer { prepared.remove() }
        let lines = result.output.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(result.output.status == spec.exit, "\(name): stderr was \(result.output.stderr)")
        #expect(lines.last == prepared.substitute(spec.message), "\(name): stderr was \(result.output.stderr)")
        #expect(!result.output.stderr.contains("Fatal error"), "\(name) crashed: \(result.output.stderr)")
    }

    @Test("--json-logs: every line JSON, one phase failed, the last, with the same message", arguments: BadInputCorpus.names)
    func jsonLogs(_ name: String) async throws {
        let spec = try BadInputCorpus.load(name)
        guard spec.jsonLogs ?? true else { return }
        let result = try await run(name, spec, json: true)
        let prepared = result.prepared
        defer { prepared.remove() }
        let output = result.output
        #expect(output.status == spec.exit, "\(name): stderr was \(output.stderr)")
        var last: [String: Any]?
        var failedLines = 0
        for line in output.stderr.split(separator: "\n", omittingEmptySubsequences: true) {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "\(name): not a JSON line: \(line)")
            if object?["phase"] as? String == "failed" { failedLines += 1 }
            last = object
        }
        // BinderHub takes the first `failed` line as the failure: there is exactly one.
        #expect(failedLines == 1, "\(name): \(failedLines) failed lines in \(output.stderr)")
        #expect(last?["phase"] as? String == "failed", "\(name): stderr was \(output.stderr)")
        #expect(last?["message"] as? String == prepared.substitute(spec.message) + "\n", "\(name): stderr was \(output.stderr)")
    }

    struct CaseRun {
        var prepared: PreparedCase
        var output: ProgramResult
    }

    func run(_ name: String, _ spec: BadInputCase, json: Bool) async throws -> CaseRun {
        let prepared = try PreparedCase(name, spec)
        let arguments = (json ? ["--json-logs"] : []) + spec.args.map(prepared.substitute)
        // Never the shared daemon: a socket that does not exist, or the stub.
        var environment = ["DOCKER_HOST": "unix://" + prepared.parent + "/no-engine.sock"]
        var stub: StubEngineServer?
        if spec.engine == "stub" {
            let server = try await StubEngineServer.start { request in
                if request.path == "/_ping" { return .ping() }
                if request.path.hasSuffix("/version") {
                    return .json(#"{"Version": "20.10.24", "ApiVersion": "1.41", "Os": "linux", "Arch": "amd64"}"#)
                }
                // What the engine builds with: the overlay2 store and a bridge network, so BuildKit.
                if request.path.hasSuffix("/info") { return .json(#"{"Driver": "overlay2", "DriverStatus": []}"#) }
                if request.path.hasSuffix("/networks/bridge") { return .json(#"{"Name": "bridge"}"#) }
                return .error("stub engine: unexpected \(request.method) \(request.path)", status: 500)
            }
            environment["DOCKER_HOST"] = "unix://" + server.socketPath
            stub = server
        }
        let output: ProgramResult
        do {
            if let target = spec.stdout {
                output = try runProgram(
                    "/bin/sh", ["-c", "exec \"$0\" \"$@\" >" + target, ProjectPaths.binary] + arguments,
                    environment: environment, currentDirectory: prepared.parent)
            } else if spec.shell ?? false {
                // printf %b turns \0377 into the byte 0xFF, which a Swift String argument cannot carry.
                let words = arguments.map { argument -> String in
                    let escaped = argument.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: "<FF>", with: "\\0377")
                    return "\"$(printf '%b' '\(escaped)')\""
                }
                output = try runProgram(
                    "/bin/sh", ["-c", "exec \"$0\" " + words.joined(separator: " "), ProjectPaths.binary],
                    environment: environment, currentDirectory: prepared.parent)
            } else {
                output = try runProgram(
                    ProjectPaths.binary, arguments, environment: environment,
                    currentDirectory: spec.cwd == "repo" ? prepared.repo : prepared.parent)
            }
        } catch {
            await stub?.stop()
            prepared.remove()
            throw error
        }
        await stub?.stop()
        return CaseRun(prepared: prepared, output: output)
    }
}
