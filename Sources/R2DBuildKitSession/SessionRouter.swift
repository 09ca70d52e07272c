import Foundation
import SwiftProtobuf

/// The session's gRPC methods by path, hand-registered: protoc-gen-swift makes the messages, and the four
/// services are too small to need grpc-swift's code generator.
struct SessionRouter: Sendable {
    typealias Handler = @Sendable (SessionCall) async throws -> Void

    static let health = "/grpc.health.v1.Health/Check"
    static let diffCopy = "/moby.filesync.v1.FileSync/DiffCopy"
    static let credentials = "/moby.filesync.v1.Auth/Credentials"
    static let getSecret = "/moby.buildkit.secrets.v1.Secrets/GetSecret"

    private let handlers: [String: Handler]

    init(services: SessionServices) {
        var handlers: [String: Handler] = [
            Self.health: { call in
                try await Self.unary(call, Grpc_Health_V1_HealthCheckRequest.self) { _ in
                    Grpc_Health_V1_HealthCheckResponse.with { $0.status = .serving }
                }
            }
        ]
        if let context = services.context {
            let fileSync = FileSyncService(snapshot: context, progress: services.progress)
            handlers[Self.diffCopy] = { call in try await fileSync.diffCopy(call) }
        }
        if !services.secrets.isEmpty {
            let secrets = services.secrets
            handlers[Self.getSecret] = { call in
                try await Self.unary(call, Moby_Buildkit_Secrets_V1_GetSecretRequest.self) { request in
                    guard let value = secrets[request.id] else {
                        throw GRPCStatus(code: .notFound, message: "secret \(request.id) not found")
                    }
                    return Moby_Buildkit_Secrets_V1_GetSecretResponse.with { $0.data = .init(value) }
                }
            }
        }
        if let lookup = services.credentials {
            handlers[Self.credentials] = { call in
                try await Self.unary(call, Moby_Filesync_V1_CredentialsRequest.self) { request in
                    let credential = try await lookup(request.host)
                    return Moby_Filesync_V1_CredentialsResponse.with {
                        $0.username = credential?.username ?? ""
                        $0.secret = credential?.secret ?? ""
                    }
                }
            }
        }
        self.handlers = handlers
    }

    /// The methods announced in the `X-Docker-Expose-Session-Grpc-Method` headers, sorted.
    var methods: [String] { handlers.keys.sorted() }

    /// Runs the call's handler and returns the status to end it with; a method it does not serve is UNIMPLEMENTED,
    /// which the daemon takes as "not offered" (it then asks for credentials instead of a token authority).
    func handle(_ call: SessionCall) async -> GRPCStatus {
        guard let handler = handlers[call.method] else {
            return GRPCStatus(code: .unimplemented, message: "\(call.method) is not served by this session")
        }
        do {
            try await handler(call)
            return .ok
        } catch let status as GRPCStatus {
            return status
        } catch is CancellationError {
            return GRPCStatus(code: .cancelled, message: "the session is closing")
        } catch {
            return GRPCStatus(code: .internal, message: String(describing: error))
        }
    }

    /// A unary call: one request message in, one response message out.
    static func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ call: SessionCall, _ type: Request.Type, _ answer: (Request) async throws -> Response
    ) async throws {
        let request: Request
        do {
            request = try Request(serializedBytes: try await call.singleRequest())
        } catch let status as GRPCStatus {
            throw status
        } catch {
            throw GRPCStatus(code: .invalidArgument, message: "the request is not a \(Request.protoMessageName)")
        }
        let response = try await answer(request)
        try await call.responses.send(try response.serializedBytes())
    }
}
