import Foundation
import R2DEngine
import Synchronization

/// A scripted `ContainerEngine`: the test lists, in order, the calls it expects and what each answers. A call
/// that is not the next expected one is recorded (`unexpectedCalls`) and fails with `UnexpectedCall`, so a
/// test sees both engine calls the pipeline should not make and calls it swallows (`try?`).
public final class FakeEngine: ContainerEngine {
    /// One engine call with the arguments a pipeline decision shows in.
    public enum Call: Equatable, Sendable, CustomStringConvertible {
        case negotiateVersion
        case builderSupport
        case inspectImage(String)
        case build
        case tagImage(source: String, repository: String, tag: String)
        case removeImage(String)
        case pushImage(repository: String, tag: String)
        case pullImage(repository: String, tag: String)
        case runContainer(image: String)
        case shutdown

        public var description: String {
            switch self {
            case .negotiateVersion: return "negotiateVersion"
            case .builderSupport: return "builderSupport"
            case .inspectImage(let reference): return "inspectImage(\(reference))"
            case .build: return "build"
            case .tagImage(let source, let repository, let tag): return "tagImage(\(source) as \(repository):\(tag))"
            case .removeImage(let reference): return "removeImage(\(reference))"
            case .pushImage(let repository, let tag): return "pushImage(\(repository):\(tag))"
            case .pullImage(let repository, let tag): return "pullImage(\(repository):\(tag))"
            case .runContainer(let image): return "runContainer(\(image))"
            case .shutdown: return "shutdown"
            }
        }
    }

    /// A canned answer.
    public enum Answer: Sendable {
        case none
        case image(ImageInspect?)
        case imageID(String)
        case exitCode(Int32)
        case builders(BuilderSupport)
        case failure(any Error & Sendable)
    }

    /// An expected call and its answer.
    public struct Expectation: Sendable {
        public var call: Call
        public var answer: Answer
        /// When set, any call whose description starts with it matches: for arguments a run makes up (a
        /// content-addressed or random tag).
        public var descriptionPrefix: String?

        public init(_ call: Call, answer: Answer = .none) {
            self.call = call
            self.answer = answer
        }

        /// `call`, matching any call whose description begins with `prefix` (e.g. "tagImage(sha256:env as ").
        public static func matching(_ prefix: String, like call: Call, answer: Answer = .none) -> Expectation {
            var expectation = Expectation(call, answer: answer)
            expectation.descriptionPrefix = prefix
            return expectation
        }

        func matches(_ other: Call) -> Bool {
            if let descriptionPrefix { return other.description.hasPrefix(descriptionPrefix) }
            return other == call
        }

        public static let negotiateVersion = Expectation(.negotiateVersion)
        public static let shutdown = Expectation(.shutdown)
        /// A Docker engine with BuildKit unless told otherwise.
        public static func builderSupport(_ support: BuilderSupport = FakeEngine.dockerWithBuildKit) -> Expectation {
            Expectation(.builderSupport, answer: .builders(support))
        }
        public static func inspectImage(_ reference: String, exists: Bool) -> Expectation {
            Expectation(.inspectImage(reference), answer: .image(exists ? FakeEngine.image(reference) : nil))
        }
        public static func build(imageID: String = FakeEngine.builtImageID) -> Expectation {
            Expectation(.build, answer: .imageID(imageID))
        }
        public static func build(failing error: any Error & Sendable) -> Expectation {
            Expectation(.build, answer: .failure(error))
        }
        public static func tagImage(_ source: String = FakeEngine.builtImageID, as name: String) -> Expectation {
            let (repository, tag) = FakeEngine.split(name)
            return Expectation(.tagImage(source: source, repository: repository, tag: tag))
        }
        public static func removeImage(_ reference: String) -> Expectation { Expectation(.removeImage(reference)) }
        public static func pushImage(_ name: String, failing error: (any Error & Sendable)? = nil) -> Expectation {
            let (repository, tag) = FakeEngine.split(name)
            return Expectation(.pushImage(repository: repository, tag: tag), answer: error.map { .failure($0) } ?? .none)
        }
        public static func pullImage(_ name: String, failing error: (any Error & Sendable)? = nil) -> Expectation {
            let (repository, tag) = FakeEngine.split(name)
            return Expectation(.pullImage(repository: repository, tag: tag), answer: error.map { .failure($0) } ?? .none)
        }
        public static func runContainer(_ image: String, exitCode: Int32 = 0) -> Expectation {
            Expectation(.runContainer(image: image), answer: .exitCode(exitCode))
        }
        public static func runContainer(_ image: String, failing error: any Error & Sendable) -> Expectation {
            Expectation(.runContainer(image: image), answer: .failure(error))
        }
    }

