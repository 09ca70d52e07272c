import R2DBasics
import R2DCore

/// One `--secret` value in docker buildx's form: comma-separated `key=value` fields (a field may be double-quoted,
/// as in CSV): `id=ID` and one of `env=VAR` or `src=FILE` (`source=` too), with `type=env` or `type=file` naming
/// the kind. As buildx does:
/// - `type=env,src=VAR` reads the variable named by `src`;
/// - with neither `env` nor `src`, the variable named like the id when it is set, else the file named like it.
/// Differences, for clearer errors: `type=env` or `type=file` alone reads the variable or file named like the id
/// (buildx falls back to the file), and both `env` and `src` is an error (buildx reads `env`).
enum SecretSpec {
    /// An id names `/run/secrets/<id>` in the build: letters, digits, `_`, `.` and `-`, starting with a letter,
    /// a digit or `_`, at most 128 bytes.
    static func isSafeID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= 128, isIDByte(first), first != UInt8(ascii: "."), first != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy(isIDByte)
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == 0x5F || byte == 0x2E || byte == 0x2D
    }

    static let form = "write id=ID,env=VAR or id=ID,src=FILE"

    /// The request for `text`; `source` names where it was given (`--secret`, a trait); `environment` decides
    /// the default source of a spec that names none. Every error is one line (exit 2).
    static func parse(_ text: String, source: String, environment: [String: String]) throws -> SecretRequest {
        func failure(_ problem: String) -> CommandLineFailure {
            CommandLineFailure(description: "\(source) \(text.singleLine.shortQuoted): \(problem)", exitCode: 2)
        }
        var id: String?, env: String?, src: String?, type: String?
        for field in try fields(of: text, failure: failure) {
            guard let equals = field.firstIndex(of: "=") else {
                throw failure("the field \(field.shortQuoted) is not key=value; \(form).")
            }
            let value = String(field[field.index(after: equals)...])
            switch field[..<equals].lowercased() {
            case "type":
                guard value == "env" || value == "file" else { throw failure("type=\(value) is not env or file.") }
                type = value
            case "id": id = value
            case "src", "source": src = value
            case "env": env = value
            default: throw failure("unknown key \(String(field[..<equals]).shortQuoted); the keys are id, env, src, source and type.")
            }
        }
        guard let id, !id.isEmpty else { throw failure("it has no id=; \(form).") }
        guard isSafeID(id) else {
            throw failure(
                "the id is not a safe name (letters, digits, '_', '.' and '-', starting with a letter, digit or '_', at most 128 bytes).")
        }
        if type == "env", env == nil || env == "" { (env, src) = (src ?? id, nil) }
        if type == "file", src == nil || src == "" { src = id }
        if let env, !env.isEmpty, let src, !src.isEmpty { throw failure("give env= or src=, not both.") }
        let origin = source
        if let env, !env.isEmpty { return SecretRequest(id: id, source: .environment(env), origin: origin) }
        if let src, !src.isEmpty { return SecretRequest(id: id, source: .file(src), origin: origin) }
        if env != nil || src != nil { throw failure("env= and src= need a value; \(form).") }
        return SecretRequest(id: id, source: environment[id] != nil ? .environment(id) : .file(id), origin: origin)
    }

    /// The comma-separated fields, a double-quoted field unquoted (`""` inside it is one `"`).
    static func fields(of text: String, failure: (String) -> CommandLineFailure) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false, wasQuoted = false
        var characters = text.makeIterator()
        while let character = characters.next() {
            switch (character, quoted) {
            case ("\"", false) where current.isEmpty && !wasQuoted:
                (quoted, wasQuoted) = (true, true)
            case ("\"", true):
                var lookahead = characters
                if lookahead.next() == "\"" {
                    current.append("\"")
                    characters = lookahead
                } else {
                    quoted = false
                }
            case (",", false):
                fields.append(current)
                (current, wasQuoted) = ("", false)
            default:
                if wasQuoted && !quoted { throw failure("a quoted field must end at a comma.") }
                current.append(character)
            }
        }
        if quoted { throw failure("a quoted field is not closed.") }
        fields.append(current)
        guard !(fields.count == 1 && fields[0].isEmpty) else { throw failure("it is empty; \(form).") }
        return fields
    }
}
