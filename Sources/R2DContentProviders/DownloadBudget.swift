import R2DBasics
import Synchronization

/// `--max-repo-size` for a data repository's download: the bytes of every file fetched in one session count
/// against one cap. A record that announces its files' sizes is refused before the first byte, a file whose
/// `Content-Length` would pass the cap before its body is read, and a stream without a length is cut as soon
/// as it passes (the connection is closed, so the server stops sending).
public final class DownloadBudget: Sendable {
    /// The cap; nil for none.
    public let limit: Int64?
    private let counted = Mutex<Int64>(0)

    public init(limit: Int64?) { self.limit = limit }

    /// Bytes of finished files so far.
    public var used: Int64 { counted.withLock { $0 } }

    /// A record's announced file sizes (nil where the service gives none): refused when they alone pass the cap.
    func admit(announced sizes: [Int64?], input: String) throws {
        guard let limit else { return }
        let total = sizes.reduce(Int64(0)) { $0 + max($1 ?? 0, 0) }
        if used + total > limit {
            throw ProviderError.contentTooLarge(input: input, size: used + total, limit: limit, how: .announced)
        }
    }

    /// A file about to stream: refused when its `Content-Length` would take the session past the cap.
    func admit(contentLength: Int64?, input: String) throws {
        guard let limit, let contentLength else { return }
        if used + contentLength > limit {
            throw ProviderError.contentTooLarge(input: input, size: used + contentLength, limit: limit, how: .announced)
        }
    }

    /// `received` bytes of the current file so far: throws (ending the stream) once the session passes the cap.
    func check(received: Int64, input: String) throws {
        guard let limit else { return }
        if used + received > limit {
            throw ProviderError.contentTooLarge(input: input, size: used + received, limit: limit, how: .streamed)
        }
    }

    /// A file finished with `bytes`.
    func add(_ bytes: Int64) { counted.withLock { $0 += bytes } }
}

extension ProviderError {
    /// How a download was found too large: from sizes the service announced, or while it streamed.
    public enum SizeEvidence: Sendable, Equatable {
        case announced, streamed
        /// An archive's files passed the cap while it was extracted (`size` is then the cap).
        case extracted
    }

    static func tooLargeDescription(input: String, size: Int64, limit: Int64, how: SizeEvidence) -> String {
        let cap = "--max-repo-size \(ByteCount.describe(limit))"
        switch how {
        case .announced:
            return "Fetching \(input) refused: its files are announced as \(ByteCount.describe(size)), more than \(cap); "
                + "nothing was downloaded past the cap. Raise --max-repo-size or choose a smaller record."
        case .extracted:
            return "Fetching \(input) stopped: its archive expands to more than \(cap); "
                + "raise --max-repo-size or choose a smaller record."
        case .streamed:
            return "Fetching \(input) stopped: the download passed \(cap) at \(ByteCount.describe(size)); "
                + "raise --max-repo-size or choose a smaller record."
        }
    }
}
