import SwiftProtobuf

/// Nanoseconds since the Unix epoch, from a protobuf Timestamp. Whole integers rather than Double, so that the
/// durations printed are the same on every machine and golden files can compare them exactly.
struct TraceTime: Comparable, Sendable {
    var nanoseconds: Int64

    init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    init(_ timestamp: SwiftProtobuf.Google_Protobuf_Timestamp) {
        nanoseconds = timestamp.seconds &* 1_000_000_000 &+ Int64(timestamp.nanos)
    }

    static func < (lhs: TraceTime, rhs: TraceTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// `later - earlier` as seconds with `decimals` decimals, rounded half up; never negative, because clocks
    /// of the daemon's parts may disagree by a little and "-0.001" would only confuse.
    static func seconds(from earlier: TraceTime, to later: TraceTime, decimals: Int) -> String {
        var unit: Int64 = 1_000_000_000
        for _ in 0..<decimals { unit /= 10 }
        let elapsed = max(0, later.nanoseconds &- earlier.nanoseconds)
        let units = (elapsed + unit / 2) / unit
        guard decimals > 0 else { return String(units) }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let fraction = String(units % scale)
        return "\(units / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
