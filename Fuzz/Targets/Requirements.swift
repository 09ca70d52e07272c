@testable import R2DBuildpacks

/// requirements.txt lines and environment.yml `pip:` entries: repo2docker's one "refers to repository files" rule.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequirements(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    _ = Requirements.hasLocalReference(text)
    for line in text.split(whereSeparator: \.isNewline) {
        _ = PipRequirement.isLocal(String(line))
    }
    return 0
}
