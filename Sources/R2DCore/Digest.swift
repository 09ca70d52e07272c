import Crypto
import Foundation
import R2DBasics

enum Digest {
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }

    /// The sha256 of a file read in 64 KiB pieces: a repository's file of any size is hashed in bounded memory.
    static func sha256Hex(fileAt path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try handle.read(upToCount: 64 << 10), !piece.isEmpty {
            hasher.update(data: piece)
        }
        return Hex.encode(hasher.finalize())
    }
}
