import Foundation
import R2DBasics
import Synchronization

/// A run's private directory for files too large to hold in memory (canonical git indexes), made on first
/// use under the same parent as checkouts and removed by the stage that made it, on every way out.
final class ScratchDirectory: Sendable {
    private let parent: String
    private let path: Mutex<String?> = Mutex(nil)

    init(parent: String?) {
        self.parent = Self.parent(parent)
    }

    /// Where a run's temporary directories go: the given parent (tests), else $TMPDIR, else /tmp.
    static func parent(_ given: String?) -> String {
        given ?? TemporaryDirectory.systemParent(environment: ProcessInfo.processInfo.environment)
    }

    /// The directory, made now if it does not exist yet.
    func directory() throws -> String {
        try path.withLock { path in
            if let path { return path }
            let made = try Self.create(in: parent, prefix: "swift-r2d-scratch-")
            path = made
            return made
        }
    }

    /// Removes the directory if it was made; later calls do nothing.
    func remove() {
        let taken = path.withLock { path in
            defer { path = nil }
            return path
        }
        if let taken { try? FileManager.default.removeItem(atPath: taken) }
    }
}

extension ScratchDirectory {
    /// A new private directory `<parent>/<prefix>XXXXXX`, or the one-line error that says to set TMPDIR.
    static func create(in parent: String, prefix: String) throws -> String {
        do {
            return try TemporaryDirectory.create(in: parent, prefix: prefix)
        } catch {
            throw CoreError.fileSystem(
                "Cannot create a temporary directory in \(parent): \(error.reason); set TMPDIR to a writable directory.")
        }
    }
}
