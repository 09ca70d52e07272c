import Testing
@testable import R2DBuildpacks

/// Which Dockerfiles need BuildKit: read as the frontend reads them (directives, continuations, comments).
@Suite("Dockerfile syntax that only BuildKit builds")
struct DockerfileSyntaxTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var feature: BuildKitFeature?
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "plain classic Dockerfile", text: "FROM x\nRUN echo hi\nCOPY --chown=1000:1000 . /src\nCOPY --from=a /b /c\n",
            feature: nil),
        Case(label: "COPY --chmod", text: "FROM x\nCOPY --chmod=755 a /a\n", feature: .init(line: 2, feature: "COPY --chmod")),
        Case(label: "ADD --link", text: "FROM x\nADD --link a /a\n", feature: .init(line: 2, feature: "ADD --link")),
        Case(
            label: "RUN --mount after a continued instruction",
            text: "FROM x\nRUN echo a \\\n  && echo b\nRUN --mount=type=cache,target=/c true\n",
            feature: .init(line: 4, feature: "RUN --mount")),
        Case(
            label: "a flag on a continuation line", text: "FROM x\nRUN \\\n  --network=none true\n",
            feature: .init(line: 2, feature: "RUN --network")),
        Case(label: "heredoc", text: "FROM x\nRUN <<EOF\necho hi\nEOF\n", feature: .init(line: 2, feature: "a heredoc in RUN")),
        Case(
            label: "quoted heredoc in COPY", text: "FROM x\nCOPY <<'EOT' /f\nhi\nEOT\n",
            feature: .init(line: 2, feature: "a heredoc in COPY")),
        Case(label: "here-string is not a heredoc", text: "FROM x\nRUN cat <<< hi\n", feature: nil),
        Case(
            label: "syntax directive", text: "# syntax=docker/dockerfile:1\nFROM x\n",
            feature: .init(line: 1, feature: "the # syntax= directive")),
        Case(label: "a syntax comment after an instruction is a comment", text: "FROM x\n# syntax=docker/dockerfile:1\n", feature: nil),
        Case(label: "commented-out BuildKit flag", text: "FROM x\n# COPY --chmod=755 a /a\n", feature: nil),
        Case(
            label: "escape directive: backtick continues lines", text: "# escape=`\nFROM x\nRUN echo a `\n  --mount=x\n",
            feature: nil),
        Case(label: "CRLF line ends", text: "FROM x\r\nCOPY --link a /a\r\n", feature: .init(line: 2, feature: "COPY --link")),
        Case(label: "a lower-case keyword", text: "from x\ncopy --chmod=1 a /a\n", feature: .init(line: 2, feature: "COPY --chmod")),
    ]

    @Test("the first BuildKit-only construct and its line", arguments: cases)
    func firstFeature(_ testCase: Case) {
        #expect(DockerfileSyntax.firstBuildKitFeature(in: testCase.text) == testCase.feature)
    }

    @Test("instructions: keyword, flags and arguments, continuations joined")
    func instructions() {
        let (directives, instructions) = DockerfileSyntax.parse("# escape=\\\nFROM base AS b\nRUN --mount=a \\\n  # note\n  echo hi\n")
        #expect(directives.map(\.key) == ["escape"])
        #expect(
            instructions == [
                DockerfileInstruction(line: 2, keyword: "FROM", flags: [], arguments: "base AS b"),
                DockerfileInstruction(line: 3, keyword: "RUN", flags: ["--mount=a"], arguments: "echo hi"),
            ])
    }
}
