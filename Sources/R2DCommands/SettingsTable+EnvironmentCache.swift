import R2DBasics
import R2DCore

extension Settings {
    /// `--env-cache <registry>/<repository>`: environments are looked up and stored there, with or without --push.
    static let environmentCache: Setting = Setting(
        flag: "env-cache", traits: [.init(className: "DockerEngine", trait: "env_cache")],
        help:
            "Registry repository (<registry>/<repository>, no tag) to reuse environments from and store them in, with the push's credentials; without it, --push uses the image's own repository.",
        valueName: "repository", read: { $0.envCache.map { [$0] } },
        apply: { value, request, _ in
            let reference = ImageReference(parsing: value.text)
            guard ImageReference.isValid(value.text), reference.name == value.text else {
                throw CommandLineFailure(
                    description:
                        "\(value.source) must name a registry repository without a tag or digest (e.g. registry.example.org/team/envs), not '\(value.text.singleLine)'.",
                    exitCode: 2)
            }
            // --no-env-cache wins wherever it is given.
            if request.environmentCache != .off { request.environmentCache = .repository(value.text) }
        })

    /// `--no-env-cache`: every build builds its environment, and none is stored.
    static let noEnvironmentCache: Setting = Setting(
        flag: "no-env-cache", form: .flag, traits: [.init(className: "DockerEngine", trait: "no_env_cache")],
        help: "Neither reuse an environment from a registry nor store one there: build everything, as repo2docker does.",
        read: { $0.noEnvCache ? ["True"] : nil },
        apply: { value, request, _ in if try value.boolean() { request.environmentCache = .off } })

    /// `--no-registry-compose`: a reused environment is pulled and the commit's steps built on the engine.
    static let noRegistryCompose: Setting = Setting(
        flag: "no-registry-compose", form: .flag, traits: [.init(className: "DockerEngine", trait: "no_registry_compose")],
        help:
            "With --push and --no-run, build on the engine even when the environment is in the registry; by default the image is then composed in the registry (its new layers written here, the environment never pulled), which leaves no copy of it on the engine.",
        read: { $0.noRegistryCompose ? ["True"] : nil },
        apply: { value, request, _ in if try value.boolean() { request.composeInRegistry = false } })

    static let environmentCacheRows: [Setting] = [noEnvironmentCache, environmentCache, noRegistryCompose]
}
