@testable import R2DBuildpacks

/// apt.txt: AptPackages.parse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAptTxt(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let packages = try AptPackages.parse(FuzzInput.text(data, size), file: "apt.txt")
        if packages.contains(where: { $0.isEmpty || $0.contains(where: \.isNewline) }) {
            fatalError("apt.txt yielded an empty or multi-line package name: \(packages)")
        }
        // Each token reaches a root `apt-get install` unquoted: it must be a package, never an option or shell word.
        if let bad = packages.first(where: { !ValueRule.aptPackage.accepts($0) || $0.hasPrefix("-")
            || $0.unicodeScalars.contains(where: { " \t;&|$`'\"()<>*?[]{}\\".unicodeScalars.contains($0) }) }) {
            fatalError("apt.txt yielded a token outside the grammar: \(bad.debugDescription)")
        }
    } catch {
        FuzzInput.requireOneLine(error)
    }
    return 0
}
