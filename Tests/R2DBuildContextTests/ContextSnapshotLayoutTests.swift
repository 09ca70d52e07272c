import Testing

@testable import R2DBuildContext

/// The snapshot of a 200,000-file context is held for the whole transfer (403,000 entries with `.git`): a record
/// that grew past 32 bytes would cost 3 MB more there.
@Test("a snapshot record stays 32 bytes")
func snapshotRecordStride() {
    #expect(ContextSnapshot.recordStride == 32)
}
