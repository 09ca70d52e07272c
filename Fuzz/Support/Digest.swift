/// Stand-in for R2DCore's Digest (swift-crypto is not compiled into the fuzz targets): the fuzzed parsers
/// only need some 64-hex-digit string here, not a real sha256.
enum Digest {
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }
}
