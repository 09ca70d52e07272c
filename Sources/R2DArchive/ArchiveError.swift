/// A failure reported by libarchive, by the sink a ``TarWriter`` writes to, or while reading a file's bytes.
public struct ArchiveError: Error, CustomStringConvertible {
    /// What kind of failure this is, so callers can map it to their own errors.
    public enum Kind: Sendable, Equatable {
        /// libarchive itself refused (bad entry, corrupt input, misuse).
        case library
        /// The sink threw; ``ArchiveError/underlying`` holds its error.
        case sink
        /// Reading a file descriptor failed.
        case read
        /// A file's size changed between `stat` and the end of reading it.
        case sizeChanged
    }

    /// One line for the user.
    public let message: String
    /// The category of the failure.
    public let kind: Kind
    /// The error thrown by the sink (kind `.sink`), kept so callers can rethrow it unchanged.
    public let underlying: (any Error)?

    /// Creates an error with a message, a kind and an optional underlying error.
    public init(message: String, kind: Kind = .library, underlying: (any Error)? = nil) {
        self.message = message
        self.kind = kind
        self.underlying = underlying
    }

    public var description: String { message }
}
