import Synchronization

extension Redaction {
    /// Makes every later redaction hide `value` (a build secret read at the start of a run), wherever it
    /// appears and whatever its form: the whole value, each line and each whitespace-separated word of it, and,
    /// for a URL with userinfo, the userinfo and the password alone (as written and percent-decoded) and the
    /// userinfo as a Basic-auth header carries it (base64), since a tool may print a URL with its password cut
    /// out, a password on its own or a request's headers. Call it before anything could
    /// print the value; registering twice changes nothing.
    public static func registerSecret(_ value: [UInt8]) {
        let forms = secretForms(of: value)
        guard !forms.isEmpty else { return }
        KnownSecrets.shared.insert(forms)
    }

    /// The text form of `registerSecret(_:)`.
    public static func registerSecret(_ value: String) {
        registerSecret(Array(value.utf8))
    }

    /// `bytes` with only the registered secrets hidden, for text that is already redacted otherwise or must keep
    /// its structure (a JSON line passed through as it is: the marker is valid inside a JSON string).
    public static func hidingRegisteredSecrets(in bytes: [UInt8]) -> [UInt8] {
        let known = KnownSecrets.shared.current
        return known.isEmpty ? bytes : maskingKnownSecrets(in: bytes, forms: known)
    }

    /// The byte strings that hide `value`: longest first, so a longer form is hidden before a shorter form
    /// inside it could cut it.
    static func secretForms(of value: [UInt8]) -> [[UInt8]] {
        var forms: Set<[UInt8]> = []
        func add(_ form: ArraySlice<UInt8>) {
            let trimmed = trimmedOfSpace(form)
            // An empty form would match everywhere; one made only of the marker's own bytes would make
            // redaction not idempotent (it matches what redaction writes).
            guard !trimmed.isEmpty, !trimmed.allSatisfy({ $0 == UInt8(ascii: "*") }) else { return }
            forms.insert(Array(trimmed))
        }
        add(value[...])
        for line in value.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) { add(line) }
        for word in value.split(whereSeparator: ASCII.isTokenBoundary) {
            add(word)
            for (index, part) in userinfoParts(of: word).enumerated() {
                add(part)
                add(percentDecoded(part)[...])
                // The first part is `user:password`: as a client sends it, in an `Authorization: Basic` header.
                if index == 0 { add(base64(percentDecoded(part))[...]) }
            }
        }
        return forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    /// A URL's userinfo (`user:password`) and its password, when the word is `scheme://userinfo@host…`.
    static func userinfoParts(of word: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        for separator in schemeSeparators(in: word) {
            let authority = separator + 3
            guard let at = urlUserinfoEnd(in: word[authority...]) else { continue }
            let userinfo = word[authority..<at]
            parts.append(userinfo)
            if let colon = userinfo.firstIndex(of: ASCII.colon) { parts.append(userinfo[(colon + 1)...]) }
        }
        return parts
    }

    /// Standard base64 with padding (RFC 4648), as HTTP Basic authentication encodes `user:password`.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = bytes[start..<min(start + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
            }
        }
        return output
    }

    /// `%XX` escapes decoded; anything else kept as it is.
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        var output: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]),
                let low = hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    static func trimmedOfSpace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, ASCII.isTokenBoundary(first) { slice = slice.dropFirst() }
        while let last = slice.last, ASCII.isTokenBoundary(last) { slice = slice.dropLast() }
        return slice
    }

    /// Forms shorter than this are hidden only where they stand as a whole word: hiding a three-letter user
    /// name inside every longer word would make the output unreadable and hide nothing the word did not.
    static let shortSecretLength = 4

    /// `bytes` with every registered secret form replaced by the marker.
    static func maskingKnownSecrets(in bytes: [UInt8], forms: [[UInt8]]) -> [UInt8] {
        var result = bytes
        for form in forms where result.count >= form.count {
            result = replacing(form, in: result, wholeWordOnly: form.count < shortSecretLength)
        }
        return result
    }

    private static func replacing(_ form: [UInt8], in bytes: [UInt8], wholeWordOnly: Bool) -> [UInt8] {
        guard let first = form.first else { return bytes }
        var output: [UInt8] = []
        var index = 0
        var copied = 0
        while index + form.count <= bytes.count {
            guard bytes[index] == first, bytes[index..<(index + form.count)].elementsEqual(form),
                !wholeWordOnly || standsAlone(bytes, from: index, count: form.count)
            else {
                index += 1
                continue
            }
            if output.isEmpty { output.reserveCapacity(bytes.count) }
            output += bytes[copied..<index]
            output += markerBytes
            index += form.count
            copied = index
        }
        guard copied > 0 else { return bytes }
        output += bytes[copied...]
        return output
    }

    private static func standsAlone(_ bytes: [UInt8], from start: Int, count: Int) -> Bool {
        let before = start > 0 ? bytes[start - 1] : nil
        let after = start + count < bytes.count ? bytes[start + count] : nil
        return !(before.map(ASCII.isWordByte) ?? false) && !(after.map(ASCII.isWordByte) ?? false)
    }
}

/// The secret forms registered in this process. The one piece of state in this module: a run registers its
/// build secrets once, at its start, and every redaction after that reads them.
final class KnownSecrets: Sendable {
    static let shared = KnownSecrets()

    private let forms = Mutex<[[UInt8]]>([])

    /// The forms, longest first.
    var current: [[UInt8]] { forms.withLock { $0 } }

    func insert(_ new: [[UInt8]]) {
        forms.withLock { forms in
            let merged = Set(forms).union(new)
            forms = merged.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        }
    }
}
