import Foundation
import R2DEngine
import R2DTestSupport
import Testing

@Suite("Push requests against a stub engine")
struct PushTests {
    @Test func sendsAuthHeaderAndReportsProgress() async throws {
        let stream =
            [
                #"{"status":"The push refers to repository [127.0.0.1:5000/a/b]"}"#,
                #"{"status":"Preparing","progressDetail":{},"id":"l1"}"#,
                #"{"status":"Pushing","progressDetail":{"current":512,"total":1024},"progress":"[==>  ]","id":"l1"}"#,
                #"{"status":"Pushed","progressDetail":{},"id":"l1"}"#,
                #"{"progressDetail":{},"aux":{"Tag":"t1","Digest":"sha256:feed","Size":525}}"#,
            ].joined(separator: "\r\n") + "\r\n"
        let events = Collector<PushProgress>()
        let (digest, request) = try await withStub({ _ in StubResponse(chunks: [Array(stream.utf8)]) }) { client, server in
            let digest = try await client.pushImage(
                repository: "127.0.0.1:5000/a/b", tag: "t1",
                auth: RegistryAuth(username: "u", password: "p+/?", serverAddress: "127.0.0.1:5000")
            ) { events.append($0) }
            return (digest, server.requests.last)
        }
        #expect(digest == "sha256:feed")
        #expect(request?.method == "POST")
        #expect(request?.path == "/v1.41/images/127.0.0.1:5000/a/b/push")
        #expect(request?.queryValues("tag") == ["t1"])
        // base64url of the JSON the daemon decodes.
        var header = try #require(request?.header("X-Registry-Auth"))
        header = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while header.count % 4 != 0 { header += "=" }
        let decoded = try #require(Data(base64Encoded: header))
        let object = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: String])
        #expect(object == ["username": "u", "password": "p+/?", "serveraddress": "127.0.0.1:5000"])
        #expect(events.values.contains(PushProgress(layer: "l1", status: "Pushing", current: 512, total: 1024)))
        #expect(events.values.first == PushProgress(layer: nil, status: "The push refers to repository [127.0.0.1:5000/a/b]"))
    }

    @Test func anonymousPushStillSendsTheHeader() throws {
        #expect(try RegistryAuth.headerValue(nil) == "e30=")
    }

    @Test func errorInTheStreamFailsThePush() async throws {
        let stream =
            #"{"status":"Preparing","id":"l1"}"# + "\n"
            + #"{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}"# + "\n"
        await #expect(throws: EngineError.pushFailed(message: "unauthorized: authentication required")) {
            try await withStub({ _ in StubResponse(chunks: [Array(stream.utf8)]) }) { client, _ in
                try await client.pushImage(repository: "r/x", tag: "1", auth: nil) { _ in }
            }
        }
    }

    @Test func daemonRefusalIsAPushFailure() async throws {
        await #expect(throws: EngineError.pushFailed(message: "No such image: r/x:1")) {
            try await withStub({ _ in .error("No such image: r/x:1", status: 404) }) { client, _ in
                try await client.pushImage(repository: "r/x", tag: "1", auth: nil) { _ in }
            }
        }
    }
}
