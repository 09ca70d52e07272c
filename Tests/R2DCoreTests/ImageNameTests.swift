import Foundation
import R2DBasics
import Testing
@testable import R2DCore

@Suite("Image names")
struct ImageNameTests {
    @Test(
        "repo2docker's escaping",
        arguments: [
            ("r2dhttps://github.com/binder-examples/requirements", "r2dhttps-3a-2f-2fgithub-2ecom-2fbinder-2dexamples-2frequirements"),
            ("r2d/home/me/proj", "r2d-2fhome-2fme-2fproj"),
            ("r2d.", "r2d-2e"),
            ("r2d10.5281/zenodo.3242074", "r2d10-2e5281-2fzenodo-2e3242074"),
            ("r2dREPO a directory", "r2drepo-20a-20directory"),
            ("r2dé", "r2d-c3-a9"),
        ])
    func escaping(input: String, expected: String) {
        #expect(ImageName.escape(input) == expected)
    }

    @Test("default repository name")
    func defaultName() {
        #expect(
            ImageName.defaultRepository(repo: "https://github.com/binder-examples/requirements", subdir: "")
                == "r2dhttps-3a-2f-2fgithub-2ecom-2fbinder-2dexamples-2frequirements")
        #expect(ImageName.defaultRepository(repo: "/srv/repo", subdir: "a directory") == "r2d-2fsrv-2frepoa-20directory")
        let long = ImageName.defaultRepository(repo: "https://example.org/" + String(repeating: "x/", count: 200), subdir: "")
        #expect(long.count == 200)
        #expect(ImageName.isValid(long + ":" + String(repeating: "a", count: 40)))
    }

    @Test(
        "--image-name validation",
        arguments: [
            ("test.COM/valid_name:1.0.0", true),
            ("Test.com/valid_name:1.0.0", false),
            ("_test/valid_name:1.0.0", false),
            ("test..com/valid_name:1.0.0", false),
            ("Test/Invalid_name:1.0.0", false),
            ("r2d-2e:0123abc", true),
            ("localhost:5000/team/image:tag", true),
            ("registry.example.org/i-binder-2dexamples-55ab5c:ae2d0f2dd39d1e7ef6d8b1e5d3c4b3c0a9b8d7e6", true),
            ("image@sha256:" + String(repeating: "a", count: 64), true),
            ("image:", false),
            ("image:-tag", false),
            ("UPPER", false),
            ("a__b", true),
            ("a___b", false),
            ("a--b.c_d", true),
            ("", false),
            ("image:" + String(repeating: "t", count: 129), false),
            ("image:" + String(repeating: "t", count: 128), true),
            ("a/b/c", true),
            ("a//b", false),
            ("/a", false),
            ("a/", false),
            ("-a.com/b", false),
            ("a-.com/b", false),
            ("a.B-c.org:443/x", true),
            ("a.com:/x", false),
            ("a.com:44a/x", false),
            ("a.com:5000", true),
            ("a.b:c/d", false),
            ("image@sha256:" + String(repeating: "a", count: 31), false),
            ("image@sha256:" + String(repeating: "g", count: 32), false),
            ("image@sha256+b.c:" + String(repeating: "F", count: 32), true),
            ("image@sha256-:" + String(repeating: "a", count: 32), false),
            ("image@1sha:" + String(repeating: "a", count: 32), false),
            ("image:v1@sha256:" + String(repeating: "a", count: 64), true),
            ("image@sha256:" + String(repeating: "a", count: 64) + "@x", false),
            ("a.-b", false),
            ("a_.b", false),
            ("a---b", true),
            ("r2d-2e:é", false),
        ])
    func validation(name: String, valid: Bool) {
        #expect(ImageName.isValid(name) == valid)
    }

    @Test(
        "splitting repository and tag",
        arguments: [
            ("image", "image", "latest"),
            ("image:v1", "image", "v1"),
            ("localhost:5000/image", "localhost:5000/image", "latest"),
            ("localhost:5000/team/image:abc", "localhost:5000/team/image", "abc"),
            ("team/image:abc@sha256:0123", "team/image", "abc"),
        ])
    func split(reference: String, repository: String, tag: String) {
        let parts = ImageReference(parsing: reference)
        #expect(parts.name == repository)
        #expect(parts.tag == tag)
    }
}

@Suite("JSON log lines")
struct ReporterTests {
    @Test("one object per line with message and phase")
    func jsonLines() {
        let box = LinesBox()
        let reporter = Reporter(json: true, debug: false) { box.append($0) }
        reporter.log("Picked Git content provider.\n")
        reporter.log("Step 1/3 : FROM x\n", phase: .building)
        reporter.debug("hidden\n")
        reporter.failure("Something \"quoted\" / failed")
        #expect(
            box.lines == [
                "{\"message\":\"Picked Git content provider.\\n\"}\n",
                "{\"message\":\"Step 1/3 : FROM x\\n\",\"phase\":\"building\"}\n",
                "{\"message\":\"Something \\\"quoted\\\" / failed\\n\",\"phase\":\"failed\"}\n",
            ])
    }
}

final class LinesBox: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }

    /// The hand-written check against the regular expression it replaced (repo2docker's `__main__.py`, `validate_image_name`), on names drawn
    /// from the characters that matter to it.
    @Test("validation agrees with repo2docker's regular expression on random names")
    func validationMatchesRegex() throws {
        let firstDomain = "(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])"
        let laterDomain = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
        let registry = "(?:\(firstDomain)(?:\\.\(laterDomain))*(?::[0-9]+)?/)"
        let component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
        let tag = "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})"
        let digest = "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})"
        let regex = try NSRegularExpression(pattern: "^\(registry)?\(component)(?:/\(component))*\(tag)?\(digest)?$")
        let alphabet = Array("ab0Z-._:/@+f")
        var generator = SplitMix64(seed: 20261122)
        var validSeen = 0
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 12) + 1
            var name = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            if generator.next() % 4 == 0 { name += "@sha256:" + String(repeating: "a", count: 32) }
            let expected = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
            if expected { validSeen += 1 }
            #expect(ImageName.isValid(name) == expected, "\(name)")
        }
        #expect(validSeen > 500)
    }
}

/// A small deterministic generator, so a failure names a reproducible input.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
