#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import R2DBasics
import SwiftProtobuf

/// Turns the progress that the daemon's own BuildKit reports during `POST /build?version=2` into plain text,
/// in the style of `docker buildx build --progress plain`:
///
///     #3 [2/4] RUN make
///     #3 0.412 compiling…
///     #3 DONE 1.2s
///     #4 [3/4] COPY . /src
///     #4 CACHED
///
/// Each `{"id":"moby.buildkit.trace","aux":"<base64>"}` line of the build stream is one StatusResponse; pass
/// its aux to ``lines(forTrace:)`` in the order the lines came, and call ``finish()`` when the stream ends. The
/// printer keeps what the trace only tells in pieces (vertex numbers, start times, log lines not yet ended), so
/// one printer serves one build.
public struct BuildKitProgressPrinter: Sendable {
    /// The `id` of the build stream lines whose `aux` is a trace for ``lines(forTrace:)``.
    public static let traceID = "moby.buildkit.trace"

    /// How much trace time passes between two lines of one unfinished status (a transfer, an export): enough to
    /// show that a long step moves, without a line for each of the many ticks BuildKit sends.
    static let statusInterval: Int64 = 5_000_000_000

    private var vertexes: [String: VertexState] = [:]
    private var statuses: [StatusKey: StatusState] = [:]
    private var nextNumber = 1

    public init() {}

    /// Decodes one trace aux (base64 of a StatusResponse) and returns the finished plain-progress lines it
    /// produces, none of which holds a line break. Often none: BuildKit repeats a vertex on every change.
    public mutating func lines(forTrace base64: String) throws(BuildKitProgressError) -> [String] {
        lines(for: try Self.decode(base64))
    }

    /// The log lines still waiting for their line break when the build stream ended (a vertex that never
    /// completed, say because the build was cancelled), in vertex order.
    public mutating func finish() -> [String] {
        var out: [String] = []
        let open = vertexes.filter { !$0.value.partialLines.isEmpty }.sorted { ($0.value.number ?? 0) < ($1.value.number ?? 0) }
        for (digest, var state) in open {
            flushPartialLines(of: &state, into: &out)
            vertexes[digest] = state
        }
        return out
    }

    /// The name of the step that failed (`[2/3] RUN make`): the first vertex, in print order, whose error is
    /// its own rather than the "context canceled" of a step BuildKit stopped because another failed.
    public var failedStep: String? {
        vertexes.values.filter { !$0.error.isEmpty && !$0.error.contains("context canceled") }
            .min { ($0.number ?? .max) < ($1.number ?? .max) }?.name.singleLine
    }

    static func decode(_ base64: String) throws(BuildKitProgressError) -> Moby_Buildkit_V1_StatusResponse {
        guard let data = Data(base64Encoded: base64) else { throw .notBase64(length: base64.utf8.count) }
        do {
            return try Moby_Buildkit_V1_StatusResponse(serializedBytes: data)
        } catch {
            throw .notStatusResponse(byteCount: data.count, reason: "\(error)")
        }
    }

    /// A vertex that completes in this response ends right after its header, unless the response also carries
    /// its logs, statuses or warnings: then it ends after them, so its last lines come before `DONE`.
    mutating func lines(for response: Moby_Buildkit_V1_StatusResponse) -> [String] {
        var out: [String] = []
        let reported = Set(response.logs.map(\.vertex) + response.statuses.map(\.vertex) + response.warnings.map(\.vertex))
        for vertex in response.vertexes {
            update(vertex, into: &out)
            if vertex.hasCompleted && !reported.contains(vertex.digest) { complete(vertex.digest, into: &out) }
        }
        for status in response.statuses { update(status, into: &out) }
        for log in response.logs { append(log, into: &out) }
        for warning in response.warnings { append(warning, into: &out) }
        for vertex in response.vertexes where vertex.hasCompleted && reported.contains(vertex.digest) {
            complete(vertex.digest, into: &out)
        }
        return out
    }
}

// MARK: - Vertexes

/// What the printer remembers of one vertex between responses.
struct VertexState: Sendable {
    var name: String
    /// Given when the vertex is first printed, so the numbers in the output have no gaps: BuildKit announces
    /// vertexes that never start (a build that fails early) and lists a stage's steps before their inputs.
    var number: Int?
    var started: TraceTime?
    var completed: TraceTime?
    var cached = false
    var error = ""
    var printedCached = false
    /// DONE, ERROR or CANCELED has been printed (or nothing was due, for a cached vertex).
    var printedEnd = false
    /// Log bytes after the last line break, per stream (1 stdout, 2 stderr), with the time the last came.
    var partialLines: [Int64: PartialLine] = [:]
}

struct PartialLine: Sendable {
    var bytes: [UInt8]
    var time: TraceTime
}

extension BuildKitProgressPrinter {
    /// Records the vertex; prints its header when it starts or turns out cached, and CACHED once.
    private mutating func update(_ vertex: Moby_Buildkit_V1_Vertex, into out: inout [String]) {
        var state = vertexes[vertex.digest] ?? VertexState(name: vertex.digest)
        if !vertex.name.isEmpty { state.name = vertex.name }
        if vertex.hasStarted { state.started = TraceTime(vertex.started) }
        if vertex.hasCompleted { state.completed = TraceTime(vertex.completed) }
        state.cached = vertex.cached
        state.error = vertex.error
        if vertex.hasStarted || vertex.cached {
            let number = announce(&state, into: &out)
            if vertex.cached && !state.printedCached {
                out.append("#\(number) CACHED")
                state.printedCached = true
            }
        }
        vertexes[vertex.digest] = state
    }

