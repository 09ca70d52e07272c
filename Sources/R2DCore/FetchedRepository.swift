import Foundation
import Synchronization

/// A fetched repository: where its files are, what names it, and the temporary directory it lives in. It is
/// the one owner of that directory, so every path out of a run (success, error, cancellation) removes it the
/// same way, and nothing else in R2DCore deletes a checkout.
final class FetchedRepository: Sendable {
    /// The checkout: the local directory itself, or `checkout` inside the temporary directory.
    let path: String
    /// A local directory is used in place: never removed, and its labels carry the path unredacted.
    let isLocal: Bool
    /// The commit the content comes from, when it is a clone or a clean git checkout.
    let commit: String?
    /// Seconds since the epoch for every entry of the build context (the commit's time).
    let commitTime: Int64?
    /// A data repository's id (Zenodo record, SWHID, …): the image tag and revision label (ImageIdentity).
    let contentID: String?
    /// The temporary directory still to remove; nil for a local directory, once removed, or when kept.
    private let temporaryDirectory: Mutex<String?>

    init(
        path: String, isLocal: Bool, temporaryDirectory: String?, commit: String?, commitTime: Int64?,
        contentID: String? = nil
    ) {
        self.path = path
        self.isLocal = isLocal
        self.commit = commit
        self.commitTime = commitTime
        self.contentID = contentID
        self.temporaryDirectory = Mutex(temporaryDirectory)
    }

    /// `--no-clean`: the checkout outlives the run, and the log says where it is.
    func keep(reporter: Reporter) {
        guard !isLocal else { return }
        reporter.log("Keeping the checkout at \(path) (--no-clean).\n", phase: .fetching)
        temporaryDirectory.withLock { $0 = nil }
    }

    /// Removes the temporary directory; later calls do nothing, so the run can remove the checkout before
    /// its container starts and again, harmlessly, on the way out.
    func remove() {
        let taken = temporaryDirectory.withLock { directory in
            let taken = directory
            directory = nil
            return taken
        }
        guard let directory = taken else { return }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
