import Foundation
import R2DTestSupport
import Testing

/// Eight BinderHub-style runs at once on the real dockerd: six small Dockerfile repositories, one of them three
/// times at the same commit, all sharing one private TMPDIR. Every run succeeds with its own image carrying its
/// own revision label; afterwards the TMPDIR holds only the checkouts --no-clean keeps by design (one per run,
/// each named in its log) and no container of these images is left.
@Suite("Many builds at once on one daemon")
struct ConcurrencyTests {
    struct Run {
        var repository: TemporaryGitRepository
        var sha: String
        var image: String
    }

    /// A repository whose image differs from the others' (its own marker) and takes a moment to build.
    static func makeRepository(_ index: Int, tag: String) throws -> (TemporaryGitRepository, String) {
        let dockerfile = """
            FROM swift-r2d/test-base:bookworm
            RUN echo "\(tag)-\(index)" > /tmp/marker && sleep 1
            COPY . /home/jovyan/
            """
        let repository = try TemporaryGitRepository(files: ["Dockerfile": dockerfile, "README.md": "repository \(index)\n"])
        do {
            return (repository, try repository.commit(message: "repository \(index)", time: GeneratedEnvironmentTests.uniqueCommitTime()))
        } catch {
            repository.remove()
            throw error
        }
    }

    @Test("eight runs at once, one commit three times: all succeed, labels right, nothing left behind")
    func eightAtOnce() throws {
        let tag = "c\(UInt32.random(in: 100_000...999_999))"
        var runs: [Run] = []
        defer {
            for run in runs { DaemonAPI.removeImageKeepingCache(run.image) }
            for run in runs.prefix(6) { run.repository.remove() }
        }
        for index in 0..<6 {
            let (repository, sha) = try Self.makeRepository(index, tag: tag)
            runs.append(Run(repository: repository, sha: sha, image: "r2d-concurrency-\(tag)-\(index):\(sha)"))
        }
        runs += [runs[0], runs[0]]
        let temporary = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "r2d-concurrency-tmp-")
        defer { try? FileManager.default.removeItem(atPath: temporary) }

        let results = Self.runAll(runs, temporary: temporary)
        for (run, started) in zip(runs, results) {
            let result = try #require(started, "\(run.image) did not start")
            #expect(result.status == 0, "\(run.image): \(result.stderr)")
            let lines = NetworkFailureTests.jsonLines(result.stdout + result.stderr)
            #expect(!lines.contains { $0["phase"] as? String == "failed" }, "\(run.image): \(result.stderr)")
        }
        for run in runs.prefix(6) {
            let (status, body) = try DaemonAPI.request("GET", "/images/\(DaemonAPI.escaped(run.image))/json")
            #expect(status == 200, "\(run.image) is missing")
            let inspect = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let labels = (inspect["Config"] as? [String: Any])?["Labels"] as? [String: String]
            #expect(labels?["org.opencontainers.image.revision"] == run.sha, "\(run.image)")
        }
        // --no-clean keeps each run's checkout (as repo2docker does) and says where; nothing else may be left.
        let kept = results.compactMap { $0 }.flatMap { result in
            NetworkFailureTests.jsonLines(result.stdout + result.stderr).compactMap { line -> String? in
                guard let message = line["message"] as? String, message.hasPrefix("Keeping the checkout at ") else { return nil }
                return String(message.dropFirst("Keeping the checkout at ".count).prefix { $0 != " " })
            }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary).map { temporary + "/" + $0 }
        #expect(kept.count == runs.count && Set(kept).count == runs.count, "\(kept)")
        // Each run's directory holds its checkout and nothing else.
        let leftContents = try left.flatMap { directory in
            try FileManager.default.contentsOfDirectory(atPath: directory).map { directory + "/" + $0 }
        }
        #expect(Set(leftContents) == Set(kept), "left in TMPDIR: \(leftContents), kept: \(kept)")
        for run in runs.prefix(6) {
            let left = try DaemonAPI.containers(ancestor: run.image)
            #expect(left.isEmpty, "containers left from \(run.image): \(left)")
        }
    }

    /// BinderHub's exact command line for each run, all started before any is waited for.
    static func runAll(_ runs: [Run], temporary: String) -> [ProgramResult?] {
        let results = LockedResults(count: runs.count)
        let group = DispatchGroup()
        for (index, run) in runs.enumerated() {
            group.enter()
            Thread {
                let arguments = [
                    "--ref=\(run.sha)", "--image=\(run.image)", "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan",
                    "--user-id=1000", "--network=host", run.repository.fileURL,
                ]
                if let result = try? runProgram(ProjectPaths.binary, arguments, environment: ["TMPDIR": temporary]) {
                    results.set(index, result)
                }
                group.leave()
            }.start()
        }
        group.wait()
        return results.all
    }

    final class LockedResults: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [ProgramResult?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ result: ProgramResult) { lock.lock(); results[index] = result; lock.unlock() }
        /// Each run's result; nil for a run that could not be started.
        var all: [ProgramResult?] { lock.lock(); defer { lock.unlock() }; return results }
    }
}
