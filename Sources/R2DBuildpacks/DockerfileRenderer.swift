/// Settings that shape the generated Dockerfile. User Dockerfiles ignore them.
public struct RenderOptions: Sendable, Equatable {
    public var baseImage: String
    public var appendix: String
    public var platform: String

    public init(baseImage: String = "docker.io/library/buildpack-deps:24.04", appendix: String = "", platform: String = "linux/amd64") {
        self.baseImage = baseImage
        self.appendix = appendix
        self.platform = platform
    }
}

/// Turns a plan into Dockerfile text.
public enum DockerfileRenderer {
    /// A user Dockerfile is returned verbatim (no appendix, as repo2docker does).
    public static func render(_ plan: BuildPlan, snapshot: RepoSnapshot, options: RenderOptions) throws -> String {
        switch plan.kind {
        case .docker:
            guard let path = plan.dockerfile, let text = try snapshot.readText(path) else {
                throw BuildpackError.unreadable(file: plan.dockerfile ?? "Dockerfile", reason: "the file disappeared")
            }
            return text
        default:
            throw BuildpackError.notYetSupported(buildpack: plan.kind.rawValue)
        }
    }
}
