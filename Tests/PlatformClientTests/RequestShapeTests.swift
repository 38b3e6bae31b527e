import Foundation
import Hummingbird
import PlatformClient
import SupportSync
import TestSupport
import Testing

/// What goes over the wire for each call: method, path, query, headers, body.
@Suite struct RequestShapeTests {
    /// Answers every route of the API with a fixed, valid value.
    static let happy: FaultServer.Reply = { request, _ in
        let path = request.target.split(separator: "?").first.map(String.init) ?? ""
        switch (request.method, path) {
        case ("GET", let p) where p.hasSuffix("/v1/platform"):
            return FaultServer.json(PlatformInfo(instance: "inst-1"))
        case ("GET", let p) where p.hasSuffix("/v1/agents"):
            var other = Fixtures.agent
            other.id = "aaa"
            return FaultServer.json(["agents": [Fixtures.agent, other]])
        case ("GET", let p) where p.hasSuffix("/v1/tickets"):
            return FaultServer.json(TicketPage(tickets: [Fixtures.ticket], nextCursor: "c2"))
        case ("POST", _):
            return FaultServer.json(Fixtures.ticket, status: .created)
        case (_, let p) where p.contains("/v1/tickets/"):
            return FaultServer.json(Fixtures.ticket)
        default:
            return FaultServer.json(Fixtures.agent)
        }
    }

