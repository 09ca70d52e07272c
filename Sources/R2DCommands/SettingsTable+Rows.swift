import R2DBasics
import Foundation
import R2DBuildpacks
import R2DContentProviders
import R2DCore

extension Settings {
    // MARK: The image user

    static let userID: Setting = Setting(
        flag: "user-id", traits: [.repo2docker("user_id")], help: "User id of the image user (default: yours).",
        group: .user, read: { $0.userId.map { [String($0)] } },
        apply: { value, request, _ in
            guard let uid = Int(value.text) else { throw value.invalid("an integer") }
            try ValueCheck.userID(uid, source: value.source)
            // 0 keeps repo2docker's meaning: the caller's own uid.
            if uid != 0 { request.userID = uid }
        })

    static let userName: Setting = Setting(
        flag: "user-name", traits: [.repo2docker("user_name")], help: "Name of the image user (default: yours).",
        group: .user, read: { $0.userName.map { [$0] } },
        apply: { value, request, _ in request.userName = try ValueCheck.check(value.text, .userName, source: value.source) })

    static let userRows: [Setting] = [userID, userName]

    // MARK: The run

    static let buildMemoryLimit: Setting = Setting(
        flag: "build-memory-limit", traits: [.repo2docker("build_memory_limit")], hidden: true, group: .run,
        read: { $0.buildMemoryLimit.map { [$0] } },
        apply: { value, _, _ in
            throw CommandLineFailure(
                description: "\(value.source) is no longer supported: limit memory on the container engine instead.", exitCode: 255)
        })

    static let environment: Setting = Setting(
        flag: "env", shortName: "e", form: .repeatable, traits: [.repo2docker("environment")],
        help: "Environment variable for the container: KEY=VAL, KEY= or KEY.", valueName: "var", group: .run,
        read: { $0.env.isEmpty ? nil : $0.env },
        apply: { value, request, _ in
            if value.origin == .flag && !request.run {
                throw CommandLineFailure(
                    description: "To specify environment variables, the container must also be run (-e needs --run).", exitCode: 1)
            }
            request.environment += value.values
        })

    static let volume: Setting = Setting(
        flag: "volume", shortName: "v", form: .repeatable, traits: [.repo2docker("volumes")],
        help: "Bind-mount src:dest into the container.", valueName: "src:dest", group: .run,
        read: { $0.volume.isEmpty ? nil : $0.volume }, apply: RunSettings.volumes)

    static let runRows: [Setting] = [buildMemoryLimit, environment, volume]

    // MARK: Plain values, each checked by its value rule

    static let subdir: Setting = checked(
        "subdir", .singleLineText, help: "Build this subdirectory of the repository.",
        read: { $0.subdir }, set: { $0.subdir = $1 })

    static let cacheFrom: Setting = Setting(
        flag: "cache-from", form: .repeatable, traits: [.repo2docker("cache_from")],
        help: "Image to use as a layer cache source.", read: { $0.cacheFrom.isEmpty ? nil : $0.cacheFrom },
        apply: { value, request, _ in request.cacheFrom += value.values })

    static let engine: Setting = Setting(
        flag: "engine", traits: [.repo2docker("engine")], help: "Container engine: docker or podman.",
        read: { $0.engine.map { [$0] } }, apply: { value, request, _ in request.engine = value.text })

    static let clean: Setting = Setting(
        flag: "clean", form: .invertible, traits: [.repo2docker("cleanup_checkout")],
        help: "Delete the temporary checkout of a remote repository (default: yes).",
        read: { $0.clean.map { [$0 ? "True" : "False"] } }, apply: { value, request, _ in request.clean = try value.boolean() })

    static let targetRepoDir: Setting = checked(
        "target-repo-dir", .containerPath, help: "Where the repository is placed in the image (default: the user's home).",
        read: { $0.targetRepoDir }, set: { $0.targetRepoDir = $1 })

    static let ref: Setting = Setting(
        flag: "ref", traits: [.repo2docker("ref")], help: "Branch, tag or commit to build (git), or revision or topic (Mercurial).",
        read: { $0.ref.map { [$0] } },
        apply: { value, request, _ in
            // traitlets' None unsets the trait; a flag's "None" is a ref of that name.
            if value.origin == .trait && value.text == "None" { request.ref = nil; return }
            request.ref = try ValueCheck.check(value.text, .gitRef, source: value.source)
        })

