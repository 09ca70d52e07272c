import R2DBasics
import Foundation
import R2DBuildpacks
import R2DCore
import R2DHTTP

/// Failures decided while turning the command line into a request; each carries its exit status.
struct CommandLineFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
}

/// Turns parsed flags and `--Class.trait=value` settings into a `BuildRequest` through the settings table:
/// every value, flag or trait, reaches the request through its row's `apply`.
struct RequestBuilder {
    var environment: [String: String]
    var warn: (String) -> Void

    /// `traits` are applied in order (the configuration file's first, then the command line's), and the flags
    /// last, group by group with repo2docker's checks between them: the command line wins over the file.
    func makeRequest(_ flags: BuildCommand, traits: [TraitSetting], command: [String]) throws -> BuildRequest {
        // The flag wins in the end anyway; without it the login name is the default (a passwd lookup at worst).
        var request = BuildRequest(repo: flags.repo, userID: Int(geteuid()), userName: flags.userName ?? Self.loginName(environment))
        request.processEnvironment = environment
        if let directory = environment["SWIFT_R2D_REGISTRY_CERTS_D"], !directory.isEmpty {
            request.registryCertificatesDirectory = directory
        }
        do {
            request.contentProviders.proxies = try ProxySettings(environment: environment)
        } catch {
            throw CommandLineFailure(description: error.description, exitCode: 2)
        }
        var context = SettingContext(command: command, warn: warn, environment: environment)
        try apply(traits, to: &request, context: &context)
        if context.pendingBuildxSecret {
            throw CommandLineFailure(description: "--DockerEngine.extra_buildx_build_args: the last --secret has no value.", exitCode: 2)
        }
        if !command.isEmpty { request.runCommand = command }
        // The flags' first conda channel replaces the list again, whatever the traits set.
        context.firstCondaChannel = true
        for group in Setting.Group.allCases {
            for setting in Settings.all where setting.group == group {
                guard let flag = setting.flag, let apply = setting.apply, let values = setting.read?(flags) else { continue }
                try apply(.flag(values, source: "--" + flag), &request, &context)
            }
            try Self.check(after: group, &request)
        }
        return request
    }

    /// Applies trait settings in order through their rows; a name without a row is accepted with a warning.
    func apply(_ traits: [TraitSetting], to request: inout BuildRequest, context: inout SettingContext) throws {
        for setting in traits {
            guard let apply = Settings.byTrait[setting.name]?.apply else {
                context.warnIgnored(setting.displayName)
                continue
            }
            try apply(.trait(setting), &request, &context)
        }
    }

    /// The checks between settings, in repo2docker's order: after the modes, and after the image user.
    static func check(after group: Setting.Group, _ request: inout BuildRequest) throws {
        switch group {
        case .mode:
            if !request.build {
                // A dry run forces run and push off, as repo2docker's dry_run does.
                request.run = false
                request.push = false
            }
            if request.editable && !request.run {
                throw CommandLineFailure(description: "Cannot mount volumes if container is not run (--editable needs --run).", exitCode: 1)
            }
        case .user:
            if !ValueRule.userName.accepts(request.userName) {
                // Only the login name can be left unchecked here: the flag and the setting were checked already.
                throw CommandLineFailure(
                    description:
                        "Your login name \(request.userName.shortQuoted) cannot name the image's user (\(ValueRule.userName.grammar)); pass --user-name.",
                    exitCode: 2)
            }
            if request.build && request.userID == 0 {
                throw CommandLineFailure(
                    description: "Root as the image user is not permitted; pass --user-id with a non-zero uid (and --user-name).",
                    exitCode: 1)
            }
        case .ports, .run, .value:
            break
        }
    }

    /// The caller's login name, as Python's getpass.getuser() finds it.
    static func loginName(_ environment: [String: String]) -> String {
        for key in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "jovyan"
    }
}

extension TraitSetting {
    /// "<setting>=<value>: expected <what>." (exit 2).
    func invalid(_ expected: String) -> CommandLineFailure {
        CommandLineFailure(description: "\(displayName)=\(value): expected \(expected).", exitCode: 2)
    }
}
