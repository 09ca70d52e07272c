/// Why a session could not be had; each description is one line.
public enum SessionError: Error, CustomStringConvertible, Equatable {
    /// The daemon did not switch the `POST /session` connection to HTTP/2.
    case upgradeRefused(String)

    public var description: String {
        switch self {
        case .upgradeRefused(let answer):
            return "the engine refused a BuildKit session (POST /session): \(answer)"
        }
    }
}
