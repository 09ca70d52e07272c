import R2DCore

extension Settings {
    static let secretsTrait = TraitName(className: "DockerEngine", trait: "secrets")
    /// repo2docker's arguments for `docker buildx build`; swift-r2d reads the `--secret` ones from it.
    static let buildxArgumentsTrait = TraitName(className: "DockerEngine", trait: "extra_buildx_build_args")

    static let secret: Setting = Setting(
        flag: "secret", form: .repeatable, traits: [secretsTrait, buildxArgumentsTrait],
        help:
            "Build secret, BuildKit only, in docker buildx's form: id=ID,env=VAR or id=ID,src=FILE; repeatable. Kept out of the image and the output; the generated environment's installs read UV_INDEX_URL, PIP_INDEX_URL and the like (Docs/secrets.md).",
        valueName: "spec", read: { $0.secret.isEmpty ? nil : $0.secret }, apply: SecretSettings.apply)

    static let secretRows: [Setting] = [secret]
}

/// How `--secret`, `DockerEngine.secrets` and the `--secret` arguments of `DockerEngine.extra_buildx_build_args`
/// reach the request. The configuration file found in the working directory gives none of them
/// (`ConfigurationFile.implicitSettings`).
enum SecretSettings {
    static func apply(_ value: SettingValue, _ request: inout BuildRequest, _ context: inout SettingContext) throws {
        let specs: [String]
        if value.setting?.name == Settings.buildxArgumentsTrait {
            specs = try buildxSecrets(value, context: &context)
        } else {
            specs = value.values
        }
        for spec in specs {
            let secret = try SecretSpec.parse(spec, source: value.source, environment: context.environment)
            try add(secret, fromFlag: value.origin == .flag, to: &request)
        }
    }

    /// Each id once: the command line replaces what the configuration gave for an id, as it wins over the file
    /// elsewhere; the same id twice from one kind of source is a mistake.
    static func add(_ secret: SecretRequest, fromFlag: Bool, to request: inout BuildRequest) throws {
        guard let index = request.secrets.firstIndex(where: { $0.id == secret.id }) else {
            request.secrets.append(secret)
            return
        }
        let earlier = request.secrets[index]
        guard fromFlag, earlier.origin != "--secret" else {
            throw CommandLineFailure(
                description:
                    "\(secret.origin) id=\(secret.id): the id is given twice (also by \(earlier.origin)); give each secret id once.",
                exitCode: 2)
        }
        request.secrets[index] = secret
    }

    /// The values of `--secret SPEC` and `--secret=SPEC` in buildx's argument list; the other arguments mean
    /// nothing here and are named in a warning. On the command line each `--DockerEngine.extra_buildx_build_args=`
    /// is one argument, so a `--secret` may take its value from the next one (`context.pendingBuildxSecret`).
    static func buildxSecrets(_ value: SettingValue, context: inout SettingContext) throws -> [String] {
        var specs: [String] = []
        var ignored: [String] = []
        var arguments = value.values[...]
        if context.pendingBuildxSecret, let first = arguments.first {
            specs.append(first)
            arguments = arguments.dropFirst()
            context.pendingBuildxSecret = false
        }
        while let argument = arguments.popFirst() {
            if argument.hasPrefix("--secret=") {
                specs.append(String(argument.dropFirst("--secret=".count)))
            } else if argument == "--secret" {
                guard let spec = arguments.popFirst() else {
                    guard value.origin == .trait, value.setting?.origin == nil else {
                        throw CommandLineFailure(description: "\(value.source): --secret at its end has no value.", exitCode: 2)
                    }
                    context.pendingBuildxSecret = true
                    break
                }
                specs.append(spec)
            } else {
                ignored.append(argument)
            }
        }
        if !ignored.isEmpty {
            context.warn(
                "\(value.source): only --secret is read; \(ignored.joined(separator: " ")) has no effect in swift-r2d and is ignored.\n")
        }
        return specs
    }
}
