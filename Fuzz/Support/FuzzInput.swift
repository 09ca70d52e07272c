/// Helpers shared by every fuzz target (compiled into each target's executable).
enum FuzzInput {
    /// The input as text, the way RepoSnapshot.readText falls back for bytes that are not UTF-8.
    static func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    }

    /// Every error the tool prints must be one line; a description with a line break is a bug.
    static func requireOneLine(_ error: any Error) {
        let description = String(describing: error)
        if description.contains(where: \.isNewline) {
            fatalError("error description is not one line: \(description.debugDescription)")
        }
    }
}
