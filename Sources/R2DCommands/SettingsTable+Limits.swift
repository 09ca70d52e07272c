import ArgumentParser
import R2DBasics
import R2DCore

/// The operator's guardrails (Docs/limits.md): `--max-repo-size`, `--build-timeout`, `--push-stall-timeout`
/// and their `--Repo2Docker.<name>=` traits.
enum LimitSettings {
    static let all: [Setting] = [
        Setting(
            flag: "max-repo-size", traits: [.repo2docker("max_repo_size")],
            help:
                "Refuse a repository whose files (without .git), or a data repository whose download, pass this size: 500M, 2G, 1.5G or bytes (K, M, G, T are powers of 1024). Default: no cap.",
            valueName: "size", read: { $0.limits.maxRepoSize.map { [$0] } },
            apply: { value, request, _ in request.limits.maximumRepositoryBytes = try maximumRepositorySize(value) }),
        Setting(
            flag: "build-timeout", traits: [.repo2docker("build_timeout")],
            help:
                "Seconds the fetch, build and push may take together; past them the build is cancelled and the run fails. Default: no limit.",
            valueName: "seconds", read: { $0.limits.buildTimeout.map { [$0] } },
            apply: { value, request, _ in request.limits.buildTimeoutSeconds = try seconds(value, allowingNone: true) }),
        Setting(
            flag: "push-stall-timeout", traits: [.repo2docker("push_stall_timeout")],
            help: "Seconds a push may go without progress from the registry before it fails (default 300).",
            valueName: "seconds", read: { $0.limits.pushStallTimeout.map { [$0] } },
            apply: { value, request, _ in
                if let seconds = try seconds(value, allowingNone: false) { request.limits.pushStallTimeoutSeconds = seconds }
            }),
    ]

    /// The row of one trait (for `LimitFlags`' declarations).
    static func named(_ trait: String) -> Setting { Settings.row(.repo2docker(trait), in: all) }

    /// A size by `ByteCount`'s grammar; traitlets' `None` (a trait only) means no cap.
    static func maximumRepositorySize(_ value: SettingValue) throws -> Int64? {
        if value.origin == .trait && value.text == "None" { return nil }
        do {
            return try ByteCount.parse(value.text.trimmingSpaces)
        } catch let invalid as ByteCount.Invalid {
            throw value.invalid(invalid.description)
        }
    }

    /// Whole seconds, more than zero; `None` (a trait only, where allowed) means no limit.
    static func seconds(_ value: SettingValue, allowingNone: Bool) throws -> Int64? {
        if allowingNone && value.origin == .trait && value.text == "None" { return nil }
        guard let seconds = Int64(value.text.trimmingSpaces), seconds > 0, seconds <= 1_000_000_000 else {
            throw value.invalid("a whole number of seconds, more than zero")
        }
        return seconds
    }
}

extension String {
    /// Without leading and trailing spaces (a configuration file's `" 2G "`).
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

/// `--max-repo-size`, `--build-timeout`, `--push-stall-timeout`: grouped under their own heading in `--help`.
/// Names and help come from `LimitSettings`; the rows apply the values.
struct LimitFlags: ParsableArguments {
    static func row(_ trait: String) -> Setting { LimitSettings.named(trait) }

    @Option(name: row("max_repo_size").names, help: row("max_repo_size").argumentHelp) var maxRepoSize: String?
    @Option(name: row("build_timeout").names, help: row("build_timeout").argumentHelp) var buildTimeout: String?
    @Option(name: row("push_stall_timeout").names, help: row("push_stall_timeout").argumentHelp) var pushStallTimeout: String?
}
