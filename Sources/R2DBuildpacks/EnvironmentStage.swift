/// Where a generated Dockerfile splits in two: the environment (every step before the repository copy: the base
/// image, locale, user, apt, the buildpack's installs and the environment files' steps) and what comes after it
/// (the repository copy, postBuild, the start script, the entrypoint, the appendix). The environment is what one
/// commit can hand to the next when only content changed; a user Dockerfile has no split.
public struct EnvironmentSplit: Sendable, Equatable {
    /// The environment's own Dockerfile: the full Dockerfile's first lines, byte for byte.
    public var environmentDockerfile: String
    /// The build context paths the environment's `COPY` steps read, sorted: `build_script_files/<name>` and
    /// `src/<environment file>`. Their bytes are part of the environment's identity.
    public var copiedPaths: [String]
    /// Steps the environment image built for reuse ends with: a record of the owner, mode and mtime of the
    /// directories the steps after it copy into and their parents (`ImageDirectories.probePath`). An image
    /// composed in the registry stores those directories with that metadata, as the engine's `COPY` would.
    public var directoryProbe: String

    /// The Dockerfile of the environment image built for reuse: the environment, then the probe.
    public var imageDockerfile: String { environmentDockerfile + directoryProbe }

    init(lines: [String], fragments: Fragments, user: StepUser) {
        environmentDockerfile = lines.joined(separator: "\n") + "\n"
        copiedPaths =
            (fragments.buildScriptFiles.map { "build_script_files/\($0.name)" } + fragments.preassembleFiles.map { "src/\($0)" })
            .sorted()
        // `|| true`: a base image without `stat` still builds; composing then finds no record and the engine builds.
        let record =
            "RUN mkdir -p \(ImageDirectories.probeDirectory) && { stat -c '%u %g %a %Y %n' /; "
            + "for d in \"${REPO_DIR}\" /usr/local/bin; do d=\"${d%/}\"; "
            + "while [ -n \"$d\" ]; do stat -c '%u %g %a %Y %n' \"$d\"; d=\"${d%/*}\"; done; done; } "
            + "| sort -u > \(ImageDirectories.probePath) || true"
        directoryProbe = user == .root ? record + "\n" : "USER root\n" + record + "\nUSER \(user.dockerfileValue)\n"
    }
}

/// Where the environment image records its directories' metadata (`EnvironmentSplit.directoryProbe`).
public enum ImageDirectories {
    public static let probeDirectory = "/usr/local/share/swift-r2d"
    public static let probePath = probeDirectory + "/environment-directories"
}

extension RenderedBuild {
    /// The steps after the environment, built on an image of it (`FROM image`). The build arguments the steps
    /// read are declared again (a stage's `ARG`s end with it; `ENV`s, `WORKDIR` and `USER` come with the image).
    /// Nil for a user Dockerfile, or when the Dockerfile no longer starts with its environment.
    public func dockerfileAfterEnvironment(from image: String) -> String? {
        guard let split = environmentSplit, dockerfile.hasPrefix(split.environmentDockerfile) else { return nil }
        let after = dockerfile.utf8.dropFirst(split.environmentDockerfile.utf8.count)
        return "FROM \(image)\n\nARG NB_USER\nARG NB_UID\n" + String(decoding: after, as: UTF8.self)
    }
}

extension DownloadLocations {
    /// Every download location as `name=value`, in a fixed order: part of an environment's identity.
    public var identityEntries: [String] { checks.map { "\($0.0)=\($0.2)" } }
}
