@testable import R2DBuildpacks
import R2DBuildpackAssets

/// Project.toml `[compat] julia`: JuliaCompat.parse and the release match on the input as a compat string
/// (the whole-file path is in TomlFiles).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJuliaCompat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    for compat in [text] {
        do {
            _ = try JuliaVersionRules.version(compat: compat, releases: BuildpackAssets.juliaReleases, file: "Project.toml")
        } catch {
            FuzzInput.requireOneLine(error)
        }
    }
    return 0
}
