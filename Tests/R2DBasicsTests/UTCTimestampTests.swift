import R2DBasics
import Foundation
import Testing
@testable import R2DBasics

@Suite("UTC timestamps")
struct UTCTimestampTests {
    @Test(
        "known instants",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00Z"),
            (Int64(-1), "1969-12-31T23:59:59Z"),
            (Int64(951_782_400), "2000-02-29T00:00:00Z"),
            (Int64(4_107_542_399), "2100-02-28T23:59:59Z"),
            (Int64(4_107_542_400), "2100-03-01T00:00:00Z"),
            (Int64(1_763_769_600 + 3_723), "2025-11-22T01:02:03Z"),
            (Int64(-62_135_596_800), "0001-01-01T00:00:00Z"),
        ])
    func known(seconds: Int64, expected: String) {
        #expect(UTCTimestamp(secondsSinceEpoch: seconds).iso8601 == expected)
        #expect(UTCTimestamp(secondsSinceEpoch: seconds).date == String(expected.prefix(10)))
    }

    /// Foundation's formatter is the oracle; the type exists so runs do not load ICU for it.
    @Test("agrees with ISO8601DateFormatter over four centuries")
    func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 10_413_792_000 {  // 2300-01-01
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(UTCTimestamp(secondsSinceEpoch: seconds).iso8601 == expected, "\(seconds)")
            seconds += 86_400 * 13 + 3_607
        }
    }
}
