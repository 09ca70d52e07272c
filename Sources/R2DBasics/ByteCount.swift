/// A size in bytes as people write it on a command line (`500M`, `2G`, `1.5G`, `1048576`) and as messages show
/// it (`2.0 GiB (2,147,483,648 bytes)`). The suffixes are powers of 1024, as in JupyterHub's and BinderHub's
/// `ByteSpecification` traits (`memory_limit = "2G"`) and Docker's `--memory 2g`, which the operators who set
/// a repository cap already write.
public enum ByteCount {
    /// Why a size could not be read; `description` completes "expected …".
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// What a size looks like, for messages: "a size such as 500M, 2G, 1.5G or 1048576 (bytes; K, M, G, T are
    /// powers of 1024)".
    public static let grammar = "a size such as 500M, 2G, 1.5G or 1048576 (bytes; K, M, G, T are powers of 1024)"

    /// The largest size accepted: 8 EiB would not fit in an Int64, and nothing is that large.
    static let maximum = Int64(1) << 62

    /// Parses `<number>[K|M|G|T][B]` (case-insensitive, optional `i` before the `B`: `2GiB`); the number may
    /// have a fraction (`1.5G`), and the result is rounded down to whole bytes. Zero and negative sizes are
    /// refused, as a cap of nothing means nothing.
    public static func parse(_ text: String) throws -> Int64 {
        var scalars = Array(text.unicodeScalars)
        let invalid = Invalid(description: grammar)
        if let last = scalars.last, last == "b" || last == "B", scalars.count > 1 {
            scalars.removeLast()
            if let next = scalars.last, next == "i" || next == "I" { scalars.removeLast() }
        }
        var shift: Int64 = 0
        if let last = scalars.last, let power = suffixPower(last) {
            shift = power
            scalars.removeLast()
        }
        guard let (whole, fraction, fractionDigits) = number(scalars) else { throw invalid }
        let multiplier = Int64(1) << (10 * shift)
        guard whole <= maximum / multiplier else { throw Invalid(description: grammar + ", at most 4096P") }
        var bytes = whole * multiplier
        if fractionDigits > 0 {
            var scale: Int64 = 1
            for _ in 0..<fractionDigits { scale *= 10 }
            bytes += Int64((Double(fraction) / Double(scale)) * Double(multiplier))
        }
        guard bytes > 0 else { throw Invalid(description: grammar + ", more than zero") }
        return bytes
    }

    private static func suffixPower(_ scalar: Unicode.Scalar) -> Int64? {
        switch scalar {
        case "k", "K": return 1
        case "m", "M": return 2
        case "g", "G": return 3
        case "t", "T": return 4
        default: return nil
        }
    }

    /// Digits with an optional `.digits` part (at most 9 fraction digits): the whole part, the fraction as an
    /// integer and its number of digits.
    private static func number(_ scalars: [Unicode.Scalar]) -> (Int64, Int64, Int)? {
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var wholeDigits = 0
        for scalar in scalars {
            if scalar == "." {
                guard !seenPoint, wholeDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            guard let digit = digitValue(scalar) else { return nil }
            if seenPoint {
                guard fractionDigits < 9 else { return nil }
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else {
                guard whole <= (maximum - digit) / 10 else { return nil }
                whole = whole * 10 + digit
                wholeDigits += 1
            }
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        return (whole, fraction, fractionDigits)
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int64? {
        guard scalar.value >= 48, scalar.value <= 57 else { return nil }
        return Int64(scalar.value - 48)
    }

    /// `512 bytes`, or `1.5 MiB (1,572,864 bytes)`: the unit for reading, the exact count for comparing.
    public static func describe(_ bytes: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard bytes >= 1024 else { return "\(grouped(bytes)) bytes" }
        var unit = 0
        var scaled = Double(bytes) / 1024
        while scaled >= 1024 && unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        let tenths = Int64((scaled * 10).rounded(.down))
        return "\(tenths / 10).\(tenths % 10) \(units[unit]) (\(grouped(bytes)) bytes)"
    }

    /// The count with a comma every three digits.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