    /// The vertex's number, printing its header line the first time.
    private mutating func announce(_ state: inout VertexState, into out: inout [String]) -> Int {
        if let number = state.number { return number }
        let number = nextNumber
        nextNumber += 1
        state.number = number
        out.append("#\(number) \(state.name.singleLine)")
        return number
    }

    /// Ends the vertex: its unfinished log lines, then how it ended, once. A vertex BuildKit stopped because
    /// another failed carries the error "context canceled"; buildx shows that as CANCELED, not as an error.
    private mutating func complete(_ digest: String, into out: inout [String]) {
        guard var state = vertexes[digest], let completed = state.completed else { return }
        let number = announce(&state, into: &out)
        flushPartialLines(of: &state, into: &out)
        if !state.printedEnd {
            if state.error.contains("context canceled") {
                out.append("#\(number) CANCELED")
            } else if !state.error.isEmpty {
                out.append("#\(number) ERROR: \(state.error.singleLine)")
            } else if !state.cached {
                let seconds = TraceTime.seconds(from: state.started ?? completed, to: completed, decimals: 1)
                out.append("#\(number) DONE \(seconds)s")
            }
            state.printedEnd = true
        }
        vertexes[digest] = state
    }
}

// MARK: - Logs, statuses, warnings

struct StatusKey: Hashable, Sendable {
    var vertex: String
    var id: String
}

struct StatusState: Sendable {
    var lastShown: TraceTime
    var done = false
}

extension BuildKitProgressPrinter {
    /// Prints each line the message ends; bytes after its last line break wait for the next message of the
    /// same stream (a process's `printf` without "\n" arrives as a message of its own). A line carries the time
    /// of the message that ended it, so the times printed never go back while stdout and stderr interleave.
    private mutating func append(_ log: Moby_Buildkit_V1_VertexLog, into out: inout [String]) {
        var state = vertexes[log.vertex] ?? VertexState(name: log.vertex)
        let number = announce(&state, into: &out)
        let time = TraceTime(log.timestamp)
        var pending = state.partialLines.removeValue(forKey: log.stream) ?? PartialLine(bytes: [], time: time)
        pending.time = max(pending.time, time)
        for byte in log.msg {
            if byte == UInt8(ascii: "\n") {
                out.append(Self.logLine(number, started: state.started, pending))
                pending = PartialLine(bytes: [], time: time)
            } else {
                pending.bytes.append(byte)
            }
        }
        if !pending.bytes.isEmpty { state.partialLines[log.stream] = pending }
        vertexes[log.vertex] = state
    }

    private func flushPartialLines(of state: inout VertexState, into out: inout [String]) {
        guard let number = state.number else { return }
        for stream in state.partialLines.keys.sorted() {
            out.append(Self.logLine(number, started: state.started, state.partialLines[stream]!))
        }
        state.partialLines = [:]
    }

    /// `#N seconds text`, the seconds counted from the vertex's start. A line that a progress bar rewrote with
    /// carriage returns shows its last state only, as a terminal would have.
    static func logLine(_ number: Int, started: TraceTime?, _ line: PartialLine) -> String {
        let seconds = TraceTime.seconds(from: started ?? line.time, to: line.time, decimals: 3)
        let shown = line.bytes.split(separator: UInt8(ascii: "\r")).last ?? []
        let text = String(decoding: shown, as: UTF8.self)
        return text.isEmpty ? "#\(number) \(seconds)" : "#\(number) \(seconds) \(text)"
    }

    /// A status prints when it completes, and while it runs no more often than every ``statusInterval``.
    private mutating func update(_ status: Moby_Buildkit_V1_VertexStatus, into out: inout [String]) {
        let key = StatusKey(vertex: status.vertex, id: status.id)
        let time = TraceTime(status.timestamp)
        let label = (status.name.isEmpty ? status.id : status.name).singleLine
        let known = statuses[key]
        if known?.done == true { return }
        if status.hasCompleted {
            statuses[key] = StatusState(lastShown: time, done: true)
            let count = status.current == 0 ? "" : " " + Self.progress(status)
            let vertexNumber = number(ofVertex: status.vertex, into: &out)
            out.append("#\(vertexNumber) \(label)\(count) done")
        } else if let known, time.nanoseconds - known.lastShown.nanoseconds >= Self.statusInterval {
            statuses[key] = StatusState(lastShown: time)
            let vertexNumber = number(ofVertex: status.vertex, into: &out)
            out.append("#\(vertexNumber) \(label) \(Self.progress(status))")
        } else if known == nil {
            statuses[key] = StatusState(lastShown: time)
        }
    }

    static func progress(_ status: Moby_Buildkit_V1_VertexStatus) -> String {
        status.total > 0 ? "\(status.current)/\(status.total)" : "\(status.current)"
    }

    private mutating func append(_ warning: Moby_Buildkit_V1_VertexWarning, into out: inout [String]) {
        let short = String(decoding: warning.short, as: UTF8.self).singleLine
        let vertexNumber = number(ofVertex: warning.vertex, into: &out)
        out.append("#\(vertexNumber) WARN: \(short)")
    }

    private mutating func number(ofVertex digest: String, into out: inout [String]) -> Int {
        var state = vertexes[digest] ?? VertexState(name: digest)
        let number = announce(&state, into: &out)
        vertexes[digest] = state
        return number
    }
}
