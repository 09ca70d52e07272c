import CLibGit2
import Dispatch
import Foundation
import R2DRedaction

/// The Swift face of libgit2: cloning, ref resolution and work-tree inspection.
///
/// Every function is synchronous and blocking; libgit2 calls its callbacks on the calling thread.
public enum Git {
    /// Once per process: git_libgit2_init and the ownership-check setting. Idempotent and thread-safe; not
    /// cheap (see ``initializeInBackground()``). The CA locations swift-r2d chooses are set by ``initializeTLS()``,
    /// which clones call.
    public static func initialize() {
        _ = libgit2Initialization
    }

    /// Starts ``initialize()`` on another thread and returns at once. git_libgit2_init with mbedTLS parses the
    /// system CA bundle (~10 ms) whatever the caller needs; started early, that overlaps other start-up work
    /// (e.g. connecting to the container engine), and the first git call waits only for what is left.
    public static func initializeInBackground() {
        backgroundInitialization.enter()
        // A pooled dispatch thread starts sooner than a new Thread.
        DispatchQueue.global(qos: .userInitiated).async {
            initialize()
            backgroundInitialization.leave()
        }
    }

    /// Returns once every ``initializeInBackground()`` has finished. Call it before the process exits: exiting
    /// while git_libgit2_init runs on another thread tears its state down under it (a crash, not an exit code).
    public static func waitForBackgroundInitialization() {
        backgroundInitialization.wait()
    }

    /// Once per process: hands the CA bundle location to mbedTLS (SSL_CERT_FILE, GIT_SSL_CAINFO, then
    /// /etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt, /etc/ssl/cert.pem; and SSL_CERT_DIR /
    /// /etc/ssl/certs as dir). mbedTLS parses the whole bundle at once (tens of milliseconds), so only code that may
    /// open an https connection calls this. Idempotent, thread-safe; implies ``initialize()``.
    public static func initializeTLS() {
        _ = tlsInitialization
    }

    /// The CA bundle file and directory that `initialize()` hands to libgit2, in order of preference.
    static func certificateLocations(environment: [String: String]) -> (file: String?, directory: String?) {
        let fileCandidates =
            [environment["SSL_CERT_FILE"], environment["GIT_SSL_CAINFO"]].compactMap { $0 }
            + ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
        let directoryCandidates = [environment["SSL_CERT_DIR"]].compactMap { $0 } + ["/etc/ssl/certs"]
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let file = fileCandidates.first {
            !$0.isEmpty && fileManager.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        let directory = directoryCandidates.first {
            !$0.isEmpty && fileManager.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        return (file, directory)
    }
}

private let backgroundInitialization = DispatchGroup()

// A global `let` is initialised lazily, exactly once and thread-safely, which is what git_libgit2_init needs.
private let libgit2Initialization: Void = {
    git_libgit2_init()
    // swift-r2d only reads repositories and never runs their hooks or config commands, and it often runs as
    // root on checkouts owned by someone else (build pods, mounted directories): skip the ownership check.
    _ = r2d_git_set_owner_validation(0)
}()

private let tlsInitialization: Void = {
    Git.initialize()
    let locations = Git.certificateLocations(environment: ProcessInfo.processInfo.environment)
    // mbedTLS keeps one trusted chain: libgit2 loads the file if given, else the directory.
    if locations.file != nil || locations.directory != nil {
        _ = r2d_git_set_ssl_cert_locations(locations.file, locations.file == nil ? locations.directory : nil)
    }
}()

// MARK: - Error helpers
//
// `package` rather than internal: R2DGitTestSupport (the test-only authoring helpers) calls libgit2 through
// these too, so its errors read exactly like this module's.

extension Git {
    /// The last libgit2 error message, with credentials removed.
    static func lastErrorMessage() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return "" }
        return Redaction.redactingCredentials(in: String(cString: message)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Throws `.libgit2` with the last libgit2 message if `code` is negative.
    package static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        if code < 0 {
            throw GitError.libgit2(operation: operation(), message: lastErrorMessage())
        }
    }

    /// The 40-hex form of an object id.
    package static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, buffer.count, oid)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens the repository whose work tree or git directory is exactly `path` (no upward search).
    package static func openRepository(at path: String) throws -> OpaquePointer {
        initialize()
        var repository: OpaquePointer?
        let code = git_repository_open_ext(&repository, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        if code == GIT_ENOTFOUND.rawValue { throw GitError.notARepository(path: path) }
        try check(code, "opening the git repository at \(path)")
        guard let repository else { throw GitError.notARepository(path: path) }
        return repository
    }

    /// The commit HEAD points at, or nil if HEAD is unborn. The caller frees the commit.
    package static func headCommit(of repository: OpaquePointer, path: String) throws -> OpaquePointer? {
        if git_repository_head_unborn(repository) == 1 { return nil }
        var object: OpaquePointer?
        try check(git_revparse_single(&object, repository, "HEAD^{commit}"), "reading HEAD of \(path)")
        return object
    }
}
