@testable import R2DBuildpacks
import R2DBuildpackAssets

/// pyproject.toml, Pipfile and Project.toml: R2DTOML under both readers' rules, then what each
/// pathway takes from the file (requires-python and its PEP 440 set, the Pipfile's version, the julia compat).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTomlFiles(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let pyproject = try TOMLFile(bytes: bytes, file: "pyproject.toml", reader: .tomllib)
        if try pyproject.table(["project"]) != nil, let specifier = try pyproject.string(["project", "requires-python"]) {
            let set = try PythonVersionRules.specifierSet(specifier)
            _ = PythonVersionRules.pyprojectCandidates.filter(set.contains)
        }
    } catch {
        FuzzInput.requireOneLine(error)
    }
    do {
        let project = try TOMLFile(bytes: bytes, file: "Project.toml", reader: .toml)
        if let compat = try JuliaVersionRules.compat(in: project) {
            _ = try JuliaVersionRules.version(compat: compat, releases: BuildpackAssets.juliaReleases, file: "Project.toml")
        }
        if try project.table(["requires"]) != nil {
            _ = try project.string(["requires", "python_version"]).flatMap { PythonVersionRules.leadingVersion($0, defaultPython: "3.10") }
        }
    } catch {
        FuzzInput.requireOneLine(error)
    }
    return 0
}
