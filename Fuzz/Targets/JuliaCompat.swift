@testable import R2DBuildpacks
import R2DBuildpackAssets

/// Project.toml `[compat] julia`: the TOML scan, JuliaCompat.parse and the release match, on the input both
/// as a whole Project.toml and as a compat string.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJuliaCompat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    var compats = [text]
    if let fromToml = PyprojectScan.keyValues(in: "compat", of: text)["julia"] { compats.append(fromToml) }
    for compat in compats {
        do {
            _ = try JuliaVersionRules.version(compat: compat, releases: BuildpackAssets.juliaReleases, file: "Project.toml")
        } catch {
            FuzzInput.requireOneLine(error)
        }
    }
    return 0
}