    /// The error of a call the script did not expect next.
    public struct UnexpectedCall: Error, CustomStringConvertible, Equatable {
        public var call: Call
        public var expected: Call?
        public init(call: Call, expected: Call?) {
            self.call = call
            self.expected = expected
        }
        public var description: String {
            "FakeEngine: unexpected \(call); " + (expected.map { "expected \($0)" } ?? "no more calls were expected")
        }
    }

    public static let dockerWithBuildKit = BuilderSupport(isPodman: false, buildKitUnavailable: nil)

    /// The image id `build` answers unless told otherwise.
    public static let builtImageID = "sha256:fakeimage"

    private struct State {
        var pending: [Expectation]
        var calls: [Call] = []
        var unexpected: [Call] = []
        var contextBytes = 0
        var buildOptions: [BuildOptions] = []
    }
    private let state: Mutex<State>
    /// Sees each call before it is answered (e.g. to check what is on disk when the container would start).
    private let onCall: @Sendable (Call) -> Void

    public init(expecting expectations: [Expectation], onCall: @escaping @Sendable (Call) -> Void = { _ in }) {
        state = Mutex(State(pending: expectations))
        self.onCall = onCall
    }

    /// Every call made, expected or not, in order.
    public var calls: [Call] { state.withLock { $0.calls } }
    /// Calls that were not the next expected one.
    public var unexpectedCalls: [Call] { state.withLock { $0.unexpected } }
    /// Expected calls that never came.
    public var missingCalls: [Call] { state.withLock { $0.pending.map(\.call) } }
    /// The options of every build call, in order.
    public var buildOptions: [BuildOptions] { state.withLock { $0.buildOptions } }
    /// The bytes of the build contexts the engine was sent (it reads them to the end, as a daemon does).
    public var contextBytes: Int { state.withLock { $0.contextBytes } }

    /// Matches `call` against the next expectation and returns its answer, or throws.
    private func answer(_ call: Call) throws -> Answer {
        onCall(call)
        let answer = state.withLock { state -> Answer? in
            state.calls.append(call)
            guard let next = state.pending.first, next.matches(call) else {
                state.unexpected.append(call)
                return nil
            }
            state.pending.removeFirst()
            return next.answer
        }
        guard let answer else { throw UnexpectedCall(call: call, expected: state.withLock { $0.pending.first?.call }) }
        if case .failure(let error) = answer { throw error }
        return answer
    }

    public func negotiateVersion() async throws -> String {
        _ = try answer(.negotiateVersion)
        return "1.43"
    }

    public func builderSupport() async throws -> BuilderSupport {
        if case .builders(let support) = try answer(.builderSupport) { return support }
        return Self.dockerWithBuildKit
    }

    public func inspectImage(_ reference: String) async throws -> ImageInspect? {
        if case .image(let image) = try answer(.inspectImage(reference)) { return image }
        return nil
    }

    public func build<Context: AsyncSequence & Sendable>(
        context: Context, options: BuildOptions, onEvent: @escaping @Sendable (BuildEvent) -> Void
    ) async throws -> String where Context.Element == [UInt8] {
        var bytes = 0
        for try await chunk in context { bytes += chunk.count }
        state.withLock { [bytes] in
            $0.contextBytes += bytes
            $0.buildOptions.append(options)
        }
        guard case .imageID(let id) = try answer(.build) else { return Self.builtImageID }
        onEvent(.imageID(id))
        return id
    }

    public func tagImage(_ source: String, repository: String, tag: String) async throws {
        _ = try answer(.tagImage(source: source, repository: repository, tag: tag))
    }

    public func removeImage(_ reference: String, force: Bool, prune: Bool) async throws {
        _ = try answer(.removeImage(reference))
    }

    public func pushImage(
        repository: String, tag: String, auth: RegistryAuth?,
        onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws -> String? {
        _ = try answer(.pushImage(repository: repository, tag: tag))
        return nil
    }

    public func pullImage(
        repository: String, tag: String, auth: RegistryAuth?, platform: String?,
        onProgress: @escaping @Sendable (PushProgress) -> Void
    ) async throws {
        _ = try answer(.pullImage(repository: repository, tag: tag))
    }

    public func runContainer(
        _ options: RunOptions,
        onOutput: @escaping @Sendable (EngineClient.OutputStream, String) -> Void
    ) async throws -> Int32 {
        if case .exitCode(let code) = try answer(.runContainer(image: options.image)) { return code }
        return 0
    }

    public func shutdown() async {
        _ = try? answer(.shutdown)
    }

    /// An image the daemon knows under `reference`.
    public static func image(_ reference: String) -> ImageInspect {
        ImageInspect(id: "sha256:existing", repoTags: [reference], workingDir: "/home/jovyan", labels: [:], created: "")
    }

    /// `name[:tag]` as the daemon's tag and push calls take it (the tag after the last `:` past the last `/`).
    static func split(_ reference: String) -> (repository: String, tag: String) {
        let lastSlash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[lastSlash...].lastIndex(of: ":") {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, "latest")
    }
}
