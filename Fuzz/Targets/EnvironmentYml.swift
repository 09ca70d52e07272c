@testable import R2DBuildpacks

/// environment.yml: libyaml through R2DYAML, CondaEnvironmentFile.parse and what the conda pathway reads from
/// the result. Every refusal must be one line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvironmentYml(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let environment = try CondaEnvironmentFile.parse(Array(UnsafeBufferPointer(start: data, count: size)), file: "environment.yml")
        _ = environment.pythonVersion(defaultPython: "3.10")
        _ = environment.rBaseVersion
        _ = environment.wantsR
        _ = environment.hasLocalPipRequirement
    } catch {
        FuzzInput.requireOneLine(error)
    }
    return 0
}
