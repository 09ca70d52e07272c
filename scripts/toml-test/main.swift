import Foundation
// Checks R2DTOML against the toml-test suite (github.com/toml-lang/toml-test): every file its TOML 1.0.0 list
// names, valid ones parsed to the values of their .json, invalid ones refused. See scripts/toml-test/run.sh.
let base = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] + "/" : "/tmp/toml-test/tests/"
let list = try! String(contentsOfFile: base + "files-toml-1.0.0", encoding: .utf8).split(separator: "\n").filter { $0.hasSuffix(".toml") }
var bad: [String] = []
func same(_ v: TOMLValue, _ j: Any) -> Bool {
    switch v {
    case .table(let t):
        guard let d = j as? [String: Any], Set(d.keys) == Set(t.keys) else { return false }
        return t.keys.allSatisfy { same(t[$0]!, d[$0]!) }
    case .array(let a):
        guard let arr = j as? [Any], arr.count == a.count else { return false }
        return zip(a, arr).allSatisfy { same($0, $1) }
    default:
        guard let d = j as? [String: Any], let type = d["type"] as? String, let value = d["value"] as? String else { return false }
        switch v {
        case .string(let s): return type == "string" && s == value
        case .integer(let i): return type == "integer" && String(i) == value
        case .float(let f):
            guard type == "float" else { return false }
            if f.isNaN { return value.contains("nan") }
            if f.isInfinite { return value.contains("inf") && (f < 0) == value.hasPrefix("-") }
            return Double(value) == f
        case .bool(let b): return type == "bool" && String(b) == value
        case .datetime: return type.hasPrefix("date") || type.hasPrefix("time")
        default: return false
        }
    }
}
for path in list where path.hasPrefix("invalid/") {
    let data = [UInt8](FileManager.default.contents(atPath: base + path) ?? Data())
    if (try? TOMLDocument.parse(data)) != nil { bad.append("ACCEPTED " + path) }
}
for path in list where path.hasPrefix("valid/") {
    let data = [UInt8](FileManager.default.contents(atPath: base + path) ?? Data())
    let json = try! JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: base + path.dropLast(5) + ".json")!)
    guard let t = try? TOMLDocument.parse(data) else { bad.append("REFUSED " + path); continue }
    if !same(.table(t), json) { bad.append("DIFFERS " + path) }
}
print("toml-test 1.0.0: \(list.count) files, \(bad.count) read wrongly"); bad.forEach { print($0) }
exit(bad.isEmpty ? 0 : 1)
