import Foundation
import R2DArchive
import R2DArchiveTestSupport
import R2DBuildContext
import Testing

@Suite("BuildContextStream")
struct BuildContextStreamTests {
    private func bigTree(megabytes: Int) throws -> TemporaryTree {
        let tree = try TemporaryTree("big")
        var block = [UInt8](repeating: 0, count: 1 << 20)
        for index in block.indices { block[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 3) }
        var contents: [UInt8] = []
        contents.reserveCapacity(megabytes << 20)
        for _ in 0..<megabytes { contents += block }
        try tree.file("big.bin", bytes: contents)
        try tree.file("small.txt", "small\n")
        return tree
    }

    @Test("a slow consumer keeps the producer within the buffer bound; summary equals digest")
    func backPressure() async throws {
        let tree = try bigTree(megabytes: 50)
        let spec = BuildContextSpec(root: tree.root, prefix: "src/")
        let stream = BuildContext.stream(spec)
        var total = 0
        var chunks = 0
        var worstLead = 0
        for try await chunk in stream {
            chunks += 1
            total += chunk.count
            #expect(chunk.count <= BuildContextStream.chunkSize)
            let progress = stream.progress
            worstLead = max(worstLead, progress.producedChunks - progress.consumedChunks)
            if chunks % 10 == 0 {
                // Give the producer every chance to run ahead.
                try await Task.sleep(for: .milliseconds(20))
                let later = stream.progress
                worstLead = max(worstLead, later.producedChunks - later.consumedChunks)
            }
        }
        #expect(total > 50 << 20)
        #expect(chunks >= 200)
        #expect(stream.progress.peakBufferedChunks <= BuildContextStream.bufferLimit)
        #expect(stream.progress.peakBufferedChunks >= 1)
        #expect(worstLead <= BuildContextStream.bufferLimit)
        let summary = try await stream.summary()
        let digest = try BuildContext.digest(spec)
        #expect(summary.sha256 == digest.sha256)
        #expect(summary.bytes == digest.bytes)
        #expect(summary.bytes == Int64(total))
        #expect(summary.sha256.count == 64)
    }

    /// A taken chunk must belong to the consumer alone, also while the producer stays ahead of it (the
    /// buffer never empties): a stream that kept references would grow without bound on a slow daemon.
    @Test("the stream keeps no reference to a chunk once it is taken")
    func takenChunksAreReleased() async throws {
        let tree = try bigTree(megabytes: 20)
        let stream = BuildContext.stream(BuildContextSpec(root: tree.root))
        var iterator = stream.makeAsyncIterator()
        var checked = 0
        while var chunk = try await iterator.next() {
            // Let the producer fill the buffer behind this chunk.
            let deadline = ContinuousClock.now + .seconds(5)
            while stream.progress.producedChunks - stream.progress.consumedChunks < 2 && !stream.progress.producerFinished
                && ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(1))
            }
            guard stream.progress.producedChunks - stream.progress.consumedChunks >= 2 else { continue }
            // Writing to an array buffer that something else still holds copies it first; to one held only
            // here, it writes in place.
            let before = chunk.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            chunk[0] ^= 0xFF
            let after = chunk.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            #expect(before == after, "chunk \(stream.progress.consumedChunks) is still referenced by the stream")
            checked += 1
            if checked == 20 { break }
        }
        #expect(checked == 20)
    }

    @Test("cancelling the consuming task stops the producer promptly")
    func cancellation() async throws {
        let tree = try bigTree(megabytes: 50)
        let stream = BuildContext.stream(BuildContextSpec(root: tree.root))
        let consumer = Task {
            var received = 0
            for try await _ in stream {
                received += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            return received
        }
        while stream.progress.consumedChunks < 2 {
            try await Task.sleep(for: .milliseconds(5))
        }
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }
        let deadline = ContinuousClock.now + .seconds(5)
        while !stream.progress.producerFinished && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(stream.progress.producerFinished)
        #expect(stream.progress.producedChunks < 20)
        await #expect(throws: CancellationError.self) { try await stream.summary() }
    }

    @Test("leaving the loop early stops the producer")
    func earlyExit() async throws {
        let tree = try bigTree(megabytes: 20)
        let stream = BuildContext.stream(BuildContextSpec(root: tree.root))
        for try await _ in stream { break }
        let deadline = ContinuousClock.now + .seconds(5)
        while !stream.progress.producerFinished && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(stream.progress.producerFinished)
        #expect(stream.progress.producedChunks < 20)
    }

    @Test("iterating a temporary stream directly works (the iterator keeps the producer alive)")
    func temporaryStream() async throws {
        let tree = try bigTree(megabytes: 2)
        var total = 0
        for try await chunk in BuildContext.stream(BuildContextSpec(root: tree.root)) {
            total += chunk.count
        }
        #expect(Int64(total) == (try BuildContext.digest(BuildContextSpec(root: tree.root))).bytes)
    }

    @Test("a stream can be consumed once; summary before consuming is an error")
    func singleUse() async throws {
        let tree = try TemporaryTree("once")
        try tree.file("a.txt", "a\n")
        let stream = BuildContext.stream(BuildContextSpec(root: tree.root))
        await #expect(throws: BuildContextError.self) { try await stream.summary() }
        let bytes = try await collect(stream)
        #expect(try TarReader.entries(in: bytes).map(\.name) == ["a.txt"])
        await #expect(throws: BuildContextError.self) { try await collect(stream) }
        let summary = try await stream.summary()
        #expect(summary.bytes == Int64(bytes.count))
    }

    @Test("a file vanishing mid-walk is an error naming it")
    func vanishingFile() async throws {
        // big.bin is streamed first; while the producer waits on back-pressure, z.txt disappears.
        let tree = try bigTree(megabytes: 8)
        let doomed = try tree.file("z.txt", "doomed\n")
        let stream = BuildContext.stream(BuildContextSpec(root: tree.root))
        var removed = false
        let error = await #expect(throws: BuildContextError.self) {
            for try await _ in stream where !removed {
                removed = unlink(doomed) == 0
            }
        }
        #expect(removed)
        #expect(error?.description.contains(doomed) == true)
        await #expect(throws: BuildContextError.self) { try await stream.summary() }
    }

    @Test("without the digest the stream carries the same bytes and the summary only their count")
    func withoutDigest() async throws {
        let tree = try bigTree(megabytes: 3)
        let spec = BuildContextSpec(root: tree.root, prefix: "src/")
        let hashed = BuildContext.stream(spec)
        let hashedBytes = try await collect(hashed)
        let plain = BuildContext.stream(spec, computingDigest: false)
        let plainBytes = try await collect(plain)
        #expect(plainBytes == hashedBytes)
        let summary = try await plain.summary()
        #expect(summary.sha256 == "")
        #expect(summary.bytes == Int64(plainBytes.count))
        #expect(try await hashed.summary().sha256 == BuildContext.digest(spec).sha256)
    }

    @Test("digest and stream agree for an empty context")
    func emptyContext() async throws {
        let tree = try TemporaryTree("nothing")
        let spec = BuildContextSpec(root: tree.root, prefix: "src/", emptyRootDirectory: true)
        let bytes = try await collect(BuildContext.stream(spec))
        #expect(try TarReader.entries(in: bytes).map(\.name) == ["src/"])
        #expect(try BuildContext.digest(spec).bytes == Int64(bytes.count))
    }
}
