import Foundation
import NIOCore

/// Decodes a JSON-lines stream, one JSON document per line: the shape of the daemon's build and push progress.
///
/// Chunks may split a line anywhere, so bytes are buffered until a "\n" ends the line. Lines made only of
/// spaces, tabs, CR and LF are skipped (a CRLF stream leaves a CR at the end of each line; JSON allows the
/// trailing whitespace). A line that does not decode as `Message` becomes the error `undecodableLine` makes of
/// its text, so each stream words that failure itself. Messages come out one at a time, so a caller handling
/// them in order sees an earlier line's message (say a build error) before a later line's decoding failure.
struct JSONLinesDecoder<Message: Decodable> {
    private var lines = LineSplitter()
    private let decoder = JSONDecoder()
    /// Makes the error for a line that is not a `Message`, given the line's text trimmed of whitespace.
    private let undecodableLine: (String) -> any Error

    init(_ type: Message.Type = Message.self, undecodableLine: @escaping (String) -> any Error) {
        self.undecodableLine = undecodableLine
    }

    mutating func append(_ bytes: some Sequence<UInt8>) {
        lines.append(bytes)
    }

    mutating func append(_ byteBuffer: ByteBuffer) {
        lines.append(byteBuffer)
    }

    /// The message of the next complete non-blank line, or nil when no further line is complete yet.
    mutating func nextMessage() throws -> Message? {
        while let line = lines.nextLine() {
            if let message = try decode(line) { return message }
        }
        return nil
    }

    /// The message of a last line left without its "\n" when the stream ended, or nil if there is none.
    mutating func finish() throws -> Message? {
        guard let rest = lines.finish() else { return nil }
        return try decode(rest)
    }

    private func decode(_ line: [UInt8]) throws -> Message? {
        // Leading whitespace only: JSONDecoder itself accepts trailing whitespace, the "\n" and a CRLF's "\r".
        let trimmed = line.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard !trimmed.isEmpty else { return nil }
        do {
            return try decoder.decode(Message.self, from: Data(trimmed))
        } catch {
            throw undecodableLine(String(decoding: trimmed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
