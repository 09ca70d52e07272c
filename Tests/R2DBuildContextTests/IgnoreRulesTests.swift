import R2DBuildContext
import Testing

struct IgnoreCase: Sendable, CustomTestStringConvertible {
    let patterns: [String]
    let path: String
    let excluded: Bool

    init(_ patterns: [String], _ path: String, _ excluded: Bool) {
        self.patterns = patterns
        self.path = path
        self.excluded = excluded
    }

    var testDescription: String { "\(patterns) \(excluded ? "excludes" : "keeps") \(path)" }
}

/// Cases adapted from the semantics of moby/patternmatcher and Docker's .dockerignore documentation.
let ignoreCases: [IgnoreCase] = [
    // `*` stays within one path component and patterns are anchored at the context root.
    IgnoreCase(["*.pyc"], "module.pyc", true),
    IgnoreCase(["*.pyc"], "pkg/module.pyc", false),
    IgnoreCase(["*"], "a/b", true),
    // `**` crosses any number of directories, including none.
    IgnoreCase(["**/*.pyc"], "pkg/sub/module.pyc", true),
    IgnoreCase(["**/*.md"], "README.md", true),
    IgnoreCase(["**/*.md"], "docs/guide/intro.md", true),
    IgnoreCase(["**/*.md"], "docs/guide/intro.txt", false),
    IgnoreCase(["a/**/b"], "a/b", true),
    IgnoreCase(["a/**/b"], "a/x/y/b", true),
    IgnoreCase(["**/node_modules"], "node_modules", true),
    IgnoreCase(["**/node_modules"], "web/node_modules/left-pad/index.js", true),
    IgnoreCase(["**"], "any/path/at/all", true),
    // `dir/**` matches what is inside dir, not dir itself.
    IgnoreCase(["docs/**"], "docs/a/b.txt", true),
    IgnoreCase(["docs/**"], "docs", false),
    // A leading `**` without a slash is a plain suffix match (Docker's quirk).
    IgnoreCase(["**foo"], "barfoo", true),
    // Exceptions re-include files inside an excluded directory.
    IgnoreCase(["docs", "!docs/keep.md"], "docs/keep.md", false),
    IgnoreCase(["docs", "!docs/keep.md"], "docs/other.md", true),
    IgnoreCase(["*", "!src"], "src/main.swift", false),
    IgnoreCase(["*", "!src"], "other.txt", true),
    // Last match wins.
    IgnoreCase(["*.md", "!README.md"], "README.md", false),
    IgnoreCase(["!README.md", "*.md"], "README.md", true),
    IgnoreCase(["*.md", "!*.md", "*.md"], "notes.md", true),
    // A leading "/" is stripped; the pattern still only matches at the root.
    IgnoreCase(["/build"], "build/out.o", true),
    IgnoreCase(["/build"], "src/build", false),
    // Single `*` components in the middle.
    IgnoreCase(["a/*/c"], "a/b/c", true),
    IgnoreCase(["a/*/c"], "a/b/d/c", false),
    IgnoreCase(["a/*/c"], "a/b/c/d.txt", true),
    // `?` is one character other than "/".
    IgnoreCase(["?"], "x", true),
    IgnoreCase(["?"], "xy", false),
    IgnoreCase(["?"], "x/y", true),
    IgnoreCase(["file?.txt"], "file/.txt", false),
    // Character classes, ranges and negation.
    IgnoreCase(["[a-c].txt"], "b.txt", true),
    IgnoreCase(["[a-c].txt"], "d.txt", false),
    IgnoreCase(["[^a-c].txt"], "d.txt", true),
    IgnoreCase(["[^a-c].txt"], "a.txt", false),
    IgnoreCase(["log[0-9][0-9]"], "log42", true),
    // Regex metacharacters are literal; backslash escapes a wildcard.
    IgnoreCase(["foo.bar"], "fooxbar", false),
    IgnoreCase(["a\\*b"], "a*b", true),
    IgnoreCase(["a\\*b"], "axb", false),
    // Cleaning: "./", trailing "/", "..", surrounding spaces.
    IgnoreCase(["./foo/"], "foo/bar", true),
    IgnoreCase(["foo/"], "foo", true),
    IgnoreCase(["  /abs/../x  "], "x", true),
    IgnoreCase(["**/.git"], ".git/config", true),
    // Non-ASCII names.
    IgnoreCase(["données/*.csv"], "données/a.csv", true),
    IgnoreCase(["?.txt"], "é.txt", true),
    // Invalid patterns match nothing; a lone "!" is dropped.
    IgnoreCase(["[a-c"], "a", false),
    IgnoreCase(["!"], "anything", false),
    IgnoreCase([], "anything", false),
]

@Suite("IgnoreRules")
struct IgnoreRulesTests {
    @Test("pattern table", arguments: ignoreCases)
    func matches(_ testCase: IgnoreCase) {
        let rules = IgnoreRules(patterns: testCase.patterns)
        #expect(rules.isExcluded(testCase.path) == testCase.excluded)
    }

    struct ParseCase: Sendable, CustomTestStringConvertible {
        let contents: String
        let patterns: [String]
        var testDescription: String { contents.debugDescription }
    }

    @Test(
        "parsing .dockerignore lines",
        arguments: [
            ParseCase(contents: "# comment\n\n  *.log  \n", patterns: ["*.log"]),
            ParseCase(contents: "/build/\n!/build/keep\n", patterns: ["build", "!build/keep"]),
            ParseCase(contents: "./a//b/../c\r\n", patterns: ["a/c"]),
            ParseCase(contents: "!  ./docs/keep.md ", patterns: ["!docs/keep.md"]),
            ParseCase(contents: "\u{FEFF}*.tmp\n   # indented comment\n", patterns: ["*.tmp"]),
            ParseCase(contents: "", patterns: []),
            ParseCase(contents: "/\n", patterns: ["/"]),
        ])
    func parse(_ testCase: ParseCase) {
        #expect(IgnoreRules.parse(testCase.contents) == testCase.patterns)
    }

    @Test("comment lines never match and blank lines are ignored")
    func commentsAreNotPatterns() {
        let rules = IgnoreRules(patterns: IgnoreRules.parse("# secret\n\n*.log\n"))
        #expect(!rules.isExcluded("# secret"))
        #expect(rules.isExcluded("debug.log"))
    }

    @Test("hasExceptions and invalid patterns are reported")
    func properties() {
        #expect(IgnoreRules(patterns: ["a", "!a/b"]).hasExceptions)
        #expect(!IgnoreRules(patterns: ["a", "b"]).hasExceptions)
        #expect(IgnoreRules(patterns: ["[a-c", "ok", "bad\\"]).invalidPatterns == ["[a-c", "bad\\"])
    }
}
