import Foundation
import R2DBasics
import R2DBuildpacks
import R2DEngine

/// Everything that decides the layers of an environment (EnvironmentSplit): the environment's rendered steps,
/// the bytes of every file they copy, the platform, the build backend, the download locations, the build
/// arguments and the ids of the build secrets. The base image's digest comes from the engine, so it is added
/// last (`identity(baseImageID:)`); `detect --json` shows the rest (`partialDigest`). Anything else (the
/// repository's other files, the commit, labels, the image name) is not part of it: changing it reuses the
/// environment.
public struct EnvironmentInputs: Sendable, Equatable, Encodable {
    /// One file an environment step copies: its context path, whether it is executable (the context stores 0755
    /// or 0644) and the sha256 of its bytes.
    public struct CopiedFile: Sendable, Equatable, Encodable {
        public var path: String
        public var executable: Bool
        public var sha256: String
    }

    public var dockerfile: String
    public var files: [CopiedFile]
    public var platform: String
    public var backend: String
    public var downloads: [String]
    /// Build arguments as `name=value`, sorted; the proxy variables are left out, as Docker leaves them out of
    /// its own layer cache (they do not change what a step installs).
    public var buildArguments: [String]
    public var secretIDs: [String]

    /// The version of this recipe: bumped when what goes into an identity changes, so old tags are never matched.
    static let scheme = "swift-r2d-environment-v1"

    static let proxyArguments: Set<String> = [
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy",
        "ALL_PROXY", "all_proxy",
    ]

    public init(
        dockerfile: String, files: [CopiedFile], platform: String, backend: BuildBackend, downloads: [String],
        buildArguments: [String: String], secretIDs: [String]
    ) {
        self.dockerfile = dockerfile
        self.files = files.sorted { $0.path < $1.path }
        self.platform = platform
        self.backend = backend.rawValue
        self.downloads = downloads
        self.buildArguments = buildArguments.filter { !Self.proxyArguments.contains($0.key) }.map { "\($0.key)=\($0.value)" }.sorted()
        self.secretIDs = secretIDs.sorted()
    }

    /// sha256 of the inputs' canonical JSON (sorted keys): everything but the base image.
    public var partialDigest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(self)).map { Array($0) } ?? []
        return Digest.sha256Hex(Array(Self.scheme.utf8) + [0x0A] + json)
    }

    /// The environment's identity: the partial digest and the base image's id, hashed together (64 hex digits).
    public func identity(baseImageID: String) -> String {
        Digest.sha256Hex(Array("\(Self.scheme)\n\(partialDigest)\n\(baseImageID)\n".utf8))
    }
}

extension EnvironmentInputs {
    /// The files an environment copies, read from the rendered files (`build_script_files/…`) and the
    /// repository directory (`src/…`); a directory is taken whole, its entries sorted.
    static func copiedFiles(_ split: EnvironmentSplit, rendered: RenderedBuild, repositoryDirectory: String) throws -> [CopiedFile] {
        var files: [CopiedFile] = []
        for path in split.copiedPaths {
            if let generated = rendered.files.first(where: { $0.path == path }) {
                files.append(CopiedFile(path: path, executable: generated.mode & 0o111 != 0, sha256: Digest.sha256Hex(generated.contents)))
            } else if path.hasPrefix("src/") {
                files += try repositoryFiles(String(path.dropFirst(4)), under: repositoryDirectory)
            }
        }
        return files
    }

    /// A copied path's files, each with its mode's executable bit and its sha256. Read without following links:
    /// a link is recorded by its target (the COPY copies the link), and what is neither file, link nor directory
    /// (a FIFO, a device) by its kind, so hashing never blocks or reads from outside the checkout.
    private static func repositoryFiles(_ relative: String, under root: String) throws -> [CopiedFile] {
        let manager = FileManager.default
        let full = root + "/" + relative
        guard let attributes = try? manager.attributesOfItem(atPath: full) else {
            // The COPY will fail on its own; the identity records that the file is missing.
            return [CopiedFile(path: "src/" + relative, executable: false, sha256: "missing")]
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.uint32Value ?? 0o644
        let executable = mode & 0o111 != 0
        switch attributes[.type] as? FileAttributeType {
        case .typeDirectory?:
            let children = try manager.contentsOfDirectory(atPath: full).sorted()
            return try children.flatMap { try repositoryFiles(relative + "/" + $0, under: root) }
        case .typeRegular?:
            return [CopiedFile(path: "src/" + relative, executable: executable, sha256: try Digest.sha256Hex(fileAt: full))]
        case .typeSymbolicLink?:
            return [CopiedFile(path: "src/" + relative, executable: false, sha256: try linkDigest(full, under: root))]
        default:
            return [CopiedFile(path: "src/" + relative, executable: false, sha256: "special")]
        }
    }
}

extension EnvironmentInputs {
    /// A link's target, with the content of what it names when that is a regular file inside the checkout (a
    /// builder may copy either, so a change of either is a change of the environment).
    fileprivate static func linkDigest(_ path: String, under root: String) throws -> String {
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
        var record = "symlink:\(target)"
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let rootPath = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        // The resolved path has no links left, so its own type is the type of what the link names.
        if resolved.hasPrefix(rootPath + "/"),
            (try? FileManager.default.attributesOfItem(atPath: resolved)[.type] as? FileAttributeType) == .typeRegular
        {
            record += ":" + (try Digest.sha256Hex(fileAt: resolved))
        }
        return Digest.sha256Hex(Array(record.utf8))
    }
}

/// What `detect --json` shows of the environment (key `environment`): the part of its identity computable
/// without a daemon or registry, for each build backend, with the default settings a BinderHub build uses
/// (`--user-name=jovyan --user-id=1000`, the default base image). The build adds the base image's id.
public struct EnvironmentSummary: Sendable, Encodable {
    public let base_image: String
    public let files: [String]
    /// Backend name (`classic`, `buildkit`) → the sha256 of everything but the base image (`partialDigest`).
    public let inputs_sha256: [String: String]

    init?(plan: BuildPlan, snapshot: RepoSnapshot, request: BuildRequest) throws {
        guard plan.kind != .docker else { return nil }
        var digests: [String: String] = [:]
        var files: [String] = []
        for backend in BuildBackend.allCases {
            var options = RenderOptions(baseImage: request.baseImage, userID: request.userID, downloads: request.downloadLocations)
            options.buildKitCaches = backend == .buildKit
            let rendered = try DockerfileRenderer.renderBuild(plan, snapshot: snapshot, options: options)
            guard let split = rendered.environmentSplit else { return nil }
            files = split.copiedPaths
            let inputs = EnvironmentInputs(
                dockerfile: split.imageDockerfile,
                files: try EnvironmentInputs.copiedFiles(split, rendered: rendered, repositoryDirectory: snapshot.root),
                platform: options.platform, backend: backend, downloads: request.downloadLocations.identityEntries,
                buildArguments: ["NB_USER": request.userName, "NB_UID": String(request.userID)], secretIDs: [])
            digests[backend.rawValue] = inputs.partialDigest
        }
        (base_image, self.files, inputs_sha256) = (request.baseImage, files, digests)
    }
}
