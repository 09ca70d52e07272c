import R2DBasics
import Foundation
import R2DBuildpacks

/// repo2docker's configuration in its JSON form: `{"Repo2Docker": {…}, "DockerEngine": {…}}`. Every key becomes
/// a `TraitSetting` applied before the command line's, so the command line wins.
enum ConfigurationFile {
    /// repo2docker's default `--config` value; its JSON twin is read from the working directory when present.
    static let defaultBase = "repo2docker_config"

    /// The settings of the file `--config` names (or the default file when present); nil when there is none.
    /// `warn` receives the note about a Python file found by the default lookup.
    static func load(option: String?, currentDirectory: String, repository: String? = nil, warn: (String) -> Void) throws -> [TraitSetting]
    {
        let fileManager = FileManager.default
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : currentDirectory + "/" + path }
        guard let option else {
            let json = absolute(defaultBase + ".json")
            if fileManager.fileExists(atPath: json) { return try implicitSettings(path: json, repository: repository, warn: warn) }
            if fileManager.fileExists(atPath: absolute(defaultBase + ".py")) {
                warn(
                    "\(defaultBase).py is a Python configuration file, which swift-r2d does not read; write its settings as JSON to \(defaultBase).json.\n"
                )
            }
            return []
        }
        let path = absolute(option)
        // repo2docker strips the extension and tries <base>.py and <base>.json; the JSON one is read here.
        let base = path.hasSuffix(".py") || path.hasSuffix(".json") ? String(path[..<(path.lastIndex(of: ".") ?? path.endIndex)]) : path
        var pathIsDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: path, isDirectory: &pathIsDirectory), pathIsDirectory.boolValue {
            throw CommandLineFailure(
                description: "--config: \(option.singleLine) is a directory; pass the path of a JSON configuration file.", exitCode: 2)
        }
        for candidate in [path.hasSuffix(".py") ? nil : path, base + ".json"].compactMap({ $0 }) {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return try parse(path: candidate)
            }
        }
        if fileManager.fileExists(atPath: base + ".py") {
            throw CommandLineFailure(
                description: "--config: \(option) is a Python configuration file; swift-r2d reads the JSON form. "
                    + "Write {\"Repo2Docker\": {\"<trait>\": <value>}} to \(base).json and pass that.",
                exitCode: 2)
        }
        throw CommandLineFailure(
            description: "--config: \(option.singleLine) does not exist; pass the path of a JSON configuration file.", exitCode: 2)
    }

    /// Settings that reach the host when the image runs: a file nobody named must not set them.
    static let hostSettings: Set<String> = ["volumes", "ports", "run_cmd", "engine", "appendix", "all_ports"]

    /// The configuration file found in the working directory without `--config`. It is the user's only when
    /// it is not part of the repository being built (a repository's own `repo2docker_config.json` would
    /// otherwise configure its build); even then, settings that reach the host are taken only from the
    /// command line or an explicit `--config`.
    static func implicitSettings(path: String, repository: String?, warn: (String) -> Void) throws -> [TraitSetting] {
        if let repository, isWithin(directory: path, repository: repository) {
            warn("Ignoring \(path): it belongs to the repository being built; pass --config to use it.\n")
            return []
        }
        return try parse(path: path).filter { setting in
            if Settings.secret.traits.contains(setting.name) {
                warn(
                    "Ignoring \(setting.className).\(setting.trait) in \(path): build secrets are taken only from the command line or an explicit --config.\n"
                )
                return false
            }
            guard setting.className == "Repo2Docker", hostSettings.contains(setting.trait) else { return true }
            warn(
                "Ignoring \(setting.className).\(setting.trait) in \(path): it reaches the host, so it is taken only from the command line or an explicit --config.\n"
            )
            return false
        }
    }

    /// Whether the file's directory is the local repository or inside it (symbolic links resolved).
    static func isWithin(directory file: String, repository: String) -> Bool {
        var local = repository
        if local.hasPrefix("file://") { local = String(local.dropFirst("file://".count)) }
        func real(_ path: String) -> String? {
            guard let pointer = realpath(path, nil) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        guard let repositoryPath = real(local), let directory = real((file as NSString).deletingLastPathComponent) else { return false }
        return directory == repositoryPath || directory.hasPrefix(repositoryPath == "/" ? "/" : repositoryPath + "/")
    }

    /// Reads one JSON configuration file; each error names the file and the key.
    static func parse(path: String) throws -> [TraitSetting] {
        func failure(_ text: String) -> CommandLineFailure {
            CommandLineFailure(description: "--config \(path): \(text)", exitCode: 2)
        }
        let data = try readConfiguration(path: path, failure: failure)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw failure("is not valid JSON\(detail.map { " (\($0))" } ?? ""); fix the syntax.")
        }
        guard let sections = object as? [String: Any] else {
            throw failure("must be a JSON object of sections, e.g. {\"Repo2Docker\": {\"base_image\": \"…\"}}.")
        }
        var settings: [TraitSetting] = []
        for className in sections.keys.sorted() {
            guard let known = knownTraits[className] else {
                throw failure("unknown section \"\(className)\"; the sections are \(knownTraits.keys.sorted().joined(separator: ", ")).")
            }
            guard let traits = sections[className] as? [String: Any] else {
                throw failure("\"\(className)\" must be an object of settings.")
            }
            for trait in traits.keys.sorted() {
                guard known.contains(trait) else {
                    let suggestion = closest(trait, in: known).map { " (did you mean \"\($0)\"?)" } ?? ""
                    throw failure("unknown setting \"\(className).\(trait)\"\(suggestion).")
                }
                settings.append(try setting(className, trait, traits[trait] as Any, origin: path, failure: failure))
            }
        }
        return settings
    }

    /// The file's bytes: a regular file of at most 1 MB (a configuration is written by hand; a larger one is
    /// a mistake or an attack, and parsing it would hold the run).
    static func readConfiguration(path: String, failure: (String) -> CommandLineFailure) throws -> Data {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot be read (\(String(cString: strerror(errno)))).") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw failure("is not a regular file; pass the path of a JSON configuration file.")
        }
        let limit = FileSizeLimit.environmentFile
        guard Int(info.st_size) <= limit else {
            throw failure("is \(info.st_size) bytes, more than the \(limit) bytes a configuration file may have; shorten it.")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        guard let data = try? handle.read(upToCount: limit + 1), data.count <= limit else {
            throw failure("cannot be read, or grew past \(limit) bytes while it was read.")
        }
        return data
    }

    static func setting(
        _ className: String, _ trait: String, _ value: Any, origin: String,
        failure: (String) -> CommandLineFailure
    ) throws -> TraitSetting {
        var setting = TraitSetting(className: className, trait: trait, value: "", origin: origin)
        if let list = value as? [Any] {
            setting.list = try list.map { item in
                guard let text = scalar(item) else { throw failure("\"\(className).\(trait)\" must be a list of strings.") }
                return text
            }
            setting.value = setting.list?.joined(separator: " ") ?? ""
        } else if let map = value as? [String: Any] {
            var strings: [String: String] = [:]
            for (key, item) in map {
                guard let text = scalar(item) else { throw failure("\"\(className).\(trait)\" must map names to strings or numbers.") }
                strings[key] = text
            }
            setting.map = strings
            setting.value = String(
                decoding: (try? JSONSerialization.data(withJSONObject: map, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        } else if let text = scalar(value) {
            setting.value = text
        } else {
            throw failure("\"\(className).\(trait)\" has a value of an unsupported type.")
        }
        return setting
    }

    /// Strings, numbers, booleans (as Python spells them) and null ("None").
    static func scalar(_ value: Any) -> String? {
        switch value {
        case let text as String: return text
        case is NSNull: return "None"
        case let number as NSNumber:
            // JSON true/false arrive as NSNumber of ObjC type "c" (char); 1 and 0 are integers.
            if String(cString: number.objCType) == "c" { return number.boolValue ? "True" : "False" }
            return number.stringValue
        default: return nil
        }
    }

    static func closest(_ name: String, in candidates: Set<String>) -> String? {
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let d = editDistance(Array(name), Array(candidate))
            if d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        guard let best, best.distance <= max(2, name.count / 3) else { return nil }
        return best.name
    }

    /// Levenshtein distance, for "did you mean" suggestions.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var row: [Int] = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                let substitution: Int = previous + (a[i - 1] == b[j - 1] ? 0 : 1)
                let insertionOrDeletion: Int = min(row[j], row[j - 1]) + 1
                row[j] = min(substitution, insertionOrDeletion)
                previous = current
            }
        }
        return row[b.count]
    }

    /// The settings repo2docker knows, by class (the settings table's traits and the ignored ones).
    static var knownTraits: [String: Set<String>] { Settings.knownTraits }
}
