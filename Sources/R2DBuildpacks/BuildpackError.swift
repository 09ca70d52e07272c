import R2DBasics
import R2DYAML

/// Errors found while reading a repository's environment files. Each renders as one line for the user.
public enum BuildpackError: Error, CustomStringConvertible, Equatable {
    case bothBinderDirectories(root: String)
    case invalidRuntime(file: String, content: String, reason: String)
    case invalidAptPackage(file: String, line: String)
    case unsupportedPythonVersion(file: String, version: String)
    case legacyDockerfile(file: String)
    case noEnvironmentSpecification
    case unreadable(file: String, reason: String)
    case notYetSupported(buildpack: String)
    case environmentNotMapping(file: String, found: String)
    case unsupportedCondaPython(file: String, version: String, platform: String)
    case unsupportedRVersion(file: String, version: String)
    case rSnapshotTooOld(file: String, date: String)
    case needsAMD64(buildpack: String, platform: String)
    case invalidJuliaCompat(file: String, compat: String)
    case noMatchingJulia(file: String, compat: String)
    case juliaRequire(file: String)
    case symlinkLoop(file: String)
    case symlinkOutside(file: String, target: String)
    case invalidSetting(name: String, violation: ValueRuleViolation)
    case fileTooLarge(file: String, size: Int, limit: Int)
    case notARegularFile(file: String, kind: String)
    case invalidYAML(file: String, error: YAMLError)
    case invalidEnvironmentEntry(file: String, mark: YAMLMark, problem: String)
    case invalidTOML(file: String, line: Int, column: Int, problem: String)
    case invalidTOMLValue(file: String, key: String, expected: String, found: String)
    case mixedTOMLArray(file: String, key: String)
    case invalidRequiresPython(file: String, specifier: String, reason: String)
    case noPythonForRequiresPython(file: String, specifier: String)
    /// A lock or version file of the uv, pylock and pixi pathways that cannot be followed; `problem` says what to do.
    case invalidEnvironmentFile(file: String, problem: String)

    public var description: String {
        switch self {
        case .bothBinderDirectories(let root):
            return "The repository at \(root) contains both a 'binder' and a '.binder' directory; keep only one of them."
        case .invalidRuntime(let file, let content, let reason):
            return
                "Invalid runtime.txt (\(file)): \(reason.shortSingleLine) in \(content.shortQuoted); write e.g. python-3.12 or r-4.4-2024-06-01."
        case .invalidAptPackage(let file, let line):
            return
                "Found invalid package name \(line.shortQuoted) in \(file); apt.txt lists Debian/Ubuntu packages separated by spaces, each name[:arch][=version|/release] (e.g. curl, libc6:amd64, python3=3.11.2-1)."
        case .unsupportedPythonVersion(let file, let version):
            return
                "Python version \(version.shortSingleLine) requested by \(file) is not supported; use python-X.Y with a supported version (3.8 to 3.14, or 2.7/3.5–3.7 through conda)."
        case .legacyDockerfile(let file):
            return
                "The legacy buildpack has been removed: \(file) is based on andrewosh/binder-base; replace its FROM line or remove the Dockerfile."
        case .noEnvironmentSpecification:
            return
                "No environment specification found (Repo2Docker.default_buildpack=None): add a Dockerfile, environment.yml, requirements.txt or another supported file."
        case .unreadable(let file, let reason):
            return "Cannot read \(file): \(reason)."
        case .environmentNotMapping(let file, let found):
            return "\(file) must be a YAML mapping (name:, channels:, dependencies:), but it holds \(found); fix the file or empty it."
        case .unsupportedCondaPython(let file, let version, let platform):
            return
                "Python version \(version.shortSingleLine) on \(platform) is not supported (from \(file)); pin python=3.8 to 3.14 (2.7 and 3.5–3.7 only on linux-64)."
        case .unsupportedRVersion(let file, let version):
            return
                "R version \(version.shortSingleLine) (from \(file)) is not supported; use r-X.Y with 3.3 to 4.6, or a full r-X.Y.Z version."
        case .rSnapshotTooOld(let file, let date):
            return
                "The R snapshot date \(date.shortSingleLine) (from \(file)) is before 2018-12-07, the oldest Posit Package Manager snapshot (MRAN has shut down); use a later date in runtime.txt."
        case .needsAMD64(let buildpack, let platform):
            return "The \(buildpack) buildpack installs R only for linux/amd64, not \(platform); build with --platform linux/amd64."
        case .invalidJuliaCompat(let file, let compat):
            return
                "Cannot read the julia compat \(compat.shortQuoted) in \(file); write e.g. julia = \"1.10\", \"^1.9\", \"~1.6.2\" or \">=1.8\"."
        case .juliaRequire(let file):
            return
                "Julia REQUIRE no longer supported: found \(file) (the package list of Julia 0.6); replace it with a Project.toml (see https://pkgdocs.julialang.org/v1/toml-files/)."
        case .noMatchingJulia(let file, let compat):
            return
                "No released Julia matches compat \(compat.shortQuoted) in \(file); widen it, or refresh Buildpacks/julia/versions.txt if the release is newer than this swift-r2d."
        case .symlinkLoop(let file):
            return "\(file) is a symbolic link loop; replace it with a regular file or remove it."
        case .symlinkOutside(let file, let target):
            return
                "\(file) is a symbolic link to \(target.shortQuoted), outside the repository; copy what it points to into the repository instead."
        case .invalidSetting(let name, let violation):
            return "\(name): \(violation)."
        case .fileTooLarge(let file, let size, let limit):
            return "\(file) is \(size) bytes, more than the \(limit) bytes swift-r2d reads for such a file; shorten it (Docs/limits.md)."
        case .notARegularFile(let file, let kind):
            return "\(file) is a \(kind), not a regular file; replace it with a regular file or remove it."
        case .invalidYAML(let file, let error):
            return "\(file):\(error.description.singleLine): this is not valid YAML; fix the file (a YAML linter shows the same place)."
        case .invalidEnvironmentEntry(let file, let mark, let problem):
            return
                "\(file):\(mark): \(problem.singleLine); see https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html#create-env-file-manually."
        case .invalidTOML(let file, let line, let column, let problem):
            return "\(file):\(line):\(column): \(problem.singleLine); this is not valid TOML, fix the file."
        case .invalidTOMLValue(let file, let key, let expected, let found):
            return "\(file): \(key) must be \(expected), but it is \(found); fix the file."
        case .mixedTOMLArray(let file, let key):
            return
                "\(file): the array \(key.shortQuoted) mixes value types, which repo2docker's TOML reader for this file (toml 0.10) refuses; give each array values of one type."
        case .invalidRequiresPython(let file, let specifier, let reason):
            return
                "\(file): requires-python \(specifier.shortQuoted) is not a valid version specifier (\(reason)); write e.g. \">=3.10\" or \">=3.9,<3.13\" (PEP 440)."
        case .noPythonForRequiresPython(let file, let specifier):
            return "\(file): no Python that swift-r2d supports (3.8 to 3.14) satisfies requires-python \(specifier.shortQuoted); widen it."
        case .invalidEnvironmentFile(let file, let problem):
            return "\(file): \(problem.singleLine)"
        case .notYetSupported(let buildpack):
            return
                "The \(buildpack) buildpack cannot render a Dockerfile yet in this version of swift-r2d; add a Dockerfile (or binder/Dockerfile) to the repository to build it."
        }
    }
}
