import Foundation

/// Docker's word rules for the instructions `ComposedSteps` reads: quotes, backslash escapes and `$NAME` /
/// `${NAME}` (the image's environment first, then the stage's arguments). Any other expansion form
/// (`${NAME:-default}`, …) is left to the engine.
extension ComposedSteps.Reader {
    func value(of name: String) -> String {
        if let entry = state.config.env.last(where: { $0.hasPrefix(name + "=") }) { return String(entry.dropFirst(name.count + 1)) }
        return arguments[name] ?? ""
    }

    /// The words of `text`, quotes removed and variables expanded.
    func words(_ text: String) throws(ComposedSteps.NotComposable) -> [String] {
        try lex(text, splitting: true)
    }

    /// `text` as one word (spaces kept).
    func expand(_ text: String) throws(ComposedSteps.NotComposable) -> String {
        try lex(text, splitting: false).joined()
    }

    /// `key=value` pairs, or the old `KEY value` form of one pair.
    func pairs(_ text: String) throws(ComposedSteps.NotComposable) -> [(String, String)] {
        let all = try words(text)
        if let first = all.first, !first.contains("=") {
            let rest = text.drop { $0 == " " || $0 == "\t" }.dropFirst(first.count).drop { $0 == " " || $0 == "\t" }
            return [(first, try expand(String(rest)))]
        }
        return all.map { word in
            let key = String(word.prefix { $0 != "=" })
            return (key, String(word.dropFirst(key.count + 1)))
        }
    }

    /// The exec form (a JSON array, used as it is) or the shell form (`/bin/sh -c`).
    func command(_ text: String) throws(ComposedSteps.NotComposable) -> [String] {
        guard text.hasPrefix("[") else { return ["/bin/sh", "-c", text] }
        guard let array = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw ComposedSteps.NotComposable(reason: "a command that is not a JSON array of strings: \(text)")
        }
        return array
    }

    private func lex(_ text: String, splitting: Bool) throws(ComposedSteps.NotComposable) -> [String] {
        var result: [String] = []
        var word = ""
        var inWord = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            switch character {
            case " " where splitting, "\t" where splitting:
                if inWord { result.append(word) }
                (word, inWord) = ("", false)
                continue
            case "\\":
                if let next = characters.popFirst() { word.append(next) }
            case "'":
                while let next = characters.popFirst(), next != "'" { word.append(next) }
            case "\"":
                try doubleQuoted(&characters, into: &word)
            case "$":
                word += try variable(&characters)
            default:
                word.append(character)
            }
            inWord = true
        }
        if inWord { result.append(word) }
        return result
    }

    private func doubleQuoted(_ characters: inout ArraySlice<Character>, into word: inout String) throws(ComposedSteps.NotComposable) {
        while let next = characters.popFirst(), next != "\"" {
            if next == "\\", let escaped = characters.first, "\"\\$".contains(escaped) {
                word.append(escaped)
                characters.removeFirst()
            } else if next == "$" {
                word += try variable(&characters)
            } else {
                word.append(next)
            }
        }
    }

    private func variable(_ characters: inout ArraySlice<Character>) throws(ComposedSteps.NotComposable) -> String {
        let isNameCharacter: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if characters.first == "{" {
            characters.removeFirst()
            let name = String(characters.prefix(while: isNameCharacter))
            characters.removeFirst(name.count)
            guard !name.isEmpty, characters.popFirst() == "}" else {
                throw ComposedSteps.NotComposable(reason: "a ${…} form other than ${NAME}")
            }
            return value(of: name)
        }
        let name = String(characters.prefix(while: isNameCharacter))
        guard !name.isEmpty else { return "$" }
        characters.removeFirst(name.count)
        return value(of: name)
    }
}
