import R2DBasics
/// The kinds of value that reach a generated Dockerfile (or the shell of its `RUN`s) from outside swift-r2d:
/// flags, configuration files and repository files. Each kind has one grammar, checked once where the value's
/// source is known (so the message can name the flag, setting or file:line); a value that passed is then
/// written only through `DockerfileText.word`, or, for the kinds that cannot be quoted (`FROM`, build
/// arguments expanded by the shell), it is safe by its grammar alone.
///
/// `--appendix` is not a value: it is Dockerfile text by design (BinderHub passes it), and is exempt.
public enum ValueRule: String, Sendable, CaseIterable {
    /// `FROM` of generated Dockerfiles.
    case imageReference = "image reference"
    /// Download locations and package indexes: http(s), no credentials, no quotes, `$`, spaces or controls.
    case url
    /// A conda channel: a name (`conda-forge`, `conda-forge/label/dev`) or a URL.
    case condaChannel = "conda channel"
    /// The image user's login name (`NB_USER`).
    case userName = "user name"
    /// An absolute directory inside the image (`REPO_DIR`).
    case containerPath = "container path"
    /// `os/arch[/variant]`.
    case platform
    /// One apt.txt token: `name[:arch][=version|/release]`.
    case aptPackage = "apt package"
    /// A build argument's name.
    case buildArgumentName = "build argument name"
    /// An image label's key.
    case labelKey = "label key"
    /// A git ref (branch, tag or commit).
    case gitRef = "git ref"
    /// A user id: 1 to 4294967294 (0 is root; 4294967295 is "no id").
    case userID = "user id"
    /// Free text that must stay on one line (label values, build argument values).
    case singleLineText = "text"

    /// What a value of this kind must look like, for "… must be <grammar>" messages.
    public var grammar: String {
        switch self {
        case .imageReference:
            return
                "an image reference such as debian:bookworm or registry.example.org:5000/team/base:1.2 (lower-case name, optional :tag and @sha256:digest)"
        case .url: return "an http:// or https:// URL without credentials, spaces, quotes, backslashes, backquotes or $"
        case .condaChannel: return "a channel name such as conda-forge (letters, digits, '.', '_', '-', '/') or an http(s) URL"
        case .userName: return "a login name of up to 32 lower-case letters, digits, '.', '_' and '-', starting with a letter or '_'"
        case .containerPath:
            return "an absolute path of letters, digits and '.', '_', '-', '+', '@', '/' (no '..', spaces or shell characters)"
        case .platform: return "os/arch[/variant], e.g. linux/amd64 or linux/arm64"
        case .aptPackage:
            return "a Debian package name (lower-case letters, digits, '+', '-', '.'), optionally with :arch, =version or /release"
        case .buildArgumentName: return "a name of letters, digits and '_' not starting with a digit"
        case .labelKey: return "letters, digits, '.', '_', '-' and '/', starting with a letter or digit"
        case .gitRef: return "a branch, tag or commit name without spaces or control characters, not starting with '-'"
        case .userID: return "a user id from 1 to 4294967294"
        case .singleLineText: return "text without line breaks or other control characters"
        }
    }

    /// Whether `value` follows this kind's grammar.
    public func accepts(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        switch self {
        case .imageReference: return bytes.count <= 512 && ImageReference.isValid(value)
        case .url: return URLValue.isValid(bytes)
        case .condaChannel:
            return bytes.first.map(ASCII.isAlphanumeric) == true && bytes.count <= 255
                && bytes.allSatisfy { ASCII.isAlphanumeric($0) || "._-/".utf8.contains($0) } || URLValue.isValid(bytes)
        case .userName:
            guard let first = bytes.first, bytes.count <= 32, ASCII.isLower(first) || first == UInt8(ascii: "_") else { return false }
            return bytes.allSatisfy { ASCII.isLower($0) || ASCII.isDigit($0) || "._-".utf8.contains($0) }
        case .containerPath: return Self.isContainerPath(bytes)
        case .platform:
            let parts = value.split(separator: "/", omittingEmptySubsequences: false)
            return (2...3).contains(parts.count)
                && parts.allSatisfy { part in
                    !part.isEmpty && part.count <= 32
                        && part.utf8.allSatisfy { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") }
                }
        case .aptPackage: return AptToken.isValid(bytes)
        case .buildArgumentName:
            guard let first = bytes.first, !ASCII.isDigit(first), bytes.count <= 128 else { return false }
            return bytes.allSatisfy { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
        case .labelKey:
            guard let first = bytes.first, ASCII.isAlphanumeric(first), bytes.count <= 255 else { return false }
            return bytes.allSatisfy { ASCII.isAlphanumeric($0) || "._-/".utf8.contains($0) }
        case .gitRef:
            guard let first = bytes.first, first != UInt8(ascii: "-"), bytes.count <= 1024 else { return false }
            return bytes.allSatisfy { $0 > 0x20 && $0 != 0x7F }
        case .userID: return UInt32(value).map { $0 >= 1 && $0 <= 4_294_967_294 } ?? false
        case .singleLineText:
            return bytes.count <= 65_536 && !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F })
                && !value.unicodeScalars.contains(where: DockerfileText.isLineBreakLike)
        }
    }

