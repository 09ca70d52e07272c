import Foundation
import Testing

@testable import R2DEngine

/// The final line of a failed build reads the same under both builders: a `RUN` step that exits non-zero is
/// worded as the classic builder words it, and any other BuildKit error names the step it failed in.
@Suite("A failed build's message under the classic builder and BuildKit")
struct BuildFailureTextTests {
    static let cases: [(label: String, error: String, step: String?, expected: String)] = [
        (
            "classic: the daemon's own text", "The command '/bin/sh -c exit 3' returned a non-zero code: 3", nil,
            "The command '/bin/sh -c exit 3' returned a non-zero code: 3"
        ),
        (
            "BuildKit 0.8 (Docker 20.10)", "executor failed running [/bin/sh -c echo broken-step && exit 3]: exit code: 3",
            "[2/2] RUN echo broken-step && exit 3", "The command '/bin/sh -c echo broken-step && exit 3' returned a non-zero code: 3"
        ),
        (
            "BuildKit 0.8, a command holding ]: ", "executor failed running [/bin/sh -c test [ a ]: b]: exit code: 1", nil,
            "The command '/bin/sh -c test [ a ]: b' returned a non-zero code: 1"
        ),
        (
            "BuildKit 0.11 and later, quoted as Go's %q",
            #"process "/bin/sh -c echo \"a\\b\" && exit 7" did not complete successfully: exit code: 7"#,
            nil, #"The command '/bin/sh -c echo "a\b" && exit 7' returned a non-zero code: 7"#
        ),
        (
            "wrapped by the solver", #"failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1"#, nil,
            "The command '/bin/sh -c false' returned a non-zero code: 1"
        ),
        (
            "another BuildKit error names its step", #"failed to compute cache key: "/missing" not found: not found"#,
            "[2/3] COPY missing /data", #"[2/3] COPY missing /data: failed to compute cache key: "/missing" not found: not found"#
        ),
        ("an error without a step stays as it is", "network bridge not found", nil, "network bridge not found"),
        (
            "no exit code: not reworded", "executor failed running [/bin/sh -c x]: exit code: ", nil,
            "executor failed running [/bin/sh -c x]: exit code: "
        ),
    ]

    @Test("worded for the user", arguments: cases)
    func worded(label: String, error: String, step: String?, expected: String) {
        #expect(BuildStreamReader.failureText(error, failedStep: step) == expected, "\(label)")
    }

    /// The failing RUN recorded from dockerd 20.10's BuildKit, read as the build stream.
    @Test("the recorded failing BuildKit build fails with the classic wording")
    func recordedFailingBuild() throws {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        let path = url.path + "/R2DBuildKitProgressTests/Recorded/failing-build.jsonl"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var reader = BuildStreamReader()
        var thrown: (any Error)?
        for line in text.split(whereSeparator: \.isNewline) {
            let message = try JSONDecoder().decode(BuildMessage.self, from: Data(line.utf8))
            do { try reader.handle(message) { _ in } } catch {
                thrown = error
                break
            }
        }
        let command = #"/bin/sh -c echo "buildkit-status recording: about to fail"; echo "going down" >&2; exit 3"#
        #expect(thrown as? EngineError == .buildFailed(message: "The command '\(command)' returned a non-zero code: 3"))
    }
}
