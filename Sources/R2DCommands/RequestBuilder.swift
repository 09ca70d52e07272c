import Foundation
import R2DBuildpacks
import R2DContentProviders
import R2DCore

/// Failures decided while turning the command line into a request; each carries its exit status.
struct CommandLineFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
}

/// Turns parsed flags and `--Class.trait=value` settings into a `BuildRequest`, with repo2docker's checks
/// (the order in which repo2docker's `__main__.py` checks them).
struct RequestBuilder {
    var environment: [String: String]
    var warn: (String) -> Void

    /// `traits` are applied in order (the configuration file's first, then the command line's), and the flags
    /// last: the command line wins over the file.
    func makeRequest(_ flags: BuildCommand, traits: [TraitSetting], command: [String]) throws -> BuildRequest {
        // The flag wins in the end anyway; without it the login name is the default (a passwd lookup at worst).
        var request = BuildRequest(repo: flags.repo, userID: Int(geteuid()), userName: flags.userName ?? Self.loginName(environment))
        request.processEnvironment = environment
        if let directory = environment["SWIFT_R2D_REGISTRY_CERTS_D"], !directory.isEmpty {
            request.registryCertificatesDirectory = directory
        }
        try apply(traits, to: &request)
        if !command.isEmpty { request.runCommand = command }

        try applyModes(flags, command: command, to: &request)
        try applyUser(flags, to: &request)
        try applyRunSettings(flags, to: &request)
        try applyValues(flags, to: &request)
        return request
    }

