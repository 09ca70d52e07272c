import R2DBuildpacks
import R2DContentProviders
import R2DCore

extension Settings {
    static let allowLocalSubmodules: Setting = Setting(
        flag: "allow-local-submodules", form: .flag,
        help:
            "Let submodules of a remote repository be cloned from local paths or file:// URLs (refused by default: they would build the host's files into the image).",
        read: { $0.allowLocalSubmodules ? ["True"] : nil }, apply: { _, request, _ in request.allowLocalSubmodules = true })

    static let labels: Setting = Setting(
        flag: "label", form: .repeatable, traits: [.repo2docker("labels")], help: "Extra image label.", valueName: "name=value",
        read: { $0.label.isEmpty ? nil : $0.label },
        apply: { value, request, _ in
            for (key, text) in try RunSettings.pairs(value) {
                try ValueCheck.label(key, text, source: value.source)
                request.labels.append((key, text))
            }
        })

    static let buildArguments: Setting = Setting(
        flag: "build-arg", form: .repeatable, traits: [.repo2docker("extra_build_args")], help: "Extra build argument.",
        valueName: "name=value", read: { $0.buildArg.isEmpty ? nil : $0.buildArg },
        apply: { value, request, _ in
            for (name, text) in try RunSettings.pairs(value) {
                try ValueCheck.buildArgument(name, text, source: value.source)
                request.buildArgs.append((name, text))
            }
        })

    /// Settings repo2docker has as traits only, and swift-r2d's registry settings.
    static let traitOnly: [Setting] = [
        allowLocalSubmodules, labels, buildArguments,
        Setting(
            flag: nil, traits: [.repo2docker("default_buildpack")],
            apply: { value, request, context in
                if value.text == "None" { request.allowDefaultBuildpack = false } else { context.warnIgnored(value.source) }
            }),
        Setting(flag: nil, traits: [.repo2docker("run_cmd")], apply: { value, request, _ in request.runCommand = value.values }),
        Setting(
            flag: nil, traits: [.repo2docker("registry_certs_dir")],
            apply: { value, request, _ in request.registryCertificatesDirectory = value.text }),
        Setting(
            flag: nil,
            traits: [
                .init(className: "DockerEngine", trait: "registry_credentials"),
                .init(className: "ContainerEngine", trait: "registry_credentials"),
            ],
            apply: { value, request, _ in
                guard let map = value.map else { throw value.invalid("a mapping with registry, username and password") }
                request.registryCredentials = map
            }),
        // Decided by OutputOptions; checked here so that a bad level is an error.
        Setting(flag: nil, traits: [.repo2docker("log_level")], apply: { value, _, _ in _ = try OutputOptions.logLevelIsDebug(value) }),
    ]
}

/// The run settings whose flag and trait spell values differently (`-p 8888:80` beside `{"80": "8888"}`).
enum RunSettings {
    static func publish(_ value: SettingValue, _ request: inout BuildRequest, _ context: inout SettingContext) throws {
        guard value.origin == .flag else {
            // repo2docker's form: {"<container port>[/proto]": "<host port>" or "<host ip>:<host port>"}.
            request.ports += try value.sortedMap().map { container, host in
                let hostParts = host.split(separator: ":").map(String.init)
                let spec = (hostParts.count == 2 ? hostParts[0] + ":" + hostParts[1] : host) + ":" + container
                do { return try PortMapping.parse(spec) } catch {
                    // Name the setting: the port text alone does not say it came from the configuration.
                    throw CommandLineFailure(description: "\(value.source): \(error)", exitCode: 2)
                }
            }
            return
        }
        guard request.run else {
            throw CommandLineFailure(
                description: "To publish user-defined port mappings, the container must also be run (-p needs --run).", exitCode: 1)
        }
        if value.values.count > 1 && context.command.isEmpty {
            throw CommandLineFailure(
                description: "To publish more than one port, also give the command to run after the repository.", exitCode: 1)
        }
        request.ports = try value.values.map(PortMapping.parse)
    }

    static func volumes(_ value: SettingValue, _ request: inout BuildRequest, _ context: inout SettingContext) throws {
        guard value.origin == .flag else {
            request.volumes += try value.sortedMap().map { VolumeMapping(source: $0.0, destination: $0.1) }
            return
        }
        guard request.run else {
            throw CommandLineFailure(description: "Cannot mount volumes if container is not run (-v needs --run).", exitCode: 1)
        }
        request.volumes = try value.values.map(VolumeMapping.parse)
    }

    /// `name=value` flags, or a trait's mapping sorted by name.
    static func pairs(_ value: SettingValue) throws -> [(String, String)] {
        value.origin == .flag ? value.keyValues : try value.sortedMap()
    }
}
