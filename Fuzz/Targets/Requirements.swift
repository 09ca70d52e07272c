@testable import R2DBuildpacks

/// requirements.txt lines and environment.yml `pip:` entries: the "refers to repository files" checks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequirements(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    _ = Requirements.hasLocalReference(text)
    for line in text.split(whereSeparator: \.isNewline) {
        _ = Requirements.isLocal(String(line))
        _ = CondaEnvironmentFile.isLocalPipRequirement(String(line))
    }
    return 0
}
