/// Calendar dates in UTC without Foundation's formatters: those load ICU's time-zone data, which costs
/// milliseconds and megabytes of resident memory on every run (bench/results-issue2.md).
public struct UTCTimestamp: Equatable, Sendable {
    public var year: Int64
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// The UTC calendar fields of a count of seconds since 1970-01-01T00:00:00Z (proleptic Gregorian).
    public init(secondsSinceEpoch seconds: Int64) {
        let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
        hour = Int(secondOfDay / 3600)
        minute = Int(secondOfDay % 3600 / 60)
        second = Int(secondOfDay % 60)
        // Days to civil date, after Howard Hinnant's "chrono-compatible low-level date algorithms".
        let shifted = days + 719_468
        let (era, dayOfEra) = Self.floorDivide(shifted, 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `YYYY-MM-DD`.
    public var date: String {
        "\(Self.pad(year, 4))-\(Self.pad(Int64(month), 2))-\(Self.pad(Int64(day), 2))"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as ISO 8601 and the OCI `created` annotation want it.
    public var iso8601: String {
        "\(date)T\(Self.pad(Int64(hour), 2)):\(Self.pad(Int64(minute), 2)):\(Self.pad(Int64(second), 2))Z"
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
