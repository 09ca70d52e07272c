@testable import R2DBuildContext

/// .dockerignore / .containerignore: IgnoreRules.parse, compiling the patterns, and matching paths made from
/// the same input (each line as a path) and a few fixed ones.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIgnorePatterns(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    let patterns = IgnoreRules.parse(text)
    let rules = IgnoreRules(patterns: patterns)
    let lines = text.split(whereSeparator: \.isNewline).prefix(16).map(String.init)
    for path in lines + ["a", "a/b/c.txt", ".git/config", "src/deep/er/file.py", "Dockerfile"] {
        _ = rules.isExcluded(path)
        _ = PathText.clean(path)
    }
    return 0
}
