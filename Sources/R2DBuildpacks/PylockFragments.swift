/// The pylock pathway's parts: `uv pip install -r <lock>` (uv reads PEP 751 locks and checks every hash), then
/// the repository's own package without dependencies when it is one, so the lock alone decides the versions.
enum PylockFragments {
    static func lock(_ s: RepoSnapshot) throws -> PylockFile {
        guard let path = try PylockFile.path(in: s), let bytes = try s.readBytes(path) else {
            throw BuildpackError.unreadable(file: "pylock.toml", reason: "the file disappeared")
        }
        return try PylockFile(bytes: bytes, file: path)
    }

    static func locked(_ lock: PylockFile) -> [(name: String, version: String)] {
        lock.packages.compactMap { p in p.version.map { (p.name, $0) } }
    }

    static func install(_ lock: PylockFile, _ s: RepoSnapshot, replaced: [String]) throws -> Fragments {
        var f = Fragments()
        let file = try DockerfileText.word(lock.file)
        let install = BuildStep(
            .notebookUser,
            """
            uv pip install --preview-features pylock --python ${KERNEL_PYTHON_PREFIX} -r \(file)
            \(JupyterStack.checkStep(lockFile: lock.file, replaced: replaced))
            """, caches: [.uv])
        f.preassembleFiles = [lock.file]
        // Unlike requirements.txt next to a package, the lock does not move after the copy: it names no package files.
        let isPackage = try Pyproject.isPythonPackage(s)
        if lock.hasLocalSources { f.assembleSteps.append(install) } else { f.preassembleSteps.append(install) }
        if isPackage {
            f.assembleSteps.append(BuildStep(.notebookUser, "uv pip install --python ${KERNEL_PYTHON_PREFIX} --no-deps .", caches: [.uv]))
        }
        return f
    }
}