    /// `/` followed by components of safe characters; no empty, `.` or `..` component (`/srv/` is fine).
    static func isContainerPath(_ bytes: [UInt8]) -> Bool {
        guard bytes.first == UInt8(ascii: "/"), bytes.count <= 1024 else { return false }
        guard bytes.allSatisfy({ ASCII.isAlphanumeric($0) || "._-+@/".utf8.contains($0) }) else { return false }
        let components = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        return components.allSatisfy {
            !$0.elementsEqual([UInt8(ascii: ".")]) && !$0.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")])
        }
    }
}

/// Why a value was refused: the value's kind, and a short, single-line copy of the value.
public struct ValueRuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var rule: ValueRule
    public var value: String

    public init(rule: ValueRule, value: String) {
        self.rule = rule
        self.value = value
    }

    /// "<value> is not <grammar>", the value cut to a short prefix on one line.
    public var description: String { "\(value.shortQuoted) is not valid: use \(rule.grammar)" }
}

extension ValueRule {
    /// Throws a `ValueRuleViolation` unless `value` follows the grammar.
    public func check(_ value: String) throws(ValueRuleViolation) {
        guard accepts(value) else { throw ValueRuleViolation(rule: self, value: value) }
    }
}

/// The URL grammar: `http(s)://host[:port][/path][?query]`, printable ASCII only, without the characters a
/// shell, a Dockerfile or the R and Python files that embed URLs would read specially, and without userinfo
/// (a credential in a URL would be written into the image's history or environment).
public enum URLValue {
    static let forbidden = Set(" \"'`\\$<>^|".utf8)

    static func isValid(_ bytes: [UInt8]) -> Bool {
        guard bytes.count <= 2048, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }) else { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        let rest: Substring
        if text.lowercased().hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if text.lowercased().hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return false
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return false }
        let host = authority.hasPrefix("[") ? authority : authority.prefix { $0 != ":" }
        return !host.isEmpty
    }

    /// Whether the text has the shape of a URL with userinfo (`scheme://user[:password]@host`).
    public static func hasCredentials(_ text: String) -> Bool {
        guard let scheme = text.range(of: "://") else { return false }
        let authority = text[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return authority.contains("@")
    }
}

/// apt.txt tokens: `name[:arch][=version|/release]` (Debian policy: a name is at least two characters of
/// `[a-z0-9+.-]` starting with a letter or digit, so no token can be an option or a shell word).
enum AptToken {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        guard bytes.count <= 256 else { return false }
        var name = bytes[...], suffix: ArraySlice<UInt8> = []
        if let mark = bytes.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "/") }) {
            name = bytes[..<mark]
            suffix = bytes[mark...]
        }
        if let colon = name.firstIndex(of: UInt8(ascii: ":")) {
            let arch = name[(colon + 1)...]
            guard !arch.isEmpty, arch.allSatisfy({ ASCII.isLower($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "-") }) else {
                return false
            }
            name = name[..<colon]
        }
        guard name.count >= 2, let first = name.first, ASCII.isLower(first) || ASCII.isDigit(first),
            name.allSatisfy({ ASCII.isLower($0) || ASCII.isDigit($0) || "+-.".utf8.contains($0) })
        else { return false }
        guard let marker = suffix.first else { return true }
        let value = suffix.dropFirst()
        guard let head = value.first else { return false }
        if marker == UInt8(ascii: "=") {
            // Debian versions: [epoch:]upstream[-revision], starting with a digit.
            return ASCII.isDigit(head) && value.allSatisfy { ASCII.isAlphanumeric($0) || ".+~:-".utf8.contains($0) }
        }
        return ASCII.isAlphanumeric(head) && value.allSatisfy { ASCII.isAlphanumeric($0) || ".+_-".utf8.contains($0) }
    }
}

/// Byte classes, without locale or Unicode tables.
enum ASCII {
    static func isLower(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    static func isUpper(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isLower(byte) || isUpper(byte) || isDigit(byte) }
}

/// The one way values reach generated Dockerfile text.
public enum DockerfileText {
    /// `value` as one word that a Dockerfile instruction (`ENV`, `RUN`'s shell form) and `sh` both read back
    /// literally: single-quoted unless every byte is plainly safe, an inner `'` written as `'\''`. Neither can
    /// expand a single-quoted word. Line breaks and other control characters cannot be written without
    /// starting a new instruction, so they are refused.
    public static func word(_ value: String) throws(ValueRuleViolation) -> String {
        let bytes = Array(value.utf8)
        try ValueRule.singleLineText.check(value)
        if !bytes.isEmpty, bytes.allSatisfy({ ASCII.isAlphanumeric($0) || "-_./:@%+=,".utf8.contains($0) }) { return value }
        var quoted = "'"
        for character in value.unicodeScalars {
            if character == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(character) }
        }
        return quoted + "'"
    }

    static func isLineBreakLike(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
