import Foundation

/// The repository root and the fixture folders, found from this file's path so tests need no resources.
public enum ProjectPaths {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static func fixture(_ name: String) -> String { root + "/Fixtures/" + name }

    /// The `swift-r2d` executable built beside the test bundle (or SWIFT_R2D_BINARY).
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SWIFT_R2D_BINARY"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // The runner may be inside an .xctest bundle directory.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("swift-r2d").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return root + "/.build/debug/swift-r2d"
    }
}

extension TemporaryGitRepository {
    /// Copies `Fixtures/<name>` (symlinks as links, modes kept) into a new git repository and commits it.
    public static func fromFixture(_ name: String, time: Int64 = 1_700_000_000) throws -> (TemporaryGitRepository, String) {
        let repo = try TemporaryGitRepository(prefix: "r2d-fixture-")
        do {
            let source = ProjectPaths.fixture(name)
            for item in try FileManager.default.contentsOfDirectory(atPath: source) {
                try FileManager.default.copyItem(atPath: source + "/" + item, toPath: repo.path + "/" + item)
            }
            let sha = try repo.commit(message: "fixture \(name)", time: time)
            return (repo, sha)
        } catch {
            repo.remove()
            throw error
        }
    }
}

/// The result of running a program to completion.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program with arguments and extra environment, capturing both streams.
public func runProgram(
    _ path: String, _ arguments: [String], environment: [String: String] = [:],
    currentDirectory: String? = nil
) throws -> ProgramResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a full pipe never blocks the child.
    let errData = LockedData()
    let reader = Thread { errData.set(readToEnd(err.fileHandleForReading.fileDescriptor)) }
    reader.start()
    let outData = readToEnd(out.fileHandleForReading.fileDescriptor)
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return ProgramResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData.value, as: UTF8.self))
}

/// Every byte until end of file. Foundation's `readDataToEndOfFile` traps on EINTR (a signal landing in the test
/// process mid-read crashed a whole integration run), so the read is retried here.
public func readToEnd(_ fd: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return data }
        data.append(contentsOf: buffer[..<count])
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}

/// Runs blocking work (child programs, sleeps) on a thread of its own and awaits it, so that an async test
/// never holds one of the cooperative pool's few threads (two on a two-core machine) while it waits: a held
/// pool stalls every other test in the process, and time-bounded ones then fail.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
