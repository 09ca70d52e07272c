import Testing
@testable import R2DCore

@Suite("Image tags from content ids")
struct ContentIDTagTests {
    @Test(
        "a content id becomes a valid tag; ':' and '/' become '-'",
        arguments: [
            ("3242074", "3242074"),
            ("9782777.v2", "9782777.v2"),
            ("swh:1:dir:4b825dc642cb6eb9a060e54bf8d69288fbee4904", "swh-1-dir-4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
            ("doi:10.7910/DVN/TJCLKP", "doi-10.7910-DVN-TJCLKP"),
            ("b8f6eae9d89241cf8b5904033460af61.v1557411604", "b8f6eae9d89241cf8b5904033460af61.v1557411604"),
            ("a1b2c3d4e5f6+", "a1b2c3d4e5f6-"),
            (".hidden", "_hidden"),
        ])
    func tag(contentID: String, tag: String) {
        #expect(ImageIdentity.tag(forContentID: contentID) == tag)
        #expect(ImageName.isValid("r2dx:" + ImageIdentity.tag(forContentID: contentID)))
    }

    @Test("a very long content id is shortened to Docker's 128 characters with a hash")
    func long() {
        let tag = ImageIdentity.tag(forContentID: String(repeating: "x", count: 300))
        #expect(tag.count == 128)
        #expect(ImageName.isValid("r2dx:" + tag))
        #expect(tag != ImageIdentity.tag(forContentID: String(repeating: "x", count: 301)))
    }
}