    @Test func everyCallSendsTheTokenAndTheRightMethodAndPath() async throws {
        let seen = try await FaultServer.with(Self.happy) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in
                #expect(try await platform.info() == PlatformInfo(instance: "inst-1"))
                #expect(try await platform.agents().map(\.id) == ["aaa", "billing-line"])
                #expect(try await platform.agent(id: "billing-line") == Fixtures.agent)
                _ = try await platform.putAgent(
                    id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
                _ = try await platform.createTicket(Fixtures.draft, idempotencyKey: "key-1")
                #expect(try await platform.ticket(id: "T-1") == Fixtures.ticket)
                let page = try await platform.tickets(after: "c1", limit: 50)
                #expect(page.tickets == [Fixtures.ticket] && page.nextCursor == "c2")
                _ = try await platform.tickets(after: nil, limit: 10)
                _ = try await platform.patchTicket(
                    id: "T-1", TicketPatch(status: .resolved, assignee: .clear), expecting: "1")
            }
            return await log.requests
        }
        #expect(
            seen.map { "\($0.method) \($0.target)" } == [
                "GET /v1/platform", "GET /v1/agents", "GET /v1/agents/billing-line", "PUT /v1/agents/billing-line",
                "POST /v1/tickets", "GET /v1/tickets/T-1?reveal=true", "GET /v1/tickets?after=c1&limit=50&reveal=true",
                "GET /v1/tickets?limit=10&reveal=true", "PATCH /v1/tickets/T-1?reveal=true",
            ])
        for request in seen {
            #expect(request.header("Authorization") == "Bearer \(Fixtures.token)", "\(request.target)")
            #expect(request.header("Accept") == "application/json")
        }
        let put = seen[3]
        #expect(put.header("If-Match") == "\"3\"")
        #expect(put.header("Content-Type") == "application/json")
        let written = try JSONDecoder().decode(AgentWrite.self, from: Data(put.body.utf8))
        #expect(written == AgentWrite(Fixtures.agent.settings))
        #expect(!put.body.contains("\"id\""), "the id travels in the path only")

        let post = seen[4]
        #expect(post.header("Idempotency-Key") == "key-1")
        #expect(try JSONDecoder().decode(TicketDraft.self, from: Data(post.body.utf8)) == Fixtures.draft)

        let patch = seen[8]
        #expect(patch.header("If-Match") == "\"1\"")
        #expect(patch.body == #"{"assignee":null,"status":"resolved"}"#)
        #expect(seen[0].header("If-Match") == nil && seen[0].header("Idempotency-Key") == nil)
    }

    @Test(arguments: [
        ("a b/c?d", "/v1/agents/a%20b%2Fc%3Fd"),
        ("..", "/v1/agents/%2E%2E"),
        ("é#%", "/v1/agents/%C3%A9%23%25"),
        ("plain-id_1.x~", "/v1/agents/plain-id_1.x~"),
    ])
    func idsArePercentEncodedAsOneSegment(id: String, expected: String) async throws {
        let seen = try await FaultServer.with(Self.happy) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in _ = try await platform.agent(id: id) }
            return await log.requests
        }
        #expect(seen.map(\.target) == [expected])
    }

    @Test func cursorsAreEncodedInTheQuery() async throws {
        let seen = try await FaultServer.with(Self.happy) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in
                _ = try await platform.tickets(after: "a&b=c+d", limit: 5)
            }
            return await log.requests
        }
        #expect(seen.map(\.target) == ["/v1/tickets?after=a%26b%3Dc%2Bd&limit=5&reveal=true"])
    }

    @Test(arguments: ["", "/", "/api", "/api/", "/api//"])
    func baseURLPathPrefixesAndTrailingSlashes(suffix: String) async throws {
        let seen = try await FaultServer.with(Self.happy) { baseURL, log in
            try await Fixtures.withPlatform(baseURL + suffix) { platform in _ = try await platform.info() }
            return await log.requests
        }
        let prefix = suffix.hasPrefix("/api") ? "/api" : ""
        #expect(seen.map(\.target) == [prefix + "/v1/platform"])
    }

    @Test(arguments: [("3", "\"3\""), ("\"3\"", "\"3\""), ("W/\"3\"", "W/\"3\"")])
    func ifMatchIsSentQuoted(version: String, header: String) async throws {
        let seen = try await FaultServer.with(Self.happy) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in
                _ = try await platform.putAgent(
                    id: "x", AgentWrite(Fixtures.agent.settings), expecting: .revision(version))
            }
            return await log.requests
        }
        #expect(seen.map { $0.header("If-Match") } == [header])
    }

    /// A create only creates (`If-None-Match: *`); an unconditional write names no condition.
    @Test func aCreateOnlyWriteIsSentWithIfNoneMatch() async throws {
        let seen = try await FaultServer.with(Self.happy) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in
                _ = try await platform.putAgent(id: "x", AgentWrite(Fixtures.agent.settings), expecting: .absent)
                _ = try await platform.putAgent(id: "x", AgentWrite(Fixtures.agent.settings), expecting: .unconditional)
            }
            return await log.requests
        }
        #expect(seen.map { $0.header("If-None-Match") } == ["*", nil])
        #expect(seen.map { $0.header("If-Match") } == [nil, nil])
    }

    @Test func aCreateWithoutAKeyGetsOneThatStaysTheSameAcrossRetries() async throws {
        let seen = try await FaultServer.with({ request, number in
            if number == 1 { return FaultServer.error(.serviceUnavailable, .unavailable("busy")) }
            if number == 2 { return FaultServer.error(.badGateway, .unavailable("proxy")) }
            return try await Self.happy(request, number)
        }) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in
                _ = try await platform.createTicket(Fixtures.draft, idempotencyKey: nil)
                _ = try await platform.createTicket(Fixtures.draft, idempotencyKey: nil)
            }
            return await log.requests
        }
        let keys = seen.map { $0.header("Idempotency-Key") }
        #expect(keys.count == 4)
        #expect(keys.allSatisfy { ($0?.count ?? 0) >= 32 })
        #expect(keys[0] == keys[1] && keys[1] == keys[2], "one logical create, one key: \(keys)")
        #expect(keys[3] != keys[0], "a second create gets a key of its own")
    }

    @Test func plainHTTPIsForThisMachineOnly() async throws {
        for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://platform.example.com"] {
            let platform = try HTTPPlatform(baseURL: url, token: Fixtures.token, logger: Fixtures.quietLogger)
            try await platform.shutdown()
        }
    }

    @Test func invalidSetUpIsRefusedWithoutEchoingSecrets() {
        let cases: [(String, String, String)] = [
            ("ftp://host", Fixtures.token, "http:// or https://"),
            ("not a url at all", Fixtures.token, "not a URL"),
            ("http://user:pw-123@host", Fixtures.token, "user name or password"),
            ("http://host/?token=\(Fixtures.token)", Fixtures.token, "query"),
            ("http:///v1", Fixtures.token, "no host"),
            ("http://host", "", "empty"),
            ("http://host", "two words", "a space"),
            ("http://platform.example.com", Fixtures.token, "plain http:// to a host that is not this machine"),
            // This machine too, but not as the names and addresses plain http:// is allowed to.
            ("http://127.1", Fixtures.token, "not this machine by its usual name (localhost, 127.x.x.x, [::1])"),
            ("http://[::ffff:127.0.0.1]", Fixtures.token, "use https://, or one of those names"),
            ("http://10.0.0.7:8080", Fixtures.token, "use https://"),
            ("https://platform.example.com", "seven77", "shorter than 8 characters"),
            // Printable ASCII only: a token outside it has more than one
            // spelling in bytes (é, or e and a combining accent), which
            // redaction could not all find.
            ("https://platform.example.com", "éééé", "outside ASCII"),
            ("https://platform.example.com", "token-with-e\u{301}-accent", "outside ASCII"),
            ("https://platform.example.com", "tab\tinside-token", "a control character"),
        ]
        for (url, token, expected) in cases {
            let error = #expect(throws: HTTPPlatformSetupError.self, "\(url)") {
                _ = try HTTPPlatform(baseURL: url, token: token, logger: Fixtures.quietLogger)
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
            #expect(error?.description.contains(Fixtures.token) == false)
            #expect(error?.description.contains("pw-123") == false)
        }
    }
}
