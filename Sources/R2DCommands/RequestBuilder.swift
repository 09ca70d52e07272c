import Foundation
import R2DBuildpacks
import R2DCore

/// Failures decided while turning the command line into a request; each carries its exit status.
struct CommandLineFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
}

/// Turns parsed flags and `--Class.trait=value` settings into a `BuildRequest`, with repo2docker's checks
/// (reference §1.2 "Validation order").
struct RequestBuilder {
    var environment: [String: String]
    var warn: (String) -> Void

    func makeRequest(_ flags: BuildCommand, traits: [TraitSetting], command: [String]) throws -> BuildRequest {
        var request = BuildRequest(repo: flags.repo, userID: Int(geteuid()), userName: Self.loginName(environment))
        request.processEnvironment = environment
        request.runCommand = command
        try apply(traits, to: &request)

        if flags.editable {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: flags.repo, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandLineFailure(description: "--editable needs a local directory, and \(flags.repo) is not one.", exitCode: 1)
            }
            request.editable = true
        }
        if let name = flags.imageName { request.imageName = name }
        if !flags.build {
            request.build = false
            request.run = false
            request.push = false
        } else {
            request.run = flags.run
            request.push = flags.push
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
        if let uid = flags.userId, uid != 0 { request.userID = uid }
        if let name = flags.userName { request.userName = name }
        if request.build && request.userID == 0 {
            throw CommandLineFailure(description: "Root as the image user is not permitted; pass --user-id with a non-zero uid (and --user-name).", exitCode: 1)
        }
        if flags.buildMemoryLimit != nil {
            throw CommandLineFailure(description: "--build-memory-limit is no longer supported: limit memory on the container engine instead.", exitCode: 255)
        }
        if !flags.env.isEmpty {
            guard request.run else { throw CommandLineFailure(description: "To specify environment variables, the container must also be run (-e needs --run).", exitCode: 1) }
            request.environment += flags.env
        }
        if !flags.volume.isEmpty {
            guard request.run else { throw CommandLineFailure(description: "Cannot mount volumes if container is not run (-v needs --run).", exitCode: 1) }
            request.volumes = try flags.volume.map(VolumeMapping.parse)
        }
        if let subdir = flags.subdir { request.subdir = subdir }
        request.cacheFrom += flags.cacheFrom
        if let engine = flags.engine { request.engine = engine }
        if let clean = flags.clean { request.clean = clean }
        if let target = flags.targetRepoDir { request.targetRepoDir = target }
        if let ref = flags.ref { request.ref = ref }
        if let appendix = flags.appendix { request.appendix = appendix }
        if let platform = flags.platform { request.platform = platform }
        if let network = flags.network { request.network = network }
        if let base = flags.baseImage { request.baseImage = base }
        if let version = flags.defaultPythonVersion { request.defaultPythonVersion = version }
        if let url = flags.pythonIndexUrl { request.pythonIndexURL = url }
        if let url = flags.pythonDownloadMirror { request.pythonDownloadMirror = url }
        flags.downloads.apply(to: &request.downloadLocations)
        request.debug = flags.debug
        request.labels += flags.label.map(Self.keyValue)
        request.buildArgs += flags.buildArg.map(Self.keyValue)
        if let config = flags.config, FileManager.default.fileExists(atPath: config) {
            warn("Configuration files are not read by this version of swift-r2d yet: \(config) is ignored.\n")
        }
        return request
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
            let value = setting.value
            func boolean() throws -> Bool {
                switch value.lowercased() {
                case "true", "1": return true
                case "false", "0": return false
                default: throw CommandLineFailure(description: "--\(setting.className).\(setting.trait)=\(value): expected True or False.", exitCode: 2)
                }
            }
            switch (setting.className, setting.trait) {
            case ("Repo2Docker", "base_image"): request.baseImage = value
            case ("Repo2Docker", "platform"): request.platform = value
            case ("Repo2Docker", "default_buildpack"):
                if value == "None" { request.allowDefaultBuildpack = false } else { warnIgnored(setting) }
            case ("Repo2Docker", "user_id"):
                guard let uid = Int(value) else { throw CommandLineFailure(description: "--Repo2Docker.user_id=\(value): expected an integer.", exitCode: 2) }
                if uid != 0 { request.userID = uid }
            case ("Repo2Docker", "user_name"): request.userName = value
            case ("Repo2Docker", "ref"): request.ref = value
            case ("Repo2Docker", "subdir"): request.subdir = value
            case ("Repo2Docker", "target_repo_dir"): request.targetRepoDir = value
            case ("Repo2Docker", "appendix"): request.appendix = value
            case ("Repo2Docker", "output_image_spec"):
                guard ImageName.isValid(value) else { throw CommandLineFailure(description: "\(value) is not a valid docker image name (--Repo2Docker.output_image_spec).", exitCode: 2) }
                request.imageName = value
            case ("Repo2Docker", "engine"): request.engine = value
            case ("Repo2Docker", "cleanup_checkout"): request.clean = try boolean()
            case ("Repo2Docker", "run"): request.run = try boolean()
            case ("Repo2Docker", "push"): request.push = try boolean()
            case ("Repo2Docker", "dry_run"): if try boolean() { request.build = false; request.run = false; request.push = false }
            case ("Repo2Docker", "cache_from"): request.cacheFrom.append(value)
            case ("Repo2Docker", "build_memory_limit"):
                throw CommandLineFailure(description: "--Repo2Docker.build_memory_limit is no longer supported: limit memory on the container engine instead.", exitCode: 255)
            default:
                // Download locations (micromamba_url, conda_channel, …; Docs/environments.md).
                if setting.className == "Repo2Docker",
                   request.downloadLocations.set(trait: setting.trait, value: value, firstChannel: &firstCondaChannel) { break }
                warnIgnored(setting)
            }
        }
    }

    func warnIgnored(_ setting: TraitSetting) {
        warn("--\(setting.className).\(setting.trait) has no effect in swift-r2d and is ignored.\n")
    }
}
