import Foundation

/// Runs the git CLI, which tests use only to build submodule fixtures and to cross-check libgit2's output.
public enum GitCLI {
    public struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    @discardableResult
    public static func run(_ arguments: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Identity and file-protocol permission are given per call so no global git config is needed or touched.
        process.arguments =
            [
                "git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                "-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main",
            ] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = readToEnd(pipe.fileHandleForReading.fileDescriptor)
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(arguments: arguments, status: process.terminationStatus, output: output)
        }
        return output
    }
}

/// Reads a file of a checkout as text (nil if missing).
public func contents(of path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}