    static let appendix: Setting = Setting(
        flag: "appendix", traits: [.repo2docker("appendix")], help: "Dockerfile text appended to generated Dockerfiles.",
        read: { $0.appendix.map { [$0] } }, apply: { value, request, _ in request.appendix = value.text })

    static let platform: Setting = checked(
        "platform", .platform, help: "Target platform, e.g. linux/amd64.",
        read: { $0.platform }, set: { $0.platform = $1 })

    static let network: Setting = Setting(
        flag: "network", traits: [.repo2docker("network")], help: "Network for the build and run containers, e.g. host.",
        read: { $0.network.map { [$0] } }, apply: { value, request, _ in request.network = value.text })

    static let baseImage: Setting = checked(
        "base-image", .imageReference, trait: "base_image",
        help: "Base image of generated Dockerfiles (alias of --Repo2Docker.base_image=).",
        read: { $0.baseImage }, set: { $0.baseImage = $1 })

    static let defaultPythonVersion: Setting = Setting(
        flag: "default-python-version", traits: [.repo2docker("default_python_version")],
        help: "Python for repositories that do not name one (default 3.10).", valueName: "X.Y",
        read: { $0.defaultPythonVersion.map { [$0] } },
        apply: { value, request, _ in request.defaultPythonVersion = value.text })

    static let pythonIndexURL: Setting = url(
        "python-index-url", help: "Package index (PEP 503) for uv, pip and the uv download (default PyPI).",
        read: { $0.pythonIndexUrl }, set: { $0.pythonIndexURL = $1 })

    static let pythonDownloadMirror: Setting = url(
        "python-download-mirror", help: "Mirror for the Python builds uv downloads when the base image lacks the version.",
        read: { $0.pythonDownloadMirror }, set: { $0.pythonDownloadMirror = $1 })

    static let buildBackend: Setting = Setting(
        flag: "build-backend", traits: [.init(className: "DockerEngine", trait: "build_backend")],
        help: "auto (the default: BuildKit where the engine can run it, else classic), buildkit or classic.",
        valueName: "auto|buildkit|classic", read: { $0.buildBackend.map { [$0] } },
        apply: { value, request, _ in
            guard let choice = BuildBackendChoice(rawValue: value.text) else { throw value.invalid("auto, buildkit or classic") }
            request.buildBackend = choice
        })

    static let builtinFrontend: Setting = Setting(
        flag: "builtin-frontend", form: .flag, traits: [.init(className: "DockerEngine", trait: "builtin_frontend")],
        help:
            "Build a Dockerfile with the engine's own Dockerfile frontend: its # syntax= line, which makes BuildKit fetch a frontend image from a registry, is left out of the build.",
        read: { $0.builtinFrontend ? ["True"] : nil },
        apply: { value, request, _ in request.builtinFrontend = try value.boolean() })

    static let valueRows: [Setting] = [
        subdir, cacheFrom, engine, buildBackend, builtinFrontend, clean, targetRepoDir, ref, appendix, platform, network, baseImage,
        defaultPythonVersion, pythonIndexURL, pythonDownloadMirror,
    ]

    // MARK: Row builders

    /// A single-valued flag and its trait (named like the flag, with `_`), checked by `rule`.
    static func checked(
        _ flag: String, _ rule: ValueRule, trait: String? = nil, help: String,
        read: @escaping @Sendable (BuildCommand) -> String?,
        set: @escaping @Sendable (inout BuildRequest, String) -> Void
    ) -> Setting {
        Setting(
            flag: flag, traits: [.repo2docker(trait ?? flag.replacingOccurrences(of: "-", with: "_"))], help: help,
            read: { read($0).map { [$0] } },
            apply: { value, request, _ in set(&request, try ValueCheck.check(value.text, rule, source: value.source)) })
    }

    /// A URL flag and its trait: credentials are refused (they would be written into the image).
    static func url(
        _ flag: String, help: String, read: @escaping @Sendable (BuildCommand) -> String?,
        set: @escaping @Sendable (inout BuildRequest, String) -> Void
    ) -> Setting {
        Setting(
            flag: flag, traits: [.repo2docker(flag.replacingOccurrences(of: "-", with: "_"))], help: help, valueName: "url",
            read: { read($0).map { [$0] } },
            apply: { value, request, _ in set(&request, try ValueCheck.url(value.text, source: value.source)) })
    }
}
