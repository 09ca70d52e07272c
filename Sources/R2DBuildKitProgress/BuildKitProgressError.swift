/// Why a trace aux could not be read. Neither case carries the aux itself: it is base64 of binary data, and a
/// message quoting it would be the unreadable line this module exists to avoid.
public enum BuildKitProgressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The aux is not standard base64 (with padding, no line breaks), as dockerd writes it.
    case notBase64(length: Int)
    /// The bytes are not a BuildKit StatusResponse; `reason` is the protobuf decoder's.
    case notStatusResponse(byteCount: Int, reason: String)

    public var description: String {
        switch self {
        case .notBase64(let length):
            return "a BuildKit progress record of \(length) characters is not base64"
        case .notStatusResponse(let byteCount, let reason):
            return "a BuildKit progress record of \(byteCount) bytes is not a StatusResponse (\(reason))"
        }
    }
}
