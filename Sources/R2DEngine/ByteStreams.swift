import NIOCore

/// Splits a byte stream into newline-terminated lines; lines may arrive split across chunks.
struct LineSplitter {
    private var buffer: [UInt8] = []
    private var start = 0

    mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    mutating func append(_ byteBuffer: ByteBuffer) {
        buffer.append(contentsOf: byteBuffer.readableBytesView)
    }

    /// The next complete line including its "\n", or nil when none is complete yet.
    mutating func nextLine() -> [UInt8]? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            compact()
            return nil
        }
        let line = Array(buffer[start...newline])
        start = newline + 1
        return line
    }

    /// Whatever is left after the stream ended (a last line without "\n"), or nil.
    mutating func finish() -> [UInt8]? {
        defer { buffer = []; start = 0 }
        return start < buffer.count ? Array(buffer[start...]) : nil
    }

    private mutating func compact() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}

/// Decodes the 8-byte-header frames of a non-TTY attach/logs stream.
struct StreamDemultiplexer {
    enum Kind: Sendable, Equatable { case stdin, stdout, stderr }

    private var pending: [UInt8] = []
    /// Set when the stream turned out not to be framed (e.g. a TTY); everything is then stdout.
    private(set) var isRaw = false

    mutating func append(_ byteBuffer: ByteBuffer) -> [(Kind, [UInt8])] {
        append(Array(byteBuffer.readableBytesView))
    }

    mutating func append(_ bytes: [UInt8]) -> [(Kind, [UInt8])] {
        if isRaw { return bytes.isEmpty ? [] : [(.stdout, bytes)] }
        pending.append(contentsOf: bytes)
        var frames: [(Kind, [UInt8])] = []
        var offset = 0
        while pending.count - offset >= 8 {
            let header = pending[offset..<offset + 8]
            let kindByte = header[offset]
            guard kindByte <= 2, header[offset + 1] == 0, header[offset + 2] == 0, header[offset + 3] == 0 else {
                isRaw = true
                let rest = Array(pending[offset...])
                pending = []
                frames.append((.stdout, rest))
                return frames
            }
            let size = header[(offset + 4)...].reduce(0) { ($0 << 8) | Int($1) }
            guard pending.count - offset - 8 >= size else { break }
            let payload = Array(pending[(offset + 8)..<(offset + 8 + size)])
            frames.append((kindByte == 2 ? .stderr : kindByte == 1 ? .stdout : .stdin, payload))
            offset += 8 + size
        }
        pending.removeFirst(offset)
        return frames
    }
}
