import Foundation

/// repo2docker's ordered buildpack chain: the first buildpack whose detection matches wins.
public enum BuildpackChain {
    /// The buildpacks in detection order, first match wins (repo2docker's `app.py`, `buildpacks`). The legacy
    /// check comes before all of them. A new buildpack is one file and one line here. swift-r2d's own pathways
    /// (pixi, uv.lock, pylock) match only repositories carrying their files, each ahead of the unlocked file of
    /// its own kind and behind the languages and conda, as repo2docker orders those (the precedence table of
    /// Docs/environments.md, which `PrecedenceTests` checks case by case).
    static let buildpacks: [any Buildpack] = [
        DockerBuildpack(), JuliaProjectBuildpack(), JuliaRequireBuildpack(), NixBuildpack(), RBuildpack(),
        PixiBuildpack(), CondaBuildpack(), UVLockBuildpack(), PylockBuildpack(), PipfileBuildpack(), PythonBuildpack(),
    ]
    /// Used when nothing matches (`--Repo2Docker.default_buildpack`).
    static let defaultBuildpack: any Buildpack = PythonBuildpack()
    /// Each kind's buildpack, looked up once.
    static let buildpacksByKind = Dictionary(uniqueKeysWithValues: buildpacks.map { ($0.kind, $0) })

    /// The detection order as kinds.
    public static var order: [BuildpackKind] { buildpacks.map(\.kind) }

    /// Detects the buildpack for `snapshot`. With `allowDefault` false, a repository that matches nothing fails
    /// (`--Repo2Docker.default_buildpack=None`).
    public static func detect(
        _ snapshot: RepoSnapshot, allowDefault: Bool = true,
        defaultPython: String = PythonVersionRules.defaultVersion
    ) throws -> BuildPlan {
        try checkLegacyDockerfile(snapshot)
        let runtime = try snapshot.readText(snapshot.binderPath("runtime.txt")).map {
            try RuntimeSpec.parse($0, file: snapshot.binderPath("runtime.txt"))
        }
        let detection = DetectionContext(snapshot: snapshot, runtime: runtime, defaultPython: defaultPython)
        let matched = try buildpacks.first { try $0.matches(detection) }
        if matched == nil && !allowDefault { throw BuildpackError.noEnvironmentSpecification }
        let buildpack = matched ?? defaultBuildpack
        var plan = BuildPlan(
            kind: buildpack.kind, isDefault: matched == nil, binderDirectory: snapshot.binderDirectory,
            pythonVersion: nil, rVersion: nil, juliaVersion: nil, aptPackages: [], postBuild: [], start: nil,
            dockerfile: nil, ignoreFiles: [], runtime: runtime)
        try buildpack.fill(&plan, from: detection)
        return plan
    }

    /// repo2docker refuses Dockerfiles based on the removed legacy binder image (root Dockerfile, first FROM line).
    static func checkLegacyDockerfile(_ s: RepoSnapshot) throws {
        guard let text = try s.readText("Dockerfile") else { return }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("FROM") {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if code.lowercased().contains("andrewosh/binder-base") { throw BuildpackError.legacyDockerfile(file: "Dockerfile") }
            return
        }
    }
}
