@testable import R2DBuildpacks

/// DockerfileText.word, the one quoting function: its output is one line, and reading it back the way `sh`
/// and a Dockerfile's `ENV` read a word gives the value exactly, with nothing expanded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDockerfileWord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value = FuzzInput.text(data, size)
    let word: String
    do { word = try DockerfileText.word(value) } catch {
        FuzzInput.requireOneLine(error)
        if ValueRule.singleLineText.accepts(value) { fatalError("word refused one-line text: \(value.debugDescription)") }
        return 0
    }
    if word.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { fatalError("word is not one line: \(word.debugDescription)") }
    guard let decoded = ShellWord.decode(word) else { fatalError("not a single literal word: \(word.debugDescription) from \(value.debugDescription)") }
    if decoded != value { fatalError("word reads back as \(decoded.debugDescription), not \(value.debugDescription)") }
    return 0
}

/// A reader for the subset of POSIX word syntax that is literal: bare characters that no shell or Dockerfile
/// treats specially, single-quoted runs, and `\'`. Anything else (an unquoted `$`, space, `;`, …) is nil.
enum ShellWord {
    static let bare = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,".unicodeScalars)

    static func decode(_ word: String) -> String? {
        var out = String.UnicodeScalarView()
        var scalars = word.unicodeScalars.makeIterator()
        var sawAny = false
        while let scalar = scalars.next() {
            sawAny = true
            if scalar == "'" {
                var closed = false
                while let inner = scalars.next() {
                    if inner == "'" { closed = true; break }
                    out.append(inner)
                }
                if !closed { return nil }
            } else if scalar == "\\" {
                guard let next = scalars.next(), next == "'" else { return nil }
                out.append(next)
            } else if bare.contains(scalar) {
                out.append(scalar)
            } else {
                return nil
            }
        }
        return sawAny ? String(out) : nil
    }
}
