import Foundation
@testable import R2DBuildKitProgress
import SwiftProtobuf

/// Builders of StatusResponse traces for the unit tests; times are milliseconds after a fixed instant.
enum Trace {
    static func at(_ milliseconds: Int64) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(seconds: 1_800_000_000 + milliseconds / 1000, nanos: Int32(milliseconds % 1000) * 1_000_000)
    }

    static func vertex(
        _ digest: String, _ name: String, started: Int64? = nil, completed: Int64? = nil, cached: Bool = false, error: String = ""
    ) -> Moby_Buildkit_V1_Vertex {
        var vertex = Moby_Buildkit_V1_Vertex()
        vertex.digest = digest
        vertex.name = name
        vertex.cached = cached
        vertex.error = error
        if let started { vertex.started = at(started) }
        if let completed { vertex.completed = at(completed) }
        return vertex
    }

    static func log(_ digest: String, at time: Int64, _ text: String, stream: Int64 = 1) -> Moby_Buildkit_V1_VertexLog {
        var log = Moby_Buildkit_V1_VertexLog()
        log.vertex = digest
        log.timestamp = at(time)
        log.stream = stream
        log.msg = Data(text.utf8)
        return log
    }

    static func status(
        _ digest: String, _ id: String, at time: Int64, current: Int64, total: Int64 = 0, completed: Bool = false
    ) -> Moby_Buildkit_V1_VertexStatus {
        var status = Moby_Buildkit_V1_VertexStatus()
        status.vertex = digest
        status.id = id
        status.current = current
        status.total = total
        status.timestamp = at(time)
        status.started = at(0)
        if completed { status.completed = at(time) }
        return status
    }

    static func warning(_ digest: String, _ short: String) -> Moby_Buildkit_V1_VertexWarning {
        var warning = Moby_Buildkit_V1_VertexWarning()
        warning.vertex = digest
        warning.level = 1
        warning.short = Data(short.utf8)
        return warning
    }

    /// The aux of one trace line: a StatusResponse, serialized and base64-encoded as dockerd sends it.
    static func aux(
        vertexes: [Moby_Buildkit_V1_Vertex] = [], statuses: [Moby_Buildkit_V1_VertexStatus] = [],
        logs: [Moby_Buildkit_V1_VertexLog] = [], warnings: [Moby_Buildkit_V1_VertexWarning] = []
    ) -> String {
        var response = Moby_Buildkit_V1_StatusResponse()
        response.vertexes = vertexes
        response.statuses = statuses
        response.logs = logs
        response.warnings = warnings
        return (try! response.serializedBytes() as Data).base64EncodedString()
    }
}
