import R2DCore

/// How a run reports: JSON lines or text, with or without debug lines. Decided once, here, from every source in
/// order, a later one overriding an earlier one: the configuration file, then `--Repo2Docker.json_logs=…` and
/// `--Repo2Docker.log_level=…` on the command line, then the flags `--json-logs` and `--debug` (which only turn
/// things on). The request itself carries neither: only the reporter reads them.
struct OutputOptions: Equatable {
    var json = false
    var debug = false

    static func resolve(_ split: SplitArguments, configured: [TraitSetting] = []) -> OutputOptions {
        var options = OutputOptions()
        for setting in configured + split.traits where setting.className == "Repo2Docker" {
            switch setting.trait {
            case "json_logs": if let on = try? SettingValue.trait(setting).boolean() { options.json = on }
            case "log_level": if let debug = try? logLevelIsDebug(.trait(setting)) { options.debug = debug }
            default: break
            }
        }
        if split.has("--json-logs") { options.json = true }
        if split.has("--debug") { options.debug = true }
        return options
    }

    /// traitlets' `Application.log_level`: a level name or number; DEBUG (10) and below show debug lines.
    static func logLevelIsDebug(_ setting: SettingValue) throws -> Bool {
        let names = ["NOTSET": 0, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "CRITICAL": 50]
        guard let level = names[setting.text.uppercased()] ?? Int(setting.text), (0...50).contains(level) else {
            throw setting.invalid("DEBUG, INFO, WARN, ERROR or CRITICAL (or a level from 0 to 50)")
        }
        return level <= 10
    }

    var reporter: Reporter { Reporter(json: json, debug: debug) }

    /// The options the run reports with, once `activate()` has decided them (help and version use them too).
    nonisolated(unsafe) private(set) static var current: OutputOptions?

    /// Makes these the run's options; under JSON, stderr is guarded from here on (`JSONOutputGuard`).
    func activate() {
        Self.current = self
        if json { JSONOutputGuard.install() }
    }
}
