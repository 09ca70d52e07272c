/// repo2docker's command line has three parts: options (and `--Class.trait=value` settings) before the
/// repository, the repository, and everything after it as the command to run. ArgumentParser only sees the
/// first two; this splits them the way argparse's REMAINDER does.
struct SplitArguments: Equatable {
    var options: [String] = []
    var traits: [TraitSetting] = []
    var repo: String?
    var command: [String] = []

    /// Whether `flag` was given as an option, not as the value of one (`--ref -h` names a ref, not help).
    func has(_ flag: String) -> Bool {
        var index = 0
        while index < options.count {
            if options[index] == flag { return true }
            index += ArgumentSplitter.valueOptions.contains(options[index]) ? 2 : 1
        }
        return false
    }

    /// The last value given to `setting`'s flag in any spelling (`--config x` arrives joined as `--config=x`).
    func lastValue(of setting: Setting) -> String? {
        let spellings = setting.valueSpellings
        var value: String?
        var index = 0
        while index < options.count {
            let option = options[index]
            if spellings.contains(option), index + 1 < options.count {
                value = options[index + 1]
                index += 2
                continue
            }
            if let long = spellings.first(where: { $0.hasPrefix("--") && option.hasPrefix($0 + "=") }) {
                value = String(option.dropFirst(long.count + 1))
            }
            index += 1
        }
        return value
    }
}

/// A `--Class.trait=value` setting, e.g. `--Repo2Docker.base_image=img`.
struct TraitSetting: Equatable {
    var className: String
    var trait: String
    /// The value as text (a scalar, or the JSON of a list or mapping from a configuration file).
    var value: String
    /// A list value from a configuration file (`cache_from`, `environment`, `run_cmd`).
    var list: [String]? = nil
    /// A mapping value from a configuration file (`labels`, `extra_build_args`, `volumes`, `ports`, …).
    var map: [String: String]? = nil
    /// Where the setting came from, for messages: "the command line" or the configuration file's path.
    var origin: String? = nil

    var name: TraitName { TraitName(className: className, trait: trait) }

    /// How messages name the setting: `--Class.trait` on the command line, `Class.trait in <file>` otherwise.
    var displayName: String {
        if let origin { return "\(className).\(trait) in \(origin)" }
        return "--\(className).\(trait)"
    }
}

enum ArgumentSplitter {
    /// Options that take a value in the next argument when not written with `=` (from the settings table).
    static var valueOptions: Set<String> { Settings.valueSpellings }

    static func split(_ arguments: [String]) -> SplitArguments {
        var result = SplitArguments()
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            if token == "--" {
                if index + 1 < arguments.count {
                    result.repo = arguments[index + 1]
                    result.command = Array(arguments[(index + 2)...])
                }
                return result
            }
            if let trait = trait(token) {
                result.traits.append(trait)
            } else if token.hasPrefix("-") && token.count > 1 {
                if valueOptions.contains(token), index + 1 < arguments.count {
                    index += 1
                    // `--ref=-h`: joined, a value that starts with "-" stays a value for ArgumentParser too.
                    if token.hasPrefix("--") {
                        result.options.append(token + "=" + arguments[index])
                    } else {
                        result.options += [token, arguments[index]]
                    }
                } else {
                    result.options.append(token)
                }
            } else {
                result.repo = token
                var rest = Array(arguments[(index + 1)...])
                if rest.first == "--" { rest.removeFirst() }
                result.command = rest
                return result
            }
            index += 1
        }
        return result
    }

    /// `--Class.trait=value`: only the fully qualified `=` form, as traitlets accepts it from repo2docker.
    static func trait(_ token: String) -> TraitSetting? {
        guard token.hasPrefix("--"), let equals = token.firstIndex(of: "=") else { return nil }
        let name = token[token.index(token.startIndex, offsetBy: 2)..<equals]
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = parts[0].first, first.isUppercase,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
        else { return nil }
        var value = String(token[token.index(after: equals)...])
        // traitlets reads values as Python literals: a quoted string loses its quotes.
        if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
            value = String(value.dropFirst().dropLast())
        }
        return TraitSetting(className: String(parts[0]), trait: String(parts[1]), value: value)
    }
}
