import AsyncHTTPClient
import Foundation
import NIOCore
import R2DBuildKitProgress
import R2DBuildKitSession

extension EngineClient {
    /// Builds an image from a tar context streamed as it is produced; returns the image ID (sha256:…). A BuildKit
    /// build with session services or secrets runs inside a client session (EngineClient+Session.swift); with
    /// the session's file sync the daemon reads the context from it and `context` is never iterated.
    public func build<Context: AsyncSequence & Sendable>(
        context: Context,
        options: BuildOptions,
        onEvent: @escaping @Sendable (BuildEvent) -> Void
    ) async throws -> String where Context.Element == [UInt8] {
        guard options.backend == .buildKit, let services = Self.sessionServices(options) else {
            return try await build(context: context, options: options, sessionID: nil, onEvent: onEvent)
        }
        return try await withBuildKitSession(services) { sessionID in
            try await self.build(context: services.context == nil ? context : nil, options: options, sessionID: sessionID, onEvent: onEvent)
        }
    }

    /// The session a build needs: its services with the build's secrets, or nil when there is nothing to serve.
    static func sessionServices(_ options: BuildOptions) -> SessionServices? {
        guard options.session != nil || !options.secrets.isEmpty else { return nil }
        var services = options.session ?? SessionServices()
        for secret in options.secrets { services.secrets[secret.id] = secret.value }
        return services
    }

    /// One `POST /build`: with the tar `context` as its body, or none when the session serves the context.
    func build<Context: AsyncSequence & Sendable>(
        context: Context?, options: BuildOptions, sessionID: String?,
        onEvent: @escaping @Sendable (BuildEvent) -> Void
    ) async throws -> String where Context.Element == [UInt8] {
        // AsyncHTTPClient pauses the upload once the socket stops taking data, but a write only counts once
        // the event loop has run it; a producer faster than a busy loop would queue chunks there without
        // bound (tens of MB on a loaded machine). Its tasks run in order, so a no-op submitted after a chunk's
        // write completes only once that write reached the channel: at most one chunk waits in the queue.
        let loop = eventLoopGroup.next()
        let body = context.map { context in
            let paced = context.map { chunk -> ByteBuffer in
                try await loop.submit {}.get()
                return ByteBuffer(bytes: chunk)
            }
            return HTTPClientRequest.Body.stream(paced, length: .unknown)
        }
        var query = try Self.buildQuery(options)
        if let sessionID {
            query.append(("session", sessionID))
            // The docker CLI's way of asking the daemon to read the context through the session's file sync.
            if context == nil { query.append(("remote", "client-session")) }
        }
        // A build may be silent for a long time, so no deadline: a dead daemon closes the connection instead.
        let response = try await send(
            .POST, "/build", query: query, body: body, contentType: body == nil ? nil : "application/x-tar",
            deadline: .distantFuture)
        try await requireSuccess(response)

        var reader = BuildStreamReader()
        try await forEachJSONLine(
            of: response, as: BuildMessage.self, undecodableLine: BuildStreamReader.notJSON
        ) { message in try reader.handle(message, onEvent: onEvent) }

        reader.finish(onEvent: onEvent)
        if let id = reader.imageID { return id }
        if let shortID = reader.successfullyBuiltID {
            // Old daemons only print "Successfully built <short id>"; resolve it to the full ID.
            guard let image = try await inspectImage(shortID) else {
                throw EngineError.protocolError("the build reported image \(shortID), which does not exist")
            }
            onEvent(.imageID(image.id))
            return image.id
        }
        throw EngineError.protocolError("the build finished without reporting an image ID")
    }

    static func buildQuery(_ options: BuildOptions) throws -> [(String, String)] {
        var query: [(String, String)] = options.tags.map { ("t", $0) }
        // version=2 runs the daemon's BuildKit; the classic builder is version=1, the default (Podman ignores it).
        if options.backend == .buildKit { query.append(("version", "2")) }
        if let dockerfile = options.dockerfile { query.append(("dockerfile", dockerfile)) }
        if !options.buildArgs.isEmpty { query.append(("buildargs", try jsonString(options.buildArgs))) }
        if !options.labels.isEmpty { query.append(("labels", try jsonString(options.labels))) }
        if !options.cacheFrom.isEmpty { query.append(("cachefrom", try jsonString(options.cacheFrom))) }
        if let platform = options.platform { query.append(("platform", platform)) }
        if let networkMode = options.networkMode { query.append(("networkmode", networkMode)) }
        if options.pull { query.append(("pull", "1")) }
        if options.noCache { query.append(("nocache", "1")) }
        query.append(("rm", "1"))
        query.append(("forcerm", "1"))
        return query
    }
}

/// One JSON message of the build stream; fields the daemon may shape differently are read leniently.
struct BuildMessage: Decodable {
    struct ErrorDetail: Decodable { var message: String? }
    struct Aux: Decodable { var ID: String? }

