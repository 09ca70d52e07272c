import Testing

@testable import R2DHTTP

@Suite("Proxies from the environment")
struct ProxySettingsTests {
    static let proxied = [
        "HTTPS_PROXY": "http://user:s3cr%40t@proxy.corp:3128",
        "http_proxy": "proxy.corp:8080",
        "NO_PROXY": "internal.example, .svc.cluster, 10.0.0.0/8,192.168.1.7, mirror.example:8443, [fd00::1]",
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var url: String
        var expected: String?
        var testDescription: String { url }
    }

    @Test(arguments: [
        Case(url: "https://zenodo.org/api/records/1", expected: "http://proxy.corp:3128"),
        Case(url: "http://doi.org/10.1/x", expected: "http://proxy.corp:8080"),
        Case(url: "https://internal.example/x", expected: nil),
        Case(url: "https://a.b.internal.example/x", expected: nil),
        Case(url: "https://notinternal.example/x", expected: "http://proxy.corp:3128"),
        Case(url: "https://svc.cluster/x", expected: "http://proxy.corp:3128"),
        Case(url: "https://registry.svc.cluster:5000/v2/", expected: nil),
        Case(url: "https://10.20.30.40/x", expected: nil),
        Case(url: "https://11.0.0.1/x", expected: "http://proxy.corp:3128"),
        Case(url: "https://192.168.1.7:9000/x", expected: nil),
        Case(url: "https://mirror.example:8443/x", expected: nil),
        Case(url: "https://mirror.example/x", expected: "http://proxy.corp:3128"),
        Case(url: "https://[fd00::1]:443/x", expected: nil),
        Case(url: "https://127.0.0.1:5000/v2/", expected: nil),
        Case(url: "http://localhost:8080/x", expected: nil),
        Case(url: "http://[::1]/x", expected: nil),
        Case(url: "https://user:pw@zenodo.org/x", expected: "http://proxy.corp:3128"),
    ])
    func routes(_ test: Case) throws {
        let settings = try ProxySettings(environment: Self.proxied)
        #expect(settings.proxy(forURL: test.url)?.description == test.expected)
    }

    @Test func credentialsAreDecodedButNeverDescribed() throws {
        let server = try #require(try ProxySettings(environment: Self.proxied).httpsProxy)
        #expect(server.basicCredentials?.user == "user")
        #expect(server.basicCredentials?.password == "s3cr@t")
        #expect(!server.description.contains("s3cr"))
        #expect(!"\(server)".contains("user"))
    }

    @Test func upperCaseWinsAndBlankValuesAreUnset() throws {
        let settings = try ProxySettings(environment: [
            "HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "HTTP_PROXY": "  ", "http_proxy": "",
        ])
        #expect(settings.httpsProxy?.description == "http://upper:1")
        #expect(settings.httpProxy == nil)
        #expect(settings.proxy(forURL: "http://example.org/") == nil)
    }

    @Test func starBypassesEverything() throws {
        let settings = try ProxySettings(environment: ["HTTPS_PROXY": "http://p:1", "no_proxy": "*"])
        #expect(settings.proxy(forURL: "https://zenodo.org/") == nil)
    }

    @Test func socksAndDefaultPorts() throws {
        let settings = try ProxySettings(environment: ["HTTPS_PROXY": "socks5://gate", "HTTP_PROXY": "http://web"])
        #expect(settings.httpsProxy?.description == "socks5://gate:1080")
        #expect(settings.httpProxy?.description == "http://web:80")
    }

    @Test(arguments: [
        ("HTTPS_PROXY", "https://user:topsecret@proxy:443", "the scheme https:// is not supported"),
        ("HTTP_PROXY", "http://user:topsecret@:8080", "it names no host"),
        ("https_proxy", "ftp://proxy", "the scheme ftp:// is not supported"),
        ("HTTP_PROXY", "http://proxy:port", "it names no host"),
    ])
    func unusableValuesAreOneLineWithoutTheValue(variable: String, value: String, reason: String) {
        #expect {
            _ = try ProxySettings(environment: [variable: value])
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("\(variable) cannot be used as a proxy: \(reason)") && !text.contains("topsecret")
                && !text.contains("\n")
        }
    }

    @Test(arguments: [
        ("*", NoProxyRule.everything),
        (".Example.COM", .domain("example.com", subdomainsOnly: true, port: nil)),
        ("*.example.com", .domain("example.com", subdomainsOnly: true, port: nil)),
        ("example.com:8443", .domain("example.com", subdomainsOnly: false, port: 8443)),
        ("10.1.0.0/16", .address([10, 1, 0, 0], prefixBits: 16, port: nil)),
        ("1.2.3.4:80", .address([1, 2, 3, 4], prefixBits: 32, port: 80)),
    ])
    func parsesRules(entry: String, rule: NoProxyRule) {
        #expect(NoProxyRule.parse(entry) == rule)
    }

    @Test func meaninglessRulesAreSkipped() {
        #expect(NoProxyRule.parseList("10.0.0.0/99, ,host:notaport, ok.example").count == 1)
    }
}
