@testable import R2DBuildpacks

/// runtime.txt: RuntimeSpec.parse, then the Python and R version rules that read its result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuntimeTxt(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    do {
        let spec = try RuntimeSpec.parse(text, file: "runtime.txt")
        do { _ = try RVersionRules.version(for: spec) } catch { FuzzInput.requireOneLine(error) }
        // A directory that does not exist: no binder dir and no pyproject.toml, so only the runtime counts.
        let snapshot = try RepoSnapshot(root: "/nonexistent-swift-r2d-fuzz")
        do { _ = try PythonVersionRules.pythonVersion(snapshot, runtime: spec) } catch { FuzzInput.requireOneLine(error) }
    } catch {
        FuzzInput.requireOneLine(error)
    }
    return 0
}
