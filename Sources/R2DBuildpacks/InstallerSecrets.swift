/// The build secrets the generated environment's package installs read: a secret whose id is one of the
/// installers' variables is that variable during the steps that install the repository's packages (its
/// requirements files, its own package, its Pipfile, environment.yml's pip part), and during no other step.
///
/// Every fact about the secret mounts is here: fragments only mark the steps that install the repository's
/// packages (`BuildStep.readsInstallerSecrets`), and `SecretMounts` writes the mounts. The renderer sees secret
/// ids, never values. BuildKit's built-in Dockerfile frontends (Docker 20.10's included) have no
/// `--mount=type=secret,env=`, so the step reads `/run/secrets/<id>` into the variable itself; the variable is
/// exported in that step only, so it never reaches an `ENV`, a layer or the image's history.
public enum InstallerSecrets {
    /// The fixed ids: uv's and pip's index variables.
    static let indexIDs: Set<String> = ["UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]

    /// Whether the generated environment's installs read a secret of this id: an index variable, or uv's
    /// credentials of a named index, `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` (NAME upper case, as uv
    /// spells it: letters, digits and `_`).
    public static func isInstallerVariable(_ id: String) -> Bool {
        if indexIDs.contains(id) { return true }
        let prefix = "UV_INDEX_"
        guard id.hasPrefix(prefix) else { return false }
        for suffix in ["_USERNAME", "_PASSWORD"] where id.hasSuffix(suffix) {
            let name = id.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
            return !name.isEmpty && name.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        }
        return false
    }

    /// The variables a secret also sets, so that uv and pip both see an index given for either of them: uv
    /// reads `UV_DEFAULT_INDEX` (its current name, which also overrides `--python-index-url` in that step) and
    /// `UV_INDEX_URL`, pip `PIP_INDEX_URL`; the extra indexes likewise. A secret given for both tools' names
    /// keeps each as given.
    static func companions(of id: String, given: Set<String>) -> [String] {
        switch id {
        case "UV_INDEX_URL": ["UV_DEFAULT_INDEX"] + (given.contains("PIP_INDEX_URL") ? [] : ["PIP_INDEX_URL"])
        case "PIP_INDEX_URL": given.contains("UV_INDEX_URL") ? [] : ["UV_INDEX_URL", "UV_DEFAULT_INDEX"]
        case "UV_EXTRA_INDEX_URL": given.contains("PIP_EXTRA_INDEX_URL") ? [] : ["PIP_EXTRA_INDEX_URL"]
        case "PIP_EXTRA_INDEX_URL": given.contains("UV_EXTRA_INDEX_URL") ? [] : ["UV_EXTRA_INDEX_URL"]
        default: []
        }
    }

    /// Where BuildKit mounts a secret by default.
    static func path(_ id: String) -> String { "/run/secrets/\(id)" }
}

/// How the `RUN` steps that install the repository's packages mount the installer secrets of one Dockerfile:
/// nil when the request has none (or the build is not BuildKit's, which has no secret mounts).
struct SecretMounts {
    /// The installer secrets the request gives, sorted; other ids are never mounted by a generated Dockerfile.
    let ids: [String]
    let userID: Int

    init?(_ options: RenderOptions) {
        let ids = Set(options.secretIDs.filter(InstallerSecrets.isInstallerVariable)).sorted()
        guard options.buildKitCaches, !ids.isEmpty else { return nil }
        self.ids = ids
        userID = options.userID
    }

    /// The step's secret mounts: `required=true`, so a secret the daemon cannot get fails the step instead of
    /// installing from the wrong index; a step of the image user reads it as its literal uid (the mount is
    /// root's, mode 0400, otherwise).
    func flags(for step: BuildStep) -> [String] {
        guard step.readsInstallerSecrets else { return [] }
        let owner = step.user == .notebookUser ? ",uid=\(userID)" : ""
        return ids.map { "--mount=type=secret,id=\($0),required=true\(owner)" }
    }

    /// The step's first lines: each secret read into its variable (a failed read fails the step), then one
    /// `export` of them and their companions.
    func scriptLines(for step: BuildStep) -> [String] {
        guard step.readsInstallerSecrets else { return [] }
        let given = Set(ids)
        let reads = ids.map { "\($0)=\"$(cat \(InstallerSecrets.path($0)))\"" }
        let exports = ids.flatMap { id in [id] + InstallerSecrets.companions(of: id, given: given).map { "\($0)=\"$\(id)\"" } }
        return reads + ["export " + exports.joined(separator: " ")]
    }
}
