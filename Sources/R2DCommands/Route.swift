import Foundation

/// What an invocation asks for, decided once from the program name and the first argument: repo2docker's
/// names (`jupyter-repo2docker`, `repo2docker`) and a bare `swift-r2d <options> <repo>` build.
enum Route: Equatable {
    case build([String])
    case detect([String])
    case help
    /// No arguments at all: the help, on stderr, as a usage error.
    case usage
    case completionScript(shell: String?)
    case manual
    case cliReference
    case crashForTests([String])

    static let repo2dockerNames: Set<String> = ["jupyter-repo2docker", "repo2docker"]

    init(_ arguments: [String]) {
        let program = (arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent }) ?? "swift-r2d"
        let rest = Array(arguments.dropFirst())
        guard !Self.repo2dockerNames.contains(program) else {
            self = .build(rest)
            return
        }
        switch rest.first {
        case "build": self = .build(Array(rest.dropFirst()))
        case "detect": self = .detect(Array(rest.dropFirst()))
        case "__crash-for-tests": self = .crashForTests(Array(rest.dropFirst()))
        case "__cli-reference": self = .cliReference
        case "--generate-manual": self = .manual
        case "--generate-completion-script": self = .completionScript(shell: rest.dropFirst().first)
        case let first? where first.hasPrefix("--generate-completion-script="):
            self = .completionScript(shell: String(first.dropFirst("--generate-completion-script=".count)))
        case "help", "-h", "--help": self = .help
        case nil: self = .usage
        default: self = .build(rest)
        }
    }

    /// The arguments after the program and the subcommand (where output options may be).
    var arguments: [String] {
        switch self {
        case .build(let arguments), .detect(let arguments), .crashForTests(let arguments): return arguments
        default: return []
        }
    }
}
