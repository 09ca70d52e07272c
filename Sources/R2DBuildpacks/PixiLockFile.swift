import R2DYAML

/// What the pixi pathway checks in `pixi.lock` (lock format 5 or 6) before pixi installs it: that the default
/// environment is locked for the image's platform and carries ipykernel, which the Jupyter kernel needs.
struct PixiLockFile {
    let file: String
    /// Conda platform (`linux-64`) → the file names of the default environment's packages on it.
    var defaultEnvironment: [String: [String]] = [:]

    init(bytes: [UInt8], file: String) throws {
        self.file = file
        let document: YAMLValue?
        do {
            document = try YAMLDocument.parse(bytes)
        } catch let error as YAMLError {
            throw BuildpackError.invalidYAML(file: file, error: error)
        }
        guard let document, case .scalar(.int, let version) = document["version"]?.kind, ["5", "6"].contains(version) else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file, problem: "this is not a pixi.lock of format 5 or 6; run `pixi lock` with pixi 0.40 or later and commit it.")
        }
        guard let platforms = document["environments"]?["default"]?["packages"]?.mapping else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file, problem: "it locks no default environment; run `pixi lock` and commit it.")
        }
        for entry in platforms {
            guard let platform = entry.key.string else { continue }
            defaultEnvironment[platform] = (entry.value.sequence ?? []).compactMap { package in
                let url = package["conda"]?.string ?? package["pypi"]?.string
                return url.map { String($0.split(separator: "/").last ?? "") }
            }
        }
    }

    /// Refuses a lock the image cannot use: no packages for `platform`, or no ipykernel among them.
    func check(platform: String, manifest: String) throws {
        guard let files = defaultEnvironment[platform] else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file,
                problem:
                    "the default environment is not locked for \(platform); add \(platform) to the platforms of \(manifest) and run `pixi lock`."
            )
        }
        guard files.contains(where: { $0.hasPrefix("ipykernel-") }) else {
            throw BuildpackError.invalidEnvironmentFile(
                file: file,
                problem:
                    "the default environment has no ipykernel, which its Jupyter kernel needs; run `pixi add ipykernel` and commit \(manifest) and pixi.lock."
            )
        }
    }
}
