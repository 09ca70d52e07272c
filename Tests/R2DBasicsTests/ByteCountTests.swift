import Testing
@testable import R2DBasics

@Suite("Byte counts (--max-repo-size)")
struct ByteCountTests {
    static let sizes: [(String, Int64)] = [
        ("1048576", Int64(1_048_576)),
        ("1", Int64(1)),
        ("500M", Int64(500) << 20),
        ("500m", Int64(500) << 20),
        ("2G", Int64(2) << 30),
        ("2g", Int64(2) << 30),
        ("1.5G", Int64(3) << 29),
        ("0.5K", Int64(512)),
        ("64K", Int64(64) << 10),
        ("1T", Int64(1) << 40),
        ("2GB", Int64(2) << 30),
        ("2GiB", Int64(2) << 30),
        ("100MiB", Int64(100) << 20),
        ("10B", Int64(10)),
        ("1.25M", Int64(1_310_720)),
    ]

    @Test("sizes as operators write them; K, M, G, T are powers of 1024", arguments: sizes)
    func parses(text: String, bytes: Int64) throws {
        #expect(try ByteCount.parse(text) == bytes)
    }

    @Test(
        "what is not a size is refused, saying what a size looks like",
        arguments: [
            "", "G", "B", "KB", "-1M", "0", "0G", "0.0M", "1.M", ".5G", "2X", "1e6", "1,000", "1 G", "2GG", "1.2.3M", "one", "9999999999T",
        ]
    )
    func refuses(text: String) {
        #expect(throws: ByteCount.Invalid.self) { try ByteCount.parse(text) }
        let message = (try? ByteCount.parse(text)).map { _ in "" } ?? Self.message(text)
        #expect(message.hasPrefix(ByteCount.grammar), "\(message)")
        #expect(!message.contains("\n"))
    }

    static func message(_ text: String) -> String {
        do {
            _ = try ByteCount.parse(text)
            return ""
        } catch {
            return "\(error)"
        }
    }

    static let shown: [(Int64, String)] = [
        (Int64(0), "0 bytes"),
        (Int64(1023), "1,023 bytes"),
        (Int64(1024), "1.0 KiB (1,024 bytes)"),
        (Int64(3) << 29, "1.5 GiB (1,610,612,736 bytes)"),
        (Int64(5_242_880), "5.0 MiB (5,242,880 bytes)"),
        (Int64(1_048_575), "1023.9 KiB (1,048,575 bytes)"),
        (Int64(100) << 40, "100.0 TiB (109,951,162,777,600 bytes)"),
    ]

    @Test("sizes in messages: the unit for reading, the exact count for comparing", arguments: shown)
    func describes(bytes: Int64, text: String) {
        #expect(ByteCount.describe(bytes) == text)
    }
}
