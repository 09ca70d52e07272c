import R2DBasics
import R2DBuildpacks

/// The command line's use of the value rules (`R2DBuildpacks/ValueRules.swift`): each check names the value's
/// source (a flag, or `Class.trait in <file>`) in its one-line message, and exits 2 as a usage error does.
enum ValueCheck {
    /// Build arguments that swift-r2d sets itself and checks: overriding them would undo the user checks
    /// (`--build-arg NB_UID=0` is root) or move the repository.
    static let reservedBuildArguments: Set<String> = ["NB_UID", "NB_USER", "REPO_DIR"]

    /// Returns `value` when it follows `rule`; otherwise throws the one-line failure.
    @discardableResult
    static func check(_ value: String, _ rule: ValueRule, source: String) throws -> String {
        do { try rule.check(value) } catch {
            throw CommandLineFailure(description: "\(source): \(error).", exitCode: 2)
        }
        return value
    }

    /// Index and download URLs: credentials would be written into the image (its environment or history).
    static func url(_ value: String, source: String) throws -> String {
        if URLValue.hasCredentials(value) {
            throw CommandLineFailure(
                description:
                    "\(source): the URL holds credentials, which would be written into the image's environment and history; give the URL without them and keep the token out of the image (Docs/security.md).",
                exitCode: 2)
        }
        return try check(value, .url, source: source)
    }

    static func downloadLocation(trait: String, value: String, source: String) throws {
        // An empty package server means Julia's default.
        if trait == "julia_pkg_server" && value.isEmpty { return }
        if DownloadLocations.rule(forTrait: trait) == .url {
            _ = try url(value, source: source)
        } else {
            try check(value, .condaChannel, source: source)
        }
    }

    /// `--user-id` and `user_id`: 1 to 4294967294 (0 keeps its repo2docker meaning, "your own uid").
    static func userID(_ uid: Int, source: String) throws {
        guard uid == 0 || (1...4_294_967_294).contains(uid) else {
            throw CommandLineFailure(description: "\(source): \(ValueRuleViolation(rule: .userID, value: String(uid))).", exitCode: 2)
        }
    }

    /// A label: key by its grammar, value on one line.
    static func label(_ key: String, _ value: String, source: String) throws {
        try check(key, .labelKey, source: source)
        try check(value, .singleLineText, source: source)
    }

    /// A build argument: its name by the grammar, not one of the reserved names, its value on one line.
    static func buildArgument(_ name: String, _ value: String, source: String) throws {
        try check(name, .buildArgumentName, source: source)
        if reservedBuildArguments.contains(name) {
            let flag = name == "NB_UID" ? "--user-id" : name == "NB_USER" ? "--user-name" : "--target-repo-dir"
            throw CommandLineFailure(
                description: "\(source): \(name) is set by swift-r2d and cannot be a build argument; use \(flag) instead.", exitCode: 2)
        }
        try check(value, .singleLineText, source: source)
    }
}
