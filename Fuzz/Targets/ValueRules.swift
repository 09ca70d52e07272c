@testable import R2DBuildpacks

/// The value rules (ValueRules.swift): whatever a rule accepts can be written into a Dockerfile without a line
/// break, and the kinds that are never quoted (image references, user names, container paths, apt tokens) hold
/// no character a shell or a Dockerfile reads specially. The first byte picks the rule.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValueRules(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let rules = ValueRule.allCases
    let rule = rules[Int(data[0]) % rules.count]
    let value = FuzzInput.text(data + 1, size - 1)
    let accepted = rule.accepts(value)
    do {
        try rule.check(value)
        if !accepted { fatalError("check passed what accepts refused: \(rule) \(value.debugDescription)") }
    } catch {
        if accepted { fatalError("check refused what accepts passed: \(rule) \(value.debugDescription)") }
        FuzzInput.requireOneLine(error)
    }
    guard accepted else { return 0 }
    if rule != .userID && value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
        fatalError("\(rule) accepted a control character: \(value.debugDescription)")
    }
    let unquoted: Set<ValueRule> = [.imageReference, .userName, .containerPath, .aptPackage, .platform, .buildArgumentName]
    // `~` is not among them: Debian versions use it (1.0~rc1), and no accepted token can start a word with it.
    let special = Set(" \t'\"`$\\;&|<>()*?[]{}#!".unicodeScalars)
    if unquoted.contains(rule), value.unicodeScalars.contains(where: special.contains) {
        fatalError("\(rule) accepted a shell-special character: \(value.debugDescription)")
    }
    if rule == .aptPackage, value.hasPrefix("-") || value.hasPrefix("~") { fatalError("an apt token can be an option or a tilde word: \(value)") }
    if rule == .url, URLValue.hasCredentials(value) { fatalError("a URL with credentials was accepted: \(value)") }
    return 0
}
