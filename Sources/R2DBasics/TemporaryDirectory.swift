#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A new, empty, private (mode 0700) directory: clones, fetched data repositories and scratch space. Callers
/// turn the failure into their own error, which says what to do about it.
public enum TemporaryDirectory {
    /// Why no directory could be made: the parent tried and the system's reason.
    public struct CreationFailure: Error, Sendable {
        public var parent: String
        public var reason: String
    }

    /// `<parent>/<prefix>XXXXXX`, made by mkdtemp.
    public static func create(in parent: String, prefix: String) throws(CreationFailure) -> String {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let created else { throw CreationFailure(parent: parent, reason: String(cString: strerror(errno))) }
        return created
    }

    /// $TMPDIR when set and not empty, else /tmp.
    public static func systemParent(environment: [String: String]) -> String {
        environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }
}
