import R2DBuildpacks
import R2DContentProviders
import R2DCore

/// Every setting of `swift-r2d build`, one row each (see `Setting`). `all` lists them in the order their flags
/// are applied, which is repo2docker's order of checks (`__main__.py`); traits are applied before any flag, in
/// the order given (the configuration file's first), so the command line wins.
enum Settings {
    static let all: [Setting] =
        modeRows + userRows + runRows + valueRows + environmentCacheRows + DownloadSettings.all + ProviderFlagSettings.all
        + LimitSettings.all + traitOnly + secretRows

    /// The setting a `--Class.trait=` name or configuration key applies to.
    static let byTrait: [TraitName: Setting] = {
        var map: [TraitName: Setting] = [:]
        for setting in all { for name in setting.traits { map[name] = setting } }
        return map
    }()

    /// Settings repo2docker has that mean nothing here: accepted with a warning (repo2docker's `app.py` traits).
    static let ignoredTraits: Set<TraitName> = Set(
        [
            "buildpacks", "config_file", "content_providers", "editable", "extra_build_kwargs", "extra_run_kwargs",
            "git_workdir", "log_datefmt", "log_format", "repo", "repo_type",
        ].map(TraitName.repo2docker)
    ).union([
        TraitName(className: "DockerEngine", trait: "extra_init_args"),
        TraitName(className: "DockerEngine", trait: "string_output"),
        TraitName(className: "ContainerEngine", trait: "string_output"),
    ])

    /// Every name the configuration file and `--Class.trait=` accept, by class (built once, when first asked).
    static let knownTraits: [String: Set<String>] = {
        var known: [String: Set<String>] = [:]
        for name in Set(byTrait.keys).union(ignoredTraits) { known[name.className, default: []].insert(name.trait) }
        return known
    }()

    /// The row among `rows` that a trait names; a missing one is a mistake in the table itself.
    static func row(_ name: TraitName, in rows: [Setting]) -> Setting {
        guard let setting = rows.first(where: { $0.traits.contains(name) }) else { preconditionFailure("no setting \(name)") }
        return setting
    }

    /// The spellings that take a value in the next argument, for `ArgumentSplitter`.
    static let valueSpellings: Set<String> = Set(all.flatMap(\.valueSpellings))

    // MARK: Rows

    static let config: Setting = Setting(
        flag: "config", traits: [],
        help:
            "JSON configuration file ({\"Repo2Docker\": {…}, \"DockerEngine\": {…}}); the command line wins over it. Default: repo2docker_config.json in the working directory, when present.",
        valueName: "path", group: .mode, read: { $0.config.map { [$0] } })

    static let jsonLogs: Setting = Setting(
        flag: "json-logs", form: .flag, traits: [.repo2docker("json_logs")],
        help: "Write every log line as one JSON object {\"message\", \"phase\"}.", group: .mode,
        read: { $0.jsonLogs ? ["True"] : nil },
        // Decided by OutputOptions (the reporter exists before the request); a trait's value is checked here.
        apply: { value, _, _ in if value.origin == .trait { _ = try value.boolean() } })

    static let debug: Setting = Setting(
        flag: "debug", form: .flag,
        help:
            "Log at debug level: the Dockerfile, the build context's sha256, and each HTTP request of swift-r2d's own (route, proxy, status).",
        group: .mode, read: { $0.debug ? ["True"] : nil })

    static let editable: Setting = Setting(
        flag: "editable", shortName: "E", form: .flag, help: "Mount the local repository over the copy in the image.",
        group: .mode, read: { $0.editable ? ["True"] : nil },
        apply: { _, request, _ in
            guard RepositoryLocation.isLocalDirectory(request.repo) else {
                throw CommandLineFailure(description: "--editable needs a local directory, and \(request.repo) is not one.", exitCode: 1)
            }
            request.editable = true
        })

    static let imageName: Setting = Setting(
        flag: "image-name", aliases: ["image"], traits: [.repo2docker("output_image_spec")],
        help: "Name (and tag) for the built image.", valueName: "name", group: .mode,
        read: { $0.imageName.map { [$0] } },
        apply: { value, request, _ in
            // The flag's value was checked by BuildCommand.validate (a usage error, as argparse reports it).
            if value.origin == .trait, !(value.text.isEmpty || ImageName.isValid(value.text)) {
                throw CommandLineFailure(description: "\(value.text) is not a valid docker image name (\(value.source)).", exitCode: 2)
            }
            request.imageName = value.text.isEmpty ? nil : value.text
        })

    static let build: Setting = Setting(
        flag: "build", form: .invertible, traits: [.repo2docker("dry_run")],
        help: "Build the image (--no-build prints the Dockerfile and exits).", group: .mode,
        read: { $0.build.map { [$0 ? "True" : "False"] } },
        // The trait is repo2docker's `dry_run`, the flag's opposite.
        apply: { value, request, _ in request.build = try value.boolean() != (value.origin == .trait) })

    static let run: Setting = Setting(
        flag: "run", form: .invertible, traits: [.repo2docker("run")],
        help: "Run a container from the image after building it (default: yes).", group: .mode,
        read: { $0.run.map { [$0 ? "True" : "False"] } },
        apply: { value, request, _ in request.run = try value.boolean() })

    static let push: Setting = Setting(
        flag: "push", form: .invertible, traits: [.repo2docker("push")],
        help: "Push the image to its registry after building; skip both when the registry already has the tag.",
        group: .mode, read: { $0.push.map { [$0 ? "True" : "False"] } },
        apply: { value, request, _ in request.push = try value.boolean() })

    static let publishAll: Setting = Setting(
        flag: "publish-all", shortName: "P", form: .flag, traits: [.repo2docker("all_ports")],
        help: "Publish every exposed port to a random host port.", group: .ports,
        read: { $0.publishAll ? ["True"] : nil },
        apply: { value, request, _ in
            if value.origin == .flag && !request.run {
                throw CommandLineFailure(
                    description: "To publish user-defined port mappings, the container must also be run (-P needs --run).", exitCode: 1)
            }
            request.publishAll = try value.boolean()
        })

    static let publish: Setting = Setting(
        flag: "publish", shortName: "p", form: .repeatable, traits: [.repo2docker("ports")],
        help: "Publish a port: [hostip:]hostport:containerport[/tcp|udp] or port.", valueName: "spec", group: .ports,
        read: { $0.publish.isEmpty ? nil : $0.publish }, apply: RunSettings.publish)

    static let modeRows: [Setting] = [config, jsonLogs, debug, editable, imageName, build, run, push, publishAll, publish]
}
