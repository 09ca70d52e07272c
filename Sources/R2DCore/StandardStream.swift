#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// stdout or stderr, written with write(2). Every byte the program prints goes through one of the two
/// instances: Foundation's `FileHandle.write(_:)` and `print` either trap or drop the error when a write fails
/// (a full disk, a closed descriptor, a reader that went away), and the run must instead end with status 1.
/// A failed write is recorded, not thrown: the caller decides what the run's status becomes.
public final class StandardStream: Sendable {
    public static let output = StandardStream(descriptor: STDOUT_FILENO)
    public static let error = StandardStream(descriptor: STDERR_FILENO)

    public let descriptor: Int32
    /// The errno of the first failed write, 0 while every write has succeeded.
    private let firstFailure = Atomic<Int32>(0)
    /// Whole messages, not their parts, alternate between threads.
    private let writing = Mutex(())

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes all of `text`; false (and the failure recorded) when it could not be written.
    @discardableResult
    public func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let failure = writing.withLock { _ in Self.write(bytes, to: descriptor) }
        guard let failure else { return true }
        recordFailure(failure)
        return false
    }

    /// The errno of the first write that failed, nil if none did.
    public var failure: Int32? {
        let code = firstFailure.load(ordering: .acquiring)
        return code == 0 ? nil : code
    }

    /// Records a failure found by someone writing this stream's output through another descriptor (the
    /// `--json-logs` guard forwards stderr through a pipe).
    public func recordFailure(_ code: Int32) {
        _ = firstFailure.compareExchange(expected: 0, desired: code == 0 ? EIO : code, ordering: .acquiringAndReleasing)
    }

    /// "No space left on device" for the recorded failure.
    public var failureDescription: String? {
        failure.map { String(cString: strerror($0)) }
    }

    /// Writes every byte of `bytes` to `descriptor`: goes on after a partial write or an interrupting signal,
    /// waits when the descriptor is non-blocking and full. nil on success, else the errno that stopped it.
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, base + offset, bytes.count - offset)
            if written > 0 {
                offset += written
                continue
            }
            if written == 0 { return EIO }  // nothing taken and no error: retrying would spin
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK, waitUntilWritable(descriptor) { continue }
            return code
        }
        return nil
    }

    private static func waitUntilWritable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        while true {
            let ready = poll(&entry, 1, -1)
            if ready > 0 { return entry.revents & Int16(POLLERR | POLLNVAL) == 0 }
            if ready < 0, errno == EINTR { continue }
            return false
        }
    }

    /// Call first thing in `main`. A write to a pipe whose reader is gone must come back as EPIPE instead of
    /// killing the process; and a standard descriptor the caller closed (`>&-`) is held by a read-only
    /// /dev/null, so writes to it fail (and are reported) rather than land in whatever file is opened next
    /// and takes its number.
    public static func prepareProcess() {
        signal(SIGPIPE, SIG_IGN)
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let placeholder = open("/dev/null", O_RDONLY)
            guard placeholder >= 0 else { continue }
            if placeholder != descriptor {
                dup2(placeholder, descriptor)
                close(placeholder)
            }
        }
    }
}

/// write(2) itself: inside `StandardStream` the bare name is the method.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
