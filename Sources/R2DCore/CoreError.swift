import R2DBasics
import R2DBuildpacks

/// Errors of the orchestration layer. Each description is one line for the user.
public enum CoreError: Error, CustomStringConvertible, Equatable {
    /// A flag or option value that cannot be used (exit 1, as repo2docker's checks after parsing).
    case subdirectoryMissing(subdir: String, repo: String)
    case subdirectoryOutside(subdir: String, repo: String)
    case repositoryMissing(String)
    case rootUser
    case unknownEngine(String)
    case notYetSupported(String)
    case fileSystem(String)
    case cannotTagDigest(String)
    /// No provider in the list takes the repository (the standard list ends with git, which takes anything).
    case noRepositoryProvider(String)
    /// `--build-backend buildkit` on an engine that cannot run BuildKit for this request; the reason says why.
    case buildKitUnavailable(String)
    /// A user Dockerfile that needs BuildKit, on a classic build; `reason` is why BuildKit is not used.
    case dockerfileNeedsBuildKit(file: String, feature: String, reason: String)
    /// BuildKit could not get the frontend image a Dockerfile's `# syntax=` line names (no registry, say);
    /// `message` is the daemon's.
    case syntaxFrontendUnavailable(file: String, syntax: String, message: String)
    /// `--max-repo-size`: the checked-out files (not `.git`) hold more than the cap.
    case repositoryTooLarge(repo: String, size: Int64, limit: Int64)
    /// `--build-timeout`: the fetch, build and push did not end within the limit.
    case timeLimitReached(seconds: Int64, cleanedUp: Bool)
    /// `--push-stall-timeout`: the push stream brought nothing new for that long.
    case pushStalled(image: String, registry: String, seconds: Int64)
    /// A build secret whose value cannot be had; `secret` names it (`--secret id=X`), `reason` says why and what to do.
    case secretUnavailable(secret: String, reason: String)
    /// `--secret` where the build would not go through BuildKit, the only builder that keeps a secret out of the
    /// image; `reason` is why BuildKit is not used.
    case secretNeedsBuildKit(reason: String)

    public var description: String {
        switch self {
        case .subdirectoryMissing(let subdir, let repo):
            return "Subdirectory \(subdir.singleLine) does not exist in \(repo.singleLine); check --subdir."
        case .subdirectoryOutside(let subdir, let repo):
            return "--subdir \(subdir.singleLine) leads outside the repository \(repo.singleLine); name a directory inside it."
        case .repositoryMissing(let repo):
            return
                "Repository \(repo.singleLine) does not exist; pass an existing directory, or a git URL (https://, ssh://, file://, user@host:path)."
        case .rootUser:
            return "Root as the image user is not permitted; pass --user-id with a non-zero uid (and --user-name)."
        case .unknownEngine(let name):
            return "Container engine '\(name)' is not supported; use --engine docker or --engine podman."
        case .notYetSupported(let what): return what
        case .fileSystem(let message): return message
        case .cannotTagDigest(let name):
            return "Image name \(name) pins a digest and cannot be used as a build tag; drop the @sha256:… part."
        case .noRepositoryProvider(let repo):
            return "No content provider can fetch \(repo.singleLine); pass a local directory or a git URL."
        case .buildKitUnavailable(let reason):
            return "--build-backend buildkit: \(reason.singleLine); pass --build-backend auto or classic."
        case .syntaxFrontendUnavailable(let file, let syntax, let message):
            return "The image build failed: \(message.singleLine); \(file.singleLine)'s # syntax= line names the frontend image "
                + "\(syntax.singleLine), which the engine could not get: load that image into the engine, or pass "
                + "--builtin-frontend to build with the engine's own Dockerfile frontend."
        case .repositoryTooLarge(let repo, let size, let limit):
            return "The files of \(repo.shortSingleLine) (without .git) hold \(ByteCount.describe(size)), more than --max-repo-size "
                + "\(ByteCount.describe(limit)); nothing was built. Raise --max-repo-size or build a smaller repository."
        case .timeLimitReached(let seconds, let cleanedUp):
            return "The time limit of \(seconds) s (--build-timeout) was reached before the image was ready; the run was cancelled"
                + (cleanedUp
                    ? ", nothing was tagged or left behind."
                    : " and nothing was tagged, but a transfer that had stopped receiving did not end in time to remove its files.")
        case .pushStalled(let image, let registry, let seconds):
            return "Pushing \(image.singleLine) to the registry \(registry.singleLine) made no progress for \(seconds) s "
                + "(--push-stall-timeout); check that it is up and accepts uploads, then push again."
        case .secretUnavailable(let secret, let reason):
            return "\(secret.singleLine): \(reason.singleLine)."
        case .secretNeedsBuildKit(let reason):
            let advice =
                reason == BuilderChoice.noBridgeNetwork
                ? "pass --network (e.g. --network host)"
                : "build on a Docker engine with BuildKit (--build-backend auto or buildkit), or leave out --secret"
            return "--secret needs BuildKit, the only builder that keeps a secret out of the image, and \(reason.singleLine); \(advice)."
        case .dockerfileNeedsBuildKit(let file, let feature, let reason):
            // This engine has BuildKit when only the network is missing; elsewhere another engine is needed.
            let advice =
                reason == BuilderChoice.noBridgeNetwork
                ? "pass --network (e.g. --network host) to build it with BuildKit"
                : "build it on a Docker engine with BuildKit (--build-backend auto or buildkit)"
            return "\(file.singleLine) uses \(feature.singleLine), which only BuildKit builds, and \(reason.singleLine); \(advice)."
        }
    }
}
