import Synchronization

/// Counts the requests a stub route has answered, from any thread: the route asks for the next number (1 for the
/// first call), and the test reads the total afterwards.
public final class CallCounter: Sendable {
    private let count = Mutex(0)

    public init() {}

    /// Counts one more call and returns how many there have been, this one included.
    public func next() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }

    /// The calls counted so far.
    public var value: Int { count.withLock { $0 } }
}
