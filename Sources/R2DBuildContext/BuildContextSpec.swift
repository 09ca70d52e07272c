/// A generated file placed in the context (e.g. a rendered Dockerfile); `path` is relative to the context root.
public struct ContextFile: Sendable {
    public var path: String
    public var contents: [UInt8]
    /// Only the execute bits matter: the stored mode is 0755 if any is set, else 0644.
    public var mode: UInt32

    /// Creates a generated file.
    public init(path: String, contents: [UInt8], mode: UInt32 = 0o644) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}

/// What to pack into a build context and how.
public struct BuildContextSpec: Sendable {
    /// Directory on disk to pack.
    public var root: String
    /// "" (Dockerfile buildpack: root becomes context root) or "src/" (generated Dockerfiles).
    public var prefix: String
    /// The .dockerignore rules, matched against paths relative to `root`.
    public var ignore: IgnoreRules
    /// Relative paths never excluded (e.g. "Dockerfile", "binder/Dockerfile", ".dockerignore").
    public var keepAlways: [String]
    /// Added at the context root (sorted together with the tree entries).
    public var generatedFiles: [ContextFile]
    /// Relative path (under root) → bytes to store instead of the file on disk (used for `.git/index`).
    public var replacements: [String: [UInt8]]
    /// Relative path (under root) → a file elsewhere on disk whose bytes are stored instead; read when packed,
    /// never held in memory (a 200,000-file checkout's canonical `.git/index` is 23 MB). `replacements` wins.
    public var replacementFiles: [String: String]
    /// uid and gid of every entry (NB_UID).
    public var uid: Int
    /// One fixed mtime for every entry.
    public var mtime: Int64
    /// For prefix "src/": add an empty "src/" entry when nothing remains.
    public var emptyRootDirectory: Bool

    /// Creates a spec; only `root` is required.
    public init(
        root: String,
        prefix: String = "",
        ignore: IgnoreRules = IgnoreRules(patterns: []),
        keepAlways: [String] = [],
        generatedFiles: [ContextFile] = [],
        replacements: [String: [UInt8]] = [:],
        replacementFiles: [String: String] = [:],
        uid: Int = 1000,
        mtime: Int64 = 0,
        emptyRootDirectory: Bool = false
    ) {
        self.root = root
        self.prefix = prefix
        self.ignore = ignore
        self.keepAlways = keepAlways
        self.generatedFiles = generatedFiles
        self.replacements = replacements
        self.replacementFiles = replacementFiles
        self.uid = uid
        self.mtime = mtime
        self.emptyRootDirectory = emptyRootDirectory
    }
}

/// Why a build context could not be packed; each description is one line naming the path.
public enum BuildContextError: Error, CustomStringConvertible {
    /// The root directory does not exist or cannot be opened.
    case rootUnavailable(path: String, reason: String)
    /// An entry could not be read (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// An entry disappeared or was replaced while the context was being packed.
    case vanished(path: String)
    /// A file's size changed while it was being read.
    case changedWhileReading(path: String)
    /// A file or symlink target name is not valid UTF-8.
    case nonUTF8Name(path: String)
    /// A generated file has an unusable path.
    case invalidGeneratedPath(path: String)
    /// A generated file collides with another generated file or with a file of the tree.
    case duplicateEntry(path: String)
    /// libarchive refused an entry.
    case archive(path: String, message: String)
    /// The stream was iterated more than once.
    case alreadyIterated
    /// `summary()` was called on a stream that was never iterated.
    case notStarted

    public var description: String {
        switch self {
        case .rootUnavailable(let path, let reason):
            return "cannot open the build context directory \(path): \(reason)"
        case .unreadable(let path, let reason):
            return "cannot read \(path) for the build context: \(reason); fix its permissions or list it in .dockerignore"
        case .vanished(let path):
            return
                "\(path) disappeared or changed type while the build context was being packed; retry when the directory is not being modified"
        case .changedWhileReading(let path):
            return "\(path) changed size while it was being packed into the build context; retry when it is not being written"
        case .nonUTF8Name(let path):
            return "the name of \(path) is not valid UTF-8; rename it or list it in .dockerignore"
        case .invalidGeneratedPath(let path):
            return "generated build context file has an invalid path \"\(path)\" (it must be relative, without \"..\")"
        case .duplicateEntry(let path):
            return "build context entry \(path) is both a generated file and a file of the repository (or generated twice)"
        case .archive(let path, let message):
            return "cannot add \(path) to the build context: \(message)"
        case .alreadyIterated:
            return "a build context stream can be consumed only once; call BuildContext.stream again"
        case .notStarted:
            return "the build context stream was never consumed, so it has no summary"
        }
    }
}
