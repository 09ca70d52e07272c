import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import R2DHTTP

/// Real AsyncHTTPClient requests to a name under .invalid and to a closed loopback port: both fail at once and
/// are told apart from transient failures.
@Suite("Connection failures")
struct ConnectFailureTests {
    func failure(of url: String) async throws -> (ConnectFailure?, Duration) {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            // A connect budget and deadline far above the bounds below: only failing at once passes.
            configuration: HTTPClientSettings.configuration(connectTimeout: .seconds(1800), readTimeout: .seconds(1800)))
        let clock = ContinuousClock()
        let start = clock.now
        var caught: (any Error)?
        do {
            _ = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(3600))
        } catch {
            caught = error
        }
        let elapsed = clock.now - start
        try await client.shutdown()
        let error = try #require(caught, "\(url) answered")
        return (ConnectFailure.classify(error), elapsed)
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 1
        try channel.close().wait()
        return port
    }

    @Test("a name that does not resolve is unresolvable, at once")
    func unresolvable() async throws {
        let (failure, elapsed) = try await failure(of: "https://no-such-host.invalid/api/records/1")
        #expect(failure == .unresolvable)
        #expect(elapsed < .seconds(900))
    }

    @Test("a closed loopback port is refused, at once")
    func refused() async throws {
        let (failure, elapsed) = try await failure(of: "http://127.0.0.1:\(try Self.closedPort())/")
        #expect(failure == .refused)
        #expect(elapsed < .seconds(900))
    }

    @Test("transient failures are not connection failures")
    func transient() {
        #expect(ConnectFailure.classify(HTTPClientError.remoteConnectionClosed) == nil)
        #expect(ConnectFailure.classify(HTTPClientError.readTimeout) == nil)
        #expect(ConnectFailure.classify(IOError(errnoCode: ECONNRESET, reason: "read")) == nil)
        #expect(ConnectFailure.classify(IOError(errnoCode: ETIMEDOUT, reason: "read")) == nil)
        #expect(ConnectFailure.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .refused)
        #expect(ConnectFailure.classify(HTTPClientError.connectTimeout) == .timedOut)
        #expect(ConnectFailure.classify(ChannelError.connectTimeout(.seconds(1))) == .timedOut)
    }

    @Test("explanations name the host and what to check, on one line")
    func explanations() {
        #expect(ConnectFailure.host(ofURL: "https://user:pw@zenodo.invalid:8443/api?x") == "zenodo.invalid:8443")
        let text = ConnectFailure.unresolvable.explanation(host: "zenodo.invalid:8443", connectSeconds: 10)
        #expect(text.hasPrefix("the name zenodo.invalid does not resolve"))
        #expect(ConnectFailure.timedOut.explanation(host: "h", connectSeconds: 7).contains("within 7 s"))
        for failure in [ConnectFailure.unresolvable, .refused, .unreachable, .timedOut, .tls("x")] {
            #expect(!failure.explanation(host: "h:1", connectSeconds: 1).contains("\n"))
        }
    }
}
