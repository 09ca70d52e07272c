/// A username and password (or token) for http(s) remotes.
public struct GitCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    /// Credentials from explicit values.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Parses GIT_CREDENTIAL_ENV as BinderHub sets it: "username=<u>\npassword=<p>" where "\n" may be a literal backslash-n (echo -e semantics) or a real newline. nil if no password.
    public init?(credentialEnv: String) {
        var username = ""
        var password: String?
        for rawLine in Self.expandingEchoEscapes(credentialEnv).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingWhitespace()
            let value = String(line[line.index(after: equals)...])
            switch key {
            case "username": username = value
            case "password": password = value
            default: continue  // git's credential protocol also allows protocol=, host=, path=
            }
        }
        guard let password, !password.isEmpty else { return nil }
        self.username = username
        self.password = password
    }

    /// The subset of `echo -e` escapes that matters for a credential blob: \n, \r, \t and \\.
    static func expandingEchoEscapes(_ text: String) -> String {
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            guard let next = iterator.next() else {
                result.append(character)
                break
            }
            switch next {
            case "n": result.append("\n")
            case "r": result.append("\r")
            case "t": result.append("\t")
            case "\\": result.append("\\")
            default:
                result.append(character)
                result.append(next)
            }
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var slice = self
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return slice
    }
}
