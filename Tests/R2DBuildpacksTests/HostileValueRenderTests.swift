import Foundation
import R2DBuildpacks
import R2DTestSupport
import Testing

/// Every fixture rendered with hostile but valid values in every setting that reaches the Dockerfile: shell
/// and glob characters in every URL, the longest user id, a base image using every separator. The structure
/// must not change (same instructions in the same order), and `sh` must read each value back literally.
@Suite("Hostile but valid values keep the Dockerfile's structure")
struct HostileValueRenderTests {
    /// Characters a shell reads specially but a URL may hold: `;`, `&`, `(`, `)`, `*`, `?`, `[`, `]`, `!`, `{`,
    /// `}`, `~`, `#`, `=`, `,`, `%`.
    static func url(_ name: String) -> String { "https://\(name).example.org/a;b&c=(d)*?[e]!{f}~g,h%20#frag" }

    /// The same settings with plain values: optional settings add the same `ENV` lines in both.
    static func options(_ url: (String) -> String, baseImage: String, userID: Int) -> RenderOptions {
        RenderOptions(
            baseImage: baseImage, appendix: "", platform: "linux/amd64", userID: userID,
            pythonIndexURL: url("index"), pythonDownloadMirror: url("mirror"),
            downloads: DownloadLocations(
                micromambaURL: url("micromamba") + "{platform}", condaChannels: ["conda-forge/label/a_b.c-d", url("channel")],
                positPackageManagerURL: url("posit"), rBinaryURL: url("rbinary"), rstudioServerURL: url("rstudio"),
                rstudioServerLegacyURL: url("rstudio-legacy"), shinyServerURL: url("shiny"), juliaDownloadURL: url("julia"),
                juliaPackageServer: url("julia-pkg"), nixInstallerURL: url("nix") + "{version}-{arch}", nixChannelURL: url("nix-channel")),
            today: Date(timeIntervalSince1970: 1_773_273_600))
    }

    static let hostile = options(
        url,
        baseImage: "registry.example.org:5000/team__x/base-image.v2:tag_1.0-x@sha256:"
            + String(repeating: "ab", count: 32), userID: 4_294_967_294)
    static let plain = options({ "https://\($0).example.org/path" }, baseImage: "swift-r2d/test-base:bookworm", userID: 1000)

    static let values: [String] = {
        let d = hostile.downloads
        return [
            hostile.pythonIndexURL!, hostile.pythonDownloadMirror!, d.micromambaURL, d.positPackageManagerURL, d.rBinaryURL,
            d.rstudioServerURL, d.rstudioServerLegacyURL, d.shinyServerURL, d.juliaDownloadURL, d.juliaPackageServer!,
            d.nixInstallerURL, d.nixChannelURL,
        ]
    }()

    static func render(_ fixture: String, _ options: RenderOptions) throws -> String {
        let snapshot = try RepoSnapshot(root: ProjectPaths.fixture(fixture))
        let plan = try BuildpackChain.detect(snapshot, defaultPython: GoldenDockerfileTests.defaultPython)
        return try DockerfileRenderer.render(plan, snapshot: snapshot, options: options)
    }

    /// The instruction keywords in order, continuation lines joined, comments and blank lines skipped.
    static func instructions(_ dockerfile: String) -> [String] {
        var result: [String] = [], continuing = false
        for line in dockerfile.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !continuing, !trimmed.isEmpty, !trimmed.hasPrefix("#") {
                result.append(String(trimmed.prefix { !$0.isWhitespace }).uppercased())
            }
            continuing = trimmed.hasSuffix("\\")
        }
        return result
    }

    @Test("same instructions with hostile values", arguments: GoldenDockerfileTests.fixtures)
    func sameStructure(fixture: String) throws {
        let plainText = try Self.render(fixture, Self.plain), hostileText = try Self.render(fixture, Self.hostile)
        let same = Self.instructions(plainText) == Self.instructions(hostileText)
        #expect(same, "\(fixture): the instructions changed")
        // Generated Dockerfiles start from the base image setting; a user's Dockerfile is its own.
        if plainText.contains("COPY repo2docker-entrypoint") {
            #expect(hostileText.hasPrefix("FROM \(Self.hostile.baseImage)\n"))
        }
    }

    @Test("the shell reads every value back literally")
    func valuesArriveLiterally() throws {
        var seen = Set<String>()
        for fixture in GoldenDockerfileTests.fixtures {
            let text = try Self.render(fixture, Self.hostile)
            for value in Self.values {
                let word = try DockerfileText.word(value)
                guard text.contains(word) else { continue }
                seen.insert(value)
                // Outside its quoted word the raw value never appears: nothing wrote it unquoted.
                #expect(text.components(separatedBy: word).joined().contains(value) == false, "\(fixture): \(value) unquoted")
            }
        }
        #expect(seen == Set(Self.values), "never rendered: \(Set(Self.values).subtracting(seen))")
        // `sh` itself is the judge of "literally": printf of the word prints the value, nothing runs.
        let words = try Self.values.map { try DockerfileText.word($0) }
        let script = words.map { "printf '%s\\n' \($0)" }.joined(separator: "; ")
        let result = try runProgram("/bin/sh", ["-c", script])
        #expect(result.status == 0)
        #expect(result.stdout == Self.values.map { $0 + "\n" }.joined())
    }
}
