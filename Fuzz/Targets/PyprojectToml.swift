@testable import R2DBuildpacks

/// Pipfile and pyproject.toml: the TOML scan (tables, `key = value`), `requires-python` as a PEP 440
/// specifier set, and the Pipfile `[requires]` version rule.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPyprojectToml(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    _ = PyprojectScan.tableNames(text)
    for value in PyprojectScan.keyValues(in: "requires", of: text).values {
        _ = PythonVersionRules.leadingVersion(value, defaultPython: "3.10")
    }
    if let specifier = PyprojectScan.requiresPython(text) {
        let set = VersionSpecifierSet(specifier)
        _ = PythonVersionRules.pyprojectCandidates.last(where: set.contains)
    }
    return 0
}
