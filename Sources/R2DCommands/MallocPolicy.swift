#if canImport(Glibc)
    import Glibc
#endif

/// How glibc's malloc is tuned for a run. By default it keeps up to eight arenas per core, one per thread that
/// allocates, and each keeps what its threads freed; a build's threads (NIO's event loops, the dispatch pool, the
/// walk) then hold several times the live heap (bench/results-issue19.md: 76 MB of anonymous memory for a
/// 20–29 MB heap). Two arenas, and a fixed threshold past which blocks are mapped on their own and returned when
/// freed, keep a run near its live heap. A `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` in the environment
/// wins (glibc reads them itself), so the choice can still be measured and overridden.
enum MallocPolicy {
    /// glibc's `mallopt` parameters (malloc.h), which the Glibc module does not export.
    private static let arenaMax: Int32 = -8
    private static let mmapThreshold: Int32 = -3

    static let arenas: Int32 = 2
    /// Above the 32 KiB pieces files are read in, so those stay in the arenas' free lists.
    static let mappedFrom: Int32 = 128 * 1024

    static func apply(environment: [String: String]) {
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        if environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(arenaMax, arenas) }
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(mmapThreshold, mappedFrom) }
    }
}
