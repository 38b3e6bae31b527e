import Foundation
import Hummingbird
import PlatformClient
import SupportSync
import TestSupport
import Testing

/// How answers that are not a success become `PlatformError`s, and that
/// none of them is retried unless it should be.
@Suite(.exclusive) struct ErrorMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var code: String
        var testDescription: String { "HTTP \(status) -> \(code)" }
    }

    @Test(arguments: [
        Case(status: 400, code: "bad_request"), Case(status: 401, code: "unauthorized"),
        Case(status: 403, code: "forbidden"), Case(status: 404, code: "not_found"),
        Case(status: 409, code: "internal"), Case(status: 412, code: "version_conflict"),
        Case(status: 413, code: "too_large"), Case(status: 422, code: "invalid"),
    ])
    func clientErrorsAreMappedAndNeverRetried(_ c: Case) async throws {
        let (error, attempts) = try await FaultServer.with({ _, _ in
            FaultServer.error(.init(code: c.status), .invalid(field: "support.mode", message: "server says no"))
        }) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) {
                    try await $0.putAgent(
                        id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
                }
            }
            return (error, await log.count)
        }
        #expect(attempts == 1)
        #expect(error?.code == c.code)
        let prefix = "agent billing-line: HTTP \(c.status) on PUT /v1/agents/billing-line: server says no"
        #expect(error?.message.contains(prefix) == true, "\(error?.message ?? "")")
        if c.status == 422 {
            #expect(error == .invalid(field: "support.mode", message: prefix))
        }
    }

    /// What the platform says goes into messages as data: a line break or
    /// an escape sequence in it is escaped, so it cannot start a line of
    /// its making (a forged CI annotation) or recolour a terminal.
    @Test(arguments: [400, 422, 500])
    func platformTextInAnErrorIsEscaped(status: Int) async throws {
        let said = "no\n::error file=config/agents/a.yaml,line=1::forged\u{1B}[2K"
        let error = try await FaultServer.with({ _, _ in
            FaultServer.error(.init(code: status), .invalid(field: "support\n::warning::x", message: said))
        }) { baseURL, _ in
            await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Fixtures.fast(maxAttempts: 1)) {
                    try await $0.putAgent(
                        id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
                }
            }
        }
        let message = error?.message ?? ""
        #expect(message.contains(#"no\n::error file="#), "\(message)")
        #expect(!message.contains("\n") && !message.contains("\u{1B}"), "\(message)")
        if case .invalid(let field, _)? = error {
            #expect(field == #"support\n::warning::x"#)
        }
    }

    @Test func a404FromTheAPIMeansMissing() async throws {
        try await FaultServer.with({ _, _ in FaultServer.error(.notFound, .notFound("no such thing")) }) { baseURL, _ in
            try await Fixtures.withPlatform(baseURL) { platform async throws in
                #expect(try await platform.agent(id: "nobody") == nil)
                #expect(try await platform.ticket(id: "T-404") == nil)
                // Where the resource must exist, a 404 is an error.
                let error = await #expect(throws: PlatformError.self) {
                    try await platform.patchTicket(id: "T-404", TicketPatch(status: .closed), expecting: nil)
                }
                #expect(error?.code == "not_found")
            }
        }
    }

    /// A web server's 404 page means the URL is wrong, not that the agent is
    /// missing: `apply` must not go on to create every agent.
    @Test func a404PageIsNotAMissingAgent() async throws {
        let error = try await FaultServer.with({ _, _ in
            FaultServer.text("<html><body>Not Found</body></html>", status: .notFound)
        }) { baseURL, _ in
            await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL + "/wrong") { try await $0.agent(id: "billing-line") }
            }
        }
        #expect(error?.code == "internal")
        #expect(
            error?.message
                == "agent billing-line: HTTP 404 on GET /wrong/v1/agents/billing-line: the answer is not the platform API's (35 bytes of text/html)"
        )
    }

    /// The fixture ticket as the platform sends it.
    static func fixtureJSON() throws -> String {
        String(decoding: try JSONCoding.encoder().encode(Fixtures.ticket), as: UTF8.self)
    }

    /// The page a server answering `entries` (JSON texts) as its feed gives the client.
    static func page(of entries: [String]) async throws -> TicketPage {
        let text = #"{"tickets":["# + entries.joined(separator: ",") + #"],"next_cursor":null}"#
        return try await FaultServer.with({ _, _ in FaultServer.text(text, status: .ok, type: "application/json") }) {
            baseURL, _ in
            try await Fixtures.withPlatform(baseURL) { try await $0.tickets(after: nil, limit: 10) }
        }
    }

    /// One ticket of a page that does not decode (half an emoji: a lone
    /// UTF-16 surrogate escape) is named with why; the page's others read.
    @Test func aTicketOfAPageThatDoesNotDecodeIsNamedAndTheOthersRead() async throws {
        let good = try Self.fixtureJSON()
        let broken = good.replacingOccurrences(of: #""id":"T-1""#, with: #""id":"T-2""#)
            .replacingOccurrences(of: #""summary":"wants a refund""#, with: #""summary":"wants a refund \ud83d""#)
        #expect(broken.contains(#"\ud83d"#))
        let page = try await Self.page(of: [good, broken])
        #expect(page.tickets.map(\.id) == ["T-1"])
        #expect(page.unreadable.map(\.id) == ["T-2"])
        #expect(
            page.unreadable.first?.reason.hasPrefix("the platform's JSON for it does not read: not valid JSON text")
                == true)
    }

    /// A ticket of a page without a field the API requires is refused by
    /// name, never read with a default: a closed ticket sent without its
    /// status, resolution and tags would land as pending, unresolved, untagged.
    @Test func aTicketWithoutARequiredFieldIsRefusedByName() async throws {
        let good = try Self.fixtureJSON()
        var object = try #require(try JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
        object["id"] = "T-2"
        for key in ["status", "resolution", "tags"] { object.removeValue(forKey: key) }
        let partial = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let page = try await Self.page(of: [good, partial])
        #expect(page.tickets.map(\.id) == ["T-1"])
        #expect(page.unreadable.map(\.id) == ["T-2"])
        #expect(
            page.unreadable.first?.reason
                == "the platform's JSON for it does not read: it lacks tags, status, resolution, which the API requires"
        )
    }

    /// A cursor the platform made is its text: a message naming it escapes
    /// its control characters (a terminal escape, a line that would read as
    /// a CI annotation).
    @Test func aCursorInAMessageIsEscaped() async throws {
        let cursor = "c1\u{1B}]0;owned\u{07}\n::error file=README.md::forged"
        let error = try await FaultServer.with({ _, _ in
            FaultServer.error(.badRequest, .badRequest("no such cursor"))
        }) { baseURL, _ in
            await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { try await $0.tickets(after: cursor, limit: 10) }
            }
        }
        let message = error?.message ?? ""
        #expect(message.contains("tickets after cursor c1\\u{1B}]0;owned\\u{07}\\n::error"), "\(message)")
        #expect(!message.contains("\n") && !message.contains("\u{1B}"), "\(message)")
    }

    /// "none" is the instance of a local platform not created yet, which a
    /// plan saved against it names: a remote platform may not take it.
    @Test func aPlatformCallingItselfNoneIsRefused() async throws {
        let error = try await FaultServer.with({ _, _ in
            FaultServer.json(PlatformInfo(instance: PlatformInfo.noInstance))
        }) { baseURL, _ in
            await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { try await $0.info() }
            }
        }
        #expect(error?.message.contains("the name supportsync keeps for a local platform not created yet") == true)
    }

    @Test func garbageInASuccessIsAFailureNamingTheStatus() async throws {
        try await FaultServer.with({ request, _ in
            if request.target.hasSuffix("/html") { return FaultServer.text("<html>hi</html>", status: .ok) }
            if request.target.hasSuffix("/shape") { return FaultServer.json(["id": "x", "name": "y"]) }
            return FaultServer.text("\u{0}\u{1}garbage", status: .ok, type: "application/octet-stream")
        }) { baseURL, log in
            try await Fixtures.withPlatform(baseURL) { platform in
                let html = await #expect(throws: PlatformError.self) { try await platform.agent(id: "html") }
                #expect(html?.code == "internal")
                #expect(
                    html?.message
                        == "agent html: HTTP 200 on GET /v1/agents/html: the answer is not the platform API's (not JSON)"
                )
                let shape = await #expect(throws: PlatformError.self) { try await platform.agent(id: "shape") }
                #expect(
                    shape?.message.contains(
                        "HTTP 200 on GET /v1/agents/shape: the answer is not the platform API's (no \"") == true,
                    "\(shape?.message ?? "")")
                let bytes = await #expect(throws: PlatformError.self) { try await platform.ticket(id: "bytes") }
                #expect(bytes?.message.hasPrefix("ticket bytes: HTTP 200") == true)
            }
            #expect(await log.count == 3, "a garbled success is not retried")
        }
    }

    @Test func aServerErrorPageIsRetriedThenReportedWithItsStatus() async throws {
        let (error, attempts) = try await FaultServer.with({ _, _ in
            FaultServer.text("<h1>Internal Server Error</h1>", status: .internalServerError)
        }) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { try await $0.info() }
            }
            return (error, await log.count)
        }
        #expect(attempts == 3)
        #expect(error?.code == "internal")
        #expect(
            error?.message.hasPrefix(
                "platform: HTTP 500 on GET /v1/platform: the answer is not the platform API's (30 bytes of text/html); gave up after 3 attempts"
            ) == true, "\(error?.message ?? "")")
    }

    @Test func a401WithoutTheAPIsBodyIsStillUnauthorized() async throws {
        let error = try await FaultServer.with({ _, _ in FaultServer.text("denied", status: .unauthorized) }) {
            baseURL, _ in
            await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { try await $0.tickets(after: nil, limit: 1) }
            }
        }
        #expect(
            error
                == .unauthorized(
                    "tickets from the start: HTTP 401 on GET /v1/tickets?limit=1&reveal=true: the platform refused the token"
                ))
    }

    @Test func redirectsAreNotFollowed() async throws {
        let (error, attempts) = try await FaultServer.with({ request, _ in
            Response(status: .found, headers: [.location: "/elsewhere"])
        }) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { try await $0.agents() }
            }
            return (error, await log.count)
        }
        #expect(attempts == 1, "the token must not follow a redirect")
        #expect(error?.code == "internal")
        #expect(error?.message.contains("HTTP 302 on GET /v1/agents: a redirect") == true, "\(error?.message ?? "")")
    }

    @Test func anOversizedAnswerIsRefused() async throws {
        let error = try await FaultServer.with({ _, _ in
            FaultServer.text(String(repeating: "x", count: 10_000), status: .ok)
        }) { baseURL, _ in
            await #expect(throws: PlatformError.self) {
                var configuration = Fixtures.fast()
                configuration.maxResponseBytes = 1000
                return try await Fixtures.withPlatform(baseURL, configuration) { try await $0.agents() }
            }
        }
        #expect(error == .tooLarge("agents: GET /v1/agents: the answer is larger than 1000 bytes"))
    }
}
