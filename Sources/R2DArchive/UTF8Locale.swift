#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs libarchive calls under a UTF-8 `LC_CTYPE` for the calling thread only.
///
/// libarchive converts entry names through the current locale. Swift programs run in the "C" locale, where a
/// non-ASCII UTF-8 name cannot be converted (libarchive 3.6.2's pax writer then even dereferences NULL).
/// `uselocale` changes only the calling thread and is restored after the synchronous body, so no global
/// state of the process is touched. `package`, not public: R2DArchiveTestSupport's tar reader needs it too, the
/// product's API does not.
package enum UTF8Locale {
    /// A C.UTF-8 (or en_US.UTF-8) locale, or nil when the system has neither.
    nonisolated(unsafe) private static let handle: locale_t? = {
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] {
            if let locale = newlocale(LC_CTYPE_MASK, name, nil) { return locale }
        }
        return nil
    }()

    /// Whether a UTF-8 locale is available (without one only ASCII names can be stored).
    static var isAvailable: Bool { handle != nil }

    /// Runs `body` with the thread's locale switched to UTF-8.
    package static func run<T>(_ body: () throws -> T) rethrows -> T {
        guard let handle else { return try body() }
        let previous = uselocale(handle)
        defer { uselocale(previous) }
        return try body()
    }
}
