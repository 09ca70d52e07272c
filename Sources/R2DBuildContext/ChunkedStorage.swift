/// An append-only array kept in fixed-size chunks, so that growing it never copies what it holds: a plain
/// array doubles, and while it copies, the old and the new buffer (three times the contents) are alive at once.
/// For a 200,000-file context that copy was the run's peak memory.
struct ChunkedArray<Element: Sendable>: Sendable {
    private static var chunkShift: Int { 15 }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    mutating func append(_ element: Element) {
        if count & ((1 << Self.chunkShift) - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(1 << Self.chunkShift)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    subscript(index: Int) -> Element {
        chunks[index >> Self.chunkShift][index & ((1 << Self.chunkShift) - 1)]
    }

    func reduce<Result>(_ initial: Result, _ next: (Result, Element) -> Result) -> Result {
        chunks.reduce(initial) { $1.reduce($0, next) }
    }
}

/// Byte runs (names, link targets, paths) back to back in 1 MiB chunks; a run never spans two chunks, so it
/// reads as one contiguous slice. A run's start is its chunk's number times 1 MiB plus its offset there.
struct ChunkedBytes: Sendable {
    static let chunkSize = 1 << 20
    private var chunks: [[UInt8]] = []

    /// Where the next run of `length` bytes would start, or nil when it is longer than a chunk.
    func startOfNext(length: Int) -> Int? {
        guard length <= Self.chunkSize else { return nil }
        guard let last = chunks.last, last.count + length <= Self.chunkSize else { return chunks.count * Self.chunkSize }
        return (chunks.count - 1) * Self.chunkSize + last.count
    }

    /// Appends `bytes` as one run (at `startOfNext(length:)`, which must not be nil).
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        if chunks.last.map({ $0.count + bytes.count > Self.chunkSize }) ?? true {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(contentsOf: bytes)
    }

    /// The `length` bytes of the run at `start`.
    subscript(start: Int, length: Int) -> ArraySlice<UInt8> {
        let offset = start & (Self.chunkSize - 1)
        return chunks[start / Self.chunkSize][offset..<offset + length]
    }
}
