import R2DBuildContext
import R2DBuildpacks

/// The steps after an environment read as what they do to an image, without running anything: each `COPY` from
/// the build context is a layer swift-r2d writes itself, everything else is a change to the image's config. A
/// step that needs a container (`RUN`) or a file system the run cannot see (`WORKDIR`, `ADD`, a `COPY` with a
/// wildcard or a user name) makes the steps not composable, and the engine builds them instead.
struct ComposedSteps: Equatable {
    /// One step: a layer, or a config change only (`emptyLayer`), with the instruction as the history shows it.
    struct Step: Equatable {
        var createdBy: String
        var copy: CopyLayerRequest?
    }

    /// The parts of an image config the steps read and change.
    struct RunConfig: Equatable {
        var env: [String] = []
        var user = ""
        var workingDir = ""
        var entrypoint: [String]?
        var cmd: [String]?
        var labels: [String: String] = [:]
        var exposedPorts: [String] = []
    }

    var steps: [Step] = []
    var config: RunConfig

    /// Why these steps are built by the engine instead.
    struct NotComposable: Error, Equatable { let reason: String }

    /// Reads `dockerfile` (one stage: `FROM`, then the steps) on top of `config`, with the build arguments.
    static func read(_ dockerfile: String, on config: RunConfig, buildArguments: [String: String]) throws(NotComposable) -> ComposedSteps {
        var reader = Reader(state: ComposedSteps(config: config), buildArguments: buildArguments)
        let (directives, instructions) = DockerfileSyntax.parse(dockerfile)
        guard directives.allSatisfy({ $0.key != "escape" }) else { throw NotComposable(reason: "an escape directive") }
        for (index, instruction) in instructions.enumerated() {
            if index == 0 && instruction.keyword == "FROM" { continue }
            try reader.apply(instruction)
        }
        return reader.state
    }

    struct Reader {
        var state: ComposedSteps
        let buildArguments: [String: String]
        var arguments: [String: String] = [:]
        var cmdSetHere = false

        mutating func apply(_ instruction: DockerfileInstruction) throws(NotComposable) {
            let text = instruction.arguments
            switch instruction.keyword {
            case "ARG": try declare(text)
            case "ENV": try setEnvironment(text)
            case "LABEL": for (key, value) in try pairs(text) { state.config.labels[key] = value }
            case "USER": state.config.user = try expand(text)
            case "ENTRYPOINT":
                state.config.entrypoint = try command(text)
                // Docker: an ENTRYPOINT resets a CMD the image below set.
                if !cmdSetHere { state.config.cmd = nil }
            case "CMD":
                state.config.cmd = try command(text)
                cmdSetHere = true
            case "EXPOSE":
                for port in try words(text) { state.config.exposedPorts.append(port.contains("/") ? port : port + "/tcp") }
            case "COPY":
                try copy(instruction)
                return
            default:
                throw NotComposable(reason: "a \(instruction.keyword) step (line \(instruction.line)) needs the engine")
            }
            guard instruction.flags.isEmpty else {
                throw NotComposable(reason: "\(instruction.keyword) with flags (line \(instruction.line))")
            }
            state.steps.append(Step(createdBy: "\(instruction.keyword) \(text)", copy: nil))
        }

        mutating func declare(_ text: String) throws(NotComposable) {
            let name = String(text.prefix { $0 != "=" })
            guard !name.isEmpty, !name.contains(" ") else { throw NotComposable(reason: "ARG \(text)") }
            let fallback = text.contains("=") ? try expand(String(text.dropFirst(name.count + 1))) : ""
            arguments[name] = buildArguments[name] ?? fallback
        }

        mutating func setEnvironment(_ text: String) throws(NotComposable) {
            for (key, value) in try pairs(text) {
                state.config.env.removeAll { $0.hasPrefix(key + "=") }
                state.config.env.append(key + "=" + value)
            }
        }

        mutating func copy(_ instruction: DockerfileInstruction) throws(NotComposable) {
            var (uid, gid) = (0, 0)
            for flag in instruction.flags {
                guard flag.hasPrefix("--chown="), let owner = Self.numericOwner(String(flag.dropFirst(8))) else {
                    throw NotComposable(reason: "COPY \(flag) (line \(instruction.line))")
                }
                (uid, gid) = owner
            }
            let parts = try words(instruction.arguments)
            guard parts.count == 2, !parts[0].contains(where: { "*?[".contains($0) }), !parts[0].hasPrefix("/"),
                !parts[0].contains("..")
            else { throw NotComposable(reason: "COPY \(instruction.arguments) (line \(instruction.line))") }
            var destination = parts[1]
            if !destination.hasPrefix("/") {
                let base = state.config.workingDir.isEmpty ? "/" : state.config.workingDir
                destination = (base.hasSuffix("/") ? base : base + "/") + destination
            }
            let request = CopyLayerRequest(source: parts[0], destination: destination, uid: uid, gid: gid)
            let flags = instruction.flags.isEmpty ? "" : instruction.flags.joined(separator: " ") + " "
            state.steps.append(Step(createdBy: "COPY \(flags)\(parts[0]) \(destination)", copy: request))
        }

        /// `--chown=1000:1000` or `--chown=1000` (the group is then the same number).
        static func numericOwner(_ text: String) -> (Int, Int)? {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let uid = Int(parts[0]), uid >= 0 else { return nil }
            guard parts.count == 2 else { return (uid, uid) }
            guard let gid = Int(parts[1]), gid >= 0 else { return nil }
            return (uid, gid)
        }
    }
}
