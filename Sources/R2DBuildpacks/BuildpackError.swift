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
    case needsConda(pythonVersion: String, file: String)

    public var description: String {
        switch self {
        case .bothBinderDirectories(let root):
            return "The repository at \(root) contains both a 'binder' and a '.binder' directory; keep only one of them."
        case .invalidRuntime(let file, let content, let reason):
            return "Invalid runtime.txt (\(file)): \(reason) in \"\(content)\"; write e.g. python-3.12 or r-4.4-2024-06-01."
        case .invalidAptPackage(let file, let line):
            return "Found invalid package name \"\(line)\" in \(file); apt.txt lists one Debian/Ubuntu package name per line."
        case .unsupportedPythonVersion(let file, let version):
            return "Python version \(version) requested by \(file) is not supported; use python-X.Y with a supported version (3.8 to 3.14, or 2.7/3.5–3.7 through conda)."
        case .legacyDockerfile(let file):
            return "The legacy buildpack has been removed: \(file) is based on andrewosh/binder-base; replace its FROM line or remove the Dockerfile."
        case .noEnvironmentSpecification:
            return "No environment specification found (Repo2Docker.default_buildpack=None): add a Dockerfile, environment.yml, requirements.txt or another supported file."
        case .unreadable(let file, let reason):
            return "Cannot read \(file): \(reason)."
        case .needsConda(let version, let file):
            return "Python \(version) (from \(file)) needs the conda pathway, which this version of swift-r2d does not have yet; ask for Python 3.8 or newer in runtime.txt."
        case .notYetSupported(let buildpack):
            return "The \(buildpack) buildpack cannot render a Dockerfile yet in this version of swift-r2d; add a Dockerfile (or binder/Dockerfile) to the repository to build it."
        }
    }
}
