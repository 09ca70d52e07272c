import Foundation

/// Which file chose the Python of the conda and Pipfile pathways, for `detect --json`'s `python_version_source`;
/// the versions themselves come from `PythonVersionRules.condaVersion` and `pipfileVersion`.
extension PythonVersionRules {
    /// The environment file when its dependencies pin `python`, otherwise "default".
    static func condaVersionSource(_ s: RepoSnapshot, defaultPython: String) throws -> String {
        guard let file = CondaFragments.environmentFilePath(s), let bytes = try s.readBytes(file) else { return "default" }
        let env = try CondaEnvironmentFile.parse(bytes, file: file)
        return env.pythonVersion(defaultPython: defaultPython) == nil ? "default" : file
    }

    /// Pipfile.lock when its `_meta.requires` decides, else Pipfile when its `[requires]` does, else "default"
    /// (the order `pipfileVersion` reads them in).
    static func pipfileVersionSource(_ s: RepoSnapshot, defaultPython: String) throws -> String {
        let lockFile = s.binderPath("Pipfile.lock")
        if let lock = try s.readBytes(lockFile), let metaBytes = JSONTopLevel.member("_meta", in: lock),
            let meta = try? JSONSerialization.jsonObject(with: Data(metaBytes)) as? [String: Any],
            let requires = meta["requires"] as? [String: Any],
            ["python_full_version", "python_version"].contains(where: {
                (requires[$0] as? String).flatMap { leadingVersion($0, defaultPython: defaultPython) } != nil
            })
        {
            return lockFile
        }
        let pipfile = s.binderPath("Pipfile")
        if let toml = try TOMLFile.read(pipfile, in: s, reader: .toml), try toml.table(["requires"]) != nil {
            let candidates = try ["python_full_version", "python_version"].compactMap { try toml.string(["requires", $0]) }
            if candidates.contains(where: { leadingVersion($0, defaultPython: defaultPython) != nil }) { return pipfile }
        }
        return "default"
    }
}