    /// --editable, build/run/push, ports: the checks between them come in repo2docker's order.
    func applyModes(_ flags: BuildCommand, command: [String], to request: inout BuildRequest) throws {
        if flags.editable {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: flags.repo, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandLineFailure(description: "--editable needs a local directory, and \(flags.repo) is not one.", exitCode: 1)
            }
            request.editable = true
        }
        if let name = flags.imageName { request.imageName = name }
        if let build = flags.build { request.build = build }
        if let run = flags.run { request.run = run }
        if let push = flags.push { request.push = push }
        if !request.build {
            // A dry run forces run and push off, as repo2docker's dry_run does.
            request.run = false
            request.push = false
        }
        if request.editable && !request.run {
            throw CommandLineFailure(description: "Cannot mount volumes if container is not run (--editable needs --run).", exitCode: 1)
        }
        if flags.publishAll {
            guard request.run else { throw CommandLineFailure(description: "To publish user-defined port mappings, the container must also be run (-P needs --run).", exitCode: 1) }
            request.publishAll = true
        }
        if !flags.publish.isEmpty {
            guard request.run else { throw CommandLineFailure(description: "To publish user-defined port mappings, the container must also be run (-p needs --run).", exitCode: 1) }
            if flags.publish.count > 1 && command.isEmpty {
                throw CommandLineFailure(description: "To publish more than one port, also give the command to run after the repository.", exitCode: 1)
            }
            request.ports = try flags.publish.map(PortMapping.parse)
        }
    }

    /// The image user (uid and name), checked after the traits and flags are both applied.
    func applyUser(_ flags: BuildCommand, to request: inout BuildRequest) throws {
        if let uid = flags.userId {
            try ValueCheck.userID(uid, source: "--user-id")
            if uid != 0 { request.userID = uid }
        }
        if let name = flags.userName { request.userName = try ValueCheck.check(name, .userName, source: "--user-name") }
        if !ValueRule.userName.accepts(request.userName) {
            // Only the login name can be left unchecked here: the flag and the setting were checked above.
            throw CommandLineFailure(
                description: "Your login name \(request.userName.shortQuoted) cannot name the image's user (\(ValueRule.userName.grammar)); pass --user-name.",
                exitCode: 2)
        }
        if request.build && request.userID == 0 {
            throw CommandLineFailure(description: "Root as the image user is not permitted; pass --user-id with a non-zero uid (and --user-name).", exitCode: 1)
        }
        if flags.buildMemoryLimit != nil {
            throw CommandLineFailure(description: "--build-memory-limit is no longer supported: limit memory on the container engine instead.", exitCode: 255)
        }
    }

    /// Settings of the container run: environment variables and volumes.
    func applyRunSettings(_ flags: BuildCommand, to request: inout BuildRequest) throws {
        if !flags.env.isEmpty {
            guard request.run else { throw CommandLineFailure(description: "To specify environment variables, the container must also be run (-e needs --run).", exitCode: 1) }
            request.environment += flags.env
        }
        if !flags.volume.isEmpty {
            guard request.run else { throw CommandLineFailure(description: "Cannot mount volumes if container is not run (-v needs --run).", exitCode: 1) }
            request.volumes = try flags.volume.map(VolumeMapping.parse)
        }
    }

    /// Flags that are plain values, each checked by its value rule.
    func applyValues(_ flags: BuildCommand, to request: inout BuildRequest) throws {
        if let subdir = flags.subdir { request.subdir = try ValueCheck.check(subdir, .singleLineText, source: "--subdir") }
        request.cacheFrom += flags.cacheFrom
        if let engine = flags.engine { request.engine = engine }
        if let clean = flags.clean { request.clean = clean }
        if let target = flags.targetRepoDir { request.targetRepoDir = try ValueCheck.check(target, .containerPath, source: "--target-repo-dir") }
        if let ref = flags.ref { request.ref = try ValueCheck.check(ref, .gitRef, source: "--ref") }
        if let appendix = flags.appendix { request.appendix = appendix }
        if let platform = flags.platform { request.platform = try ValueCheck.check(platform, .platform, source: "--platform") }
        if let network = flags.network { request.network = network }
        if let base = flags.baseImage { request.baseImage = try ValueCheck.check(base, .imageReference, source: "--base-image") }
        if let version = flags.defaultPythonVersion { request.defaultPythonVersion = version }
        if let url = flags.pythonIndexUrl { request.pythonIndexURL = try ValueCheck.url(url, source: "--python-index-url") }
        if let url = flags.pythonDownloadMirror { request.pythonDownloadMirror = try ValueCheck.url(url, source: "--python-download-mirror") }
        try flags.downloads.apply(to: &request.downloadLocations)
        do {
            try flags.providers.apply(to: &request.contentProviders)
        } catch {
            throw CommandLineFailure(description: "\(error)", exitCode: 2)
        }
        if flags.allowLocalSubmodules { request.allowLocalSubmodules = true }
        for (key, value) in flags.label.map(Self.keyValue) {
            try ValueCheck.label(key, value, source: "--label")
            request.labels.append((key, value))
        }
        for (name, value) in flags.buildArg.map(Self.keyValue) {
            try ValueCheck.buildArgument(name, value, source: "--build-arg")
            request.buildArgs.append((name, value))
        }
    }

    static func keyValue(_ item: String) -> (String, String) {
        let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    /// The caller's login name, as Python's getpass.getuser() finds it.
    static func loginName(_ environment: [String: String]) -> String {
        for key in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "jovyan"
    }

    /// Maps the traitlets settings that mean something here; the others are accepted with a warning.
    func apply(_ traits: [TraitSetting], to request: inout BuildRequest) throws {
        var firstCondaChannel = true
        for setting in traits {
            if try applyImageSetting(setting, to: &request) || applyRunSetting(setting, to: &request) { continue }
            try applyLocationSetting(setting, to: &request, firstCondaChannel: &firstCondaChannel)
        }
    }

    /// The settings of the image and its build; false when `setting` is not one of them.
    func applyImageSetting(_ setting: TraitSetting, to request: inout BuildRequest) throws -> Bool {
        let value = setting.value, name = setting.displayName
        func invalid(_ expected: String) -> CommandLineFailure { setting.invalid(expected) }
        switch (setting.className, setting.trait) {
        case ("Repo2Docker", "base_image"): request.baseImage = try ValueCheck.check(value, .imageReference, source: name)
        case ("Repo2Docker", "platform"): request.platform = try ValueCheck.check(value, .platform, source: name)
        case ("Repo2Docker", "default_buildpack"):
            if value == "None" { request.allowDefaultBuildpack = false } else { warnIgnored(setting) }
        case ("Repo2Docker", "user_id"):
            guard let uid = Int(value) else { throw invalid("an integer") }
            try ValueCheck.userID(uid, source: name)
            if uid != 0 { request.userID = uid }
        case ("Repo2Docker", "user_name"): request.userName = try ValueCheck.check(value, .userName, source: name)
        case ("Repo2Docker", "ref"): request.ref = value == "None" ? nil : try ValueCheck.check(value, .gitRef, source: name)
        case ("Repo2Docker", "subdir"): request.subdir = try ValueCheck.check(value, .singleLineText, source: name)
        case ("Repo2Docker", "target_repo_dir"): request.targetRepoDir = try ValueCheck.check(value, .containerPath, source: name)
        case ("Repo2Docker", "appendix"): request.appendix = value
        case ("Repo2Docker", "output_image_spec"):
            guard value.isEmpty || ImageName.isValid(value) else {
                throw CommandLineFailure(description: "\(value) is not a valid docker image name (\(name)).", exitCode: 2)
            }
            request.imageName = value.isEmpty ? nil : value
        default: return false
        }
        return true
    }

    /// The settings of the run, the engine and the registry; false when `setting` is not one of them.
    func applyRunSetting(_ setting: TraitSetting, to request: inout BuildRequest) throws -> Bool {
        let value = setting.value, name = setting.displayName
        func invalid(_ expected: String) -> CommandLineFailure { setting.invalid(expected) }
        func boolean() throws -> Bool { try setting.boolean() }
        func list() -> [String] { setting.list ?? [value] }
        func map() throws -> [(String, String)] { try setting.sortedMap() }
        switch (setting.className, setting.trait) {
        case ("Repo2Docker", "engine"): request.engine = value
        case ("Repo2Docker", "cleanup_checkout"): request.clean = try boolean()
        case ("Repo2Docker", "run"): request.run = try boolean()
        case ("Repo2Docker", "push"): request.push = try boolean()
        // Checked here, decided by OutputOptions (the reporter exists before the request).
        case ("Repo2Docker", "json_logs"): _ = try boolean()
        case ("Repo2Docker", "dry_run"): request.build = !(try boolean())
        case ("Repo2Docker", "cache_from"): request.cacheFrom += list()
        case ("Repo2Docker", "labels"):
            for (key, value) in try map() {
                try ValueCheck.label(key, value, source: name)
                request.labels.append((key, value))
            }
        case ("Repo2Docker", "extra_build_args"):
            for (key, value) in try map() {
                try ValueCheck.buildArgument(key, value, source: name)
                request.buildArgs.append((key, value))
            }
        case ("Repo2Docker", "environment"): request.environment += list()
        case ("Repo2Docker", "run_cmd"): request.runCommand = list()
        case ("Repo2Docker", "all_ports"): request.publishAll = try boolean()
        case ("Repo2Docker", "volumes"):
            request.volumes += try map().map { VolumeMapping(source: $0.0, destination: $0.1) }
        case ("Repo2Docker", "ports"):
            // repo2docker's form: {"<container port>[/proto]": "<host port>" or "<host ip>:<host port>"}.
            request.ports += try map().map { container, host in
                let hostParts = host.split(separator: ":").map(String.init)
                let spec = (hostParts.count == 2 ? hostParts[0] + ":" + hostParts[1] : host) + ":" + container
                do { return try PortMapping.parse(spec) } catch {
                    // Name the setting: the port text alone does not say it came from the configuration.
                    throw CommandLineFailure(description: "\(name): \(error)", exitCode: 2)
                }
            }
        case ("Repo2Docker", "log_level"): _ = try OutputOptions.logLevelIsDebug(setting)
        case ("Repo2Docker", "network"): request.network = value
        case ("Repo2Docker", "default_python_version"): request.defaultPythonVersion = value
        case ("Repo2Docker", "python_index_url"): request.pythonIndexURL = try ValueCheck.url(value, source: name)
        case ("Repo2Docker", "python_download_mirror"): request.pythonDownloadMirror = try ValueCheck.url(value, source: name)
        case ("Repo2Docker", "registry_certs_dir"): request.registryCertificatesDirectory = value
        case ("DockerEngine", "registry_credentials"), ("ContainerEngine", "registry_credentials"):
            guard let map = setting.map else { throw invalid("a mapping with registry, username and password") }
            request.registryCredentials = map
        case ("Repo2Docker", "build_memory_limit"):
            throw CommandLineFailure(description: "\(name) is no longer supported: limit memory on the container engine instead.", exitCode: 255)
        default: return false
        }
        return true
    }

    /// Download locations and content-provider settings; any other setting is accepted with a warning.
    func applyLocationSetting(_ setting: TraitSetting, to request: inout BuildRequest, firstCondaChannel: inout Bool) throws {
        let value = setting.value, name = setting.displayName
        func invalid(_ expected: String) -> CommandLineFailure { setting.invalid(expected) }
        // Download locations (micromamba_url, conda_channel, …; Docs/environments.md).
        // A list from the configuration file (conda_channel) sets each value in order.
        // Content provider locations (zenodo_url, swh_token, …; Docs/content-providers.md).
        if setting.className == "Repo2Docker", ProviderSettings.traitNames.contains(setting.trait) {
            do {
                for item in setting.list ?? [value] { try request.contentProviders.set(trait: setting.trait, value: item) }
            } catch {
                throw invalid("a positive number of seconds")
            }
            return
        }
        if setting.className == "Repo2Docker", DownloadLocations.traitNames.contains(setting.trait) {
            for item in setting.list ?? [value] {
                try ValueCheck.downloadLocation(trait: setting.trait, value: item, source: name)
                _ = request.downloadLocations.set(trait: setting.trait, value: item, firstChannel: &firstCondaChannel)
            }
            return
        }
        warnIgnored(setting)
    }

    func warnIgnored(_ setting: TraitSetting) {
        warn("\(setting.displayName) has no effect in swift-r2d and is ignored.\n")
    }
}

extension TraitSetting {
    /// "<setting>=<value>: expected <what>." (exit 2).
    func invalid(_ expected: String) -> CommandLineFailure {
        CommandLineFailure(description: "\(displayName)=\(value): expected \(expected).", exitCode: 2)
    }

    /// Python's spellings of a boolean.
    func boolean() throws -> Bool {
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw invalid("True or False")
        }
    }

    /// A mapping from the configuration file, by key.
    func sortedMap() throws -> [(String, String)] {
        guard let map else { throw invalid("a mapping of names to values (in the configuration file)") }
        return map.sorted { $0.key < $1.key }
    }
}