    var stream: String?
    var status: String?
    var progress: String?
    var id: String?
    var error: String?
    var errorDetail: ErrorDetail?
    var aux: Aux?
    /// A BuildKit build's `moby.buildkit.trace` messages carry a base64 protobuf `StatusResponse` as their aux.
    var traceAux: String?

    enum CodingKeys: String, CodingKey { case stream, status, progress, id, error, errorDetail, aux }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stream = try? container.decodeIfPresent(String.self, forKey: .stream)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        progress = try? container.decodeIfPresent(String.self, forKey: .progress)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
        error = try? container.decodeIfPresent(String.self, forKey: .error)
        errorDetail = try? container.decodeIfPresent(ErrorDetail.self, forKey: .errorDetail)
        aux = try? container.decodeIfPresent(Aux.self, forKey: .aux)
        traceAux = id == "moby.buildkit.trace" ? try? container.decodeIfPresent(String.self, forKey: .aux) : nil
    }
}

/// Turns build stream messages into events and remembers the image ID.
struct BuildStreamReader {
    private(set) var imageID: String?
    private(set) var successfullyBuiltID: String?
    /// A BuildKit build's progress, decoded into plain lines (never the raw base64).
    private var progress = BuildKitProgressPrinter()

    /// The log lines BuildKit left without their line break when the stream ended.
    mutating func finish(onEvent: (BuildEvent) -> Void) {
        for line in progress.finish() { onEvent(.output(line + "\n")) }
    }

    /// The error for a build stream line that is not a ``BuildMessage``; it quotes the line's start.
    static func notJSON(_ text: String) -> EngineError {
        EngineError.protocolError("the build stream carried a line that is not JSON: \(text.prefix(200))")
    }

    /// Turns one message into events; its `error` (or `errorDetail.message`) fails the build.
    mutating func handle(_ message: BuildMessage, onEvent: (BuildEvent) -> Void) throws {
        if let error = message.error ?? message.errorDetail?.message {
            let text = error.trimmingCharacters(in: .whitespacesAndNewlines)
            throw EngineError.buildFailed(message: Self.failureText(text, failedStep: progress.failedStep))
        }
        if let trace = message.traceAux {
            do {
                for line in try progress.lines(forTrace: trace) { onEvent(.output(line + "\n")) }
            } catch {
                throw EngineError.protocolError("the build stream carried \(error)")
            }
            return
        }
        if let stream = message.stream {
            onEvent(.output(stream))
            let marker = "Successfully built "
            if let range = stream.range(of: marker) {
                let id = stream[range.upperBound...].prefix { $0.isHexDigit }
                if !id.isEmpty { successfullyBuiltID = String(id) }
            }
        }
        if let status = message.status {
            var text = status
            if let id = message.id, !id.isEmpty { text = "\(id): \(text)" }
            if let progress = message.progress, !progress.isEmpty { text += " \(progress)" }
            onEvent(.status(text))
        }
        if let id = message.aux?.ID, !id.isEmpty {
            let full = id.hasPrefix("sha256:") ? id : "sha256:\(id)"
            imageID = full
            onEvent(.imageID(full))
        }
    }
}

extension BuildStreamReader {
    /// The build's error as the user reads it in the final line. A `RUN` step that exits non-zero is worded as
    /// the classic builder words it ("The command '/bin/sh -c make' returned a non-zero code: 2"), whichever
    /// builder ran it: BuildKit says "executor failed running [/bin/sh -c make]: exit code: 2" (0.8) or
    /// "process \"/bin/sh -c make\" did not complete successfully: exit code: 2" (0.11 and later). Any other
    /// BuildKit error is prefixed with the step it failed in (`[2/3] COPY data /data: …`) when the trace named it.
    static func failureText(_ error: String, failedStep: String?) -> String {
        if let (command, code) = buildKitExitFailure(error) {
            return "The command '\(command)' returned a non-zero code: \(code)"
        }
        guard let failedStep, !error.contains(failedStep) else { return error }
        return "\(failedStep): \(error)"
    }

    /// The command and exit code in BuildKit's message for a process that exited non-zero, if it is one.
    static func buildKitExitFailure(_ error: String) -> (command: String, code: String)? {
        // The newer form quotes the command the way Go's %q does.
        let forms: [(open: String, close: String, quoted: Bool)] = [
            ("executor failed running [", "]: exit code: ", false),
            ("process \"", "\" did not complete successfully: exit code: ", true),
        ]
        for form in forms {
            guard let start = error.range(of: form.open), let end = error.range(of: form.close, options: .backwards),
                start.upperBound <= end.lowerBound
            else { continue }
            let code = error[end.upperBound...].prefix { $0.isNumber }
            guard !code.isEmpty else { continue }
            let command = String(error[start.upperBound..<end.lowerBound])
            return (form.quoted ? unquoted(command) : command, String(code))
        }
        return nil
    }

    /// Undoes Go's %q escaping of quotes and backslashes; other escapes (`\n`) stay as written, on one line.
    static func unquoted(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped {
                if character != "\"" && character != "\\" { out.append("\\") }
                out.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return escaped ? out + "\\" : out
    }
}
