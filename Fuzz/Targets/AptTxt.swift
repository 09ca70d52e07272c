@testable import R2DBuildpacks

/// apt.txt: AptPackages.parse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAptTxt(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let packages = try AptPackages.parse(FuzzInput.text(data, size), file: "apt.txt")
        if packages.contains(where: { $0.isEmpty || $0.contains(where: \.isNewline) }) {
            fatalError("apt.txt yielded an empty or multi-line package name: \(packages)")
        }
    } catch {
        FuzzInput.requireOneLine(error)
    }
    return 0
}
