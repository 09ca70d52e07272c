import Testing
@testable import R2DContentProviders

/// `--max-repo-size` for downloads: one budget per fetch, refused from announced sizes, a Content-Length, or as
/// the stream passes the cap.
@Suite("Download budget (--max-repo-size)")
struct DownloadBudgetTests {
    static let input = "https://zenodo.org/records/1"

    @Test("without a cap nothing is refused")
    func noCap() throws {
        let budget = DownloadBudget(limit: nil)
        try budget.admit(announced: [Int64.max / 2, Int64.max / 2], input: Self.input)
        try budget.admit(contentLength: Int64.max, input: Self.input)
        try budget.check(received: Int64.max, input: Self.input)
    }

    static let announced: [([Int64?], Bool)] = [
        ([600, 400], false),
        ([600, 401], true),
        ([nil, 1_000], false),
        ([nil, nil], false),
        ([2_000], true),
    ]

    @Test("announced sizes, unknown ones counted as nothing, are refused when they alone pass the cap", arguments: announced)
    func announcedSizes(sizes: [Int64?], refused: Bool) {
        let budget = DownloadBudget(limit: 1_000)
        do {
            try budget.admit(announced: sizes, input: Self.input)
            #expect(!refused)
        } catch {
            #expect(refused)
            let total: Int64 = sizes.compactMap { $0 }.reduce(0, +)
            let expected = ProviderError.contentTooLarge(input: Self.input, size: total, limit: 1_000, how: .announced)
            #expect((error as? ProviderError) == expected)
        }
    }

    @Test("files count together: a Content-Length or a stream past what is left is refused, naming both sizes")
    func filesTogether() throws {
        let budget = DownloadBudget(limit: 1_000)
        try budget.admit(contentLength: 700, input: Self.input)
        try budget.check(received: 700, input: Self.input)
        budget.add(700)
        #expect(throws: ProviderError.contentTooLarge(input: Self.input, size: 1_001, limit: 1_000, how: .announced)) {
            try budget.admit(contentLength: 301, input: Self.input)
        }
        try budget.check(received: 300, input: Self.input)
        #expect(throws: ProviderError.contentTooLarge(input: Self.input, size: 1_064, limit: 1_000, how: .streamed)) {
            try budget.check(received: 364, input: Self.input)
        }
        let message = "\(ProviderError.contentTooLarge(input: Self.input, size: 1_064, limit: 1_000, how: .streamed))"
        #expect(
            message
                == "Fetching \(Self.input) stopped: the download passed --max-repo-size 1,000 bytes at 1.0 KiB (1,064 bytes); raise --max-repo-size or choose a smaller record."
        )
    }
}
