import Foundation
import LocalPlatform
import Logging
import PlatformClient
import PlatformServer
import SupportSync
import TestSupport
import Testing

/// The client against the real `PlatformServer` over a real `LocalPlatform`
/// SQLite file on a loopback port: what goes in over HTTP comes back out,
/// and the platform's refusals arrive as the same errors.
@Suite struct RoundTripTests {
    /// Serves a fresh SQLite platform for the length of `body`.
    static func withRealServer<T: Sendable>(
        token: String = Fixtures.token, scopedTokens: [ScopedToken] = [],
        _ body: (_ baseURL: String, _ local: LocalPlatform) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-client-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = try LocalPlatform(path: folder.appendingPathComponent("platform.sqlite").path)
        let server = PlatformServer(
            platform: local, token: Fixtures.token, scopedTokens: scopedTokens, logger: Fixtures.quietLogger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(gracePeriod: .seconds(1)) { port in
                    continuation.yield(port)
                    continuation.finish()
                }
            }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw FaultServerError("the platform server did not start") }
            return try await body("http://127.0.0.1:\(port)", local)
        }
    }

    static func write(_ name: String = "Billing line", mode: SupportMode = .flag) -> AgentWrite {
        AgentWrite(
            name: name, channels: [.calls, .messages],
            support: SupportSettings(
                mode: mode, flag: mode == .flag ? FlagSettings(priority: .high, tags: ["billing"]) : nil))
    }

    @Test func agentsGoInAndComeBackOut() async throws {
        try await Self.withRealServer { baseURL, local in
            try await Fixtures.withPlatform(baseURL) { platform in
                // The platform's info, and the scopes of the token that asked.
                var expected = try await local.info()
                expected.scopes = ["read", "sync", "reveal", "erase", "create"]
                #expect(try await platform.info() == expected)
                #expect(try await platform.agent(id: "billing-line") == nil)

                let created = try await platform.putAgent(id: "billing-line", Self.write(), expecting: .unconditional)
                #expect(created.settings == Self.write().settings(id: "billing-line"))
                #expect(try await platform.agent(id: "billing-line") == created)
                #expect(
                    try await local.agent(id: "billing-line") == created, "what the client wrote is in the SQLite file")

                _ = try await platform.putAgent(id: "aaa-first", Self.write("First"), expecting: .unconditional)
                #expect(try await platform.agents().map(\.id) == ["aaa-first", "billing-line"])

                let updated = try await platform.putAgent(
                    id: "billing-line", Self.write("Renamed"), expecting: .revision(created.version))
                #expect(updated.name == "Renamed" && updated.version != created.version)

                let stale = await #expect(throws: PlatformError.self) {
                    try await platform.putAgent(
                        id: "billing-line", Self.write("Again"), expecting: .revision(created.version))
                }
                #expect(stale?.code == "version_conflict")
                #expect(
                    stale?.message.hasPrefix("agent billing-line: HTTP 412 on PUT /v1/agents/billing-line: ") == true)
                #expect(
                    try await platform.agent(id: "billing-line")?.name == "Renamed", "a refused write changes nothing")

                let absent = await #expect(throws: PlatformError.self) {
                    try await platform.putAgent(id: "nobody", Self.write(), expecting: .revision("1"))
                }
                #expect(absent?.code == "version_conflict", "If-Match on an agent that does not exist is a conflict")
            }
        }
    }

    @Test func theClientReportsWhatThePlatformRefuses() async throws {
        try await Self.withRealServer { baseURL, local in
            // Escalate without destinations breaks the validation rules.
            let bad = AgentWrite(name: "Bad", channels: [.calls], support: SupportSettings(mode: .escalate))
            let direct = await #expect(throws: PlatformError.self) {
                try await local.putAgent(id: "bad", bad, expecting: .unconditional)
            }
            let overHTTP = try await Fixtures.withPlatform(baseURL) { platform in
                await #expect(throws: PlatformError.self) {
                    try await platform.putAgent(id: "bad", bad, expecting: .unconditional)
                }
            }
            #expect(direct?.code == "invalid")
            #expect(overHTTP?.code == direct?.code)
            if case .invalid(let field, let message) = overHTTP,
                case .invalid(let directField, let directMessage) = direct
            {
                #expect(field == directField)
                #expect(message == "agent bad: HTTP 422 on PUT /v1/agents/bad: \(directMessage)")
            } else {
                Issue.record("expected .invalid, got \(String(describing: overHTTP))")
            }
        }
    }

    @Test func ticketsAreCreatedOnceListedInPagesAndPatched() async throws {
        try await Self.withRealServer { baseURL, _ in
            try await Fixtures.withPlatform(baseURL) { platform in
                _ = try await platform.putAgent(id: "billing-line", Self.write(), expecting: .unconditional)

                let first = try await platform.createTicket(Fixtures.draft, idempotencyKey: "same-key")
                let again = try await platform.createTicket(Fixtures.draft, idempotencyKey: "same-key")
                #expect(again == first, "the same Idempotency-Key gives back the same ticket")
                #expect(first.status == .pending && first.agent == "billing-line" && first.priority == .high)
                var created = [first]
                for n in 0..<4 {
                    var draft = Fixtures.draft
                    draft.conversation = "conv-\(n)"
                    created.append(try await platform.createTicket(draft, idempotencyKey: nil))
                }
                #expect(Set(created.map(\.id)).count == 5)
                #expect(try await platform.ticket(id: first.id) == first)
                #expect(try await platform.ticket(id: "T-NOPE") == nil)

                var listed: [Ticket] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let page = try await platform.tickets(after: cursor, limit: 2)
                    listed += page.tickets
                    cursor = page.nextCursor
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(listed.map(\.id) == created.map(\.id))
                #expect(pages == 3)

                let patched = try await platform.patchTicket(
                    id: first.id, TicketPatch(status: .inProgress, assignee: .set("ana")), expecting: first.version)
                #expect(patched.status == .inProgress && patched.assignee == "ana")
                #expect(try await platform.ticket(id: first.id) == patched)
                let stale = await #expect(throws: PlatformError.self) {
                    try await platform.patchTicket(id: first.id, TicketPatch(status: .closed), expecting: first.version)
                }
                #expect(stale?.code == "version_conflict")
                #expect(
                    stale?.message.hasPrefix(
                        "ticket \(first.id): HTTP 412 on PATCH /v1/tickets/\(first.id)?reveal=true: ") == true)

                var orphan = Fixtures.draft
                orphan.agent = "nobody"
                let refused = await #expect(throws: PlatformError.self) {
                    try await platform.createTicket(orphan, idempotencyKey: nil)
                }
                guard case .invalid(let field, let message) = refused else {
                    Issue.record("expected .invalid, got \(String(describing: refused))")
                    return
                }
                #expect(field == "agent")
                #expect(
                    message
                        == "new ticket for agent nobody: HTTP 422 on POST /v1/tickets: there is no agent 'nobody' on this platform"
                )
            }
        }
    }

    @Test func aWrongTokenIsUnauthorizedAndNotRetried() async throws {
        try await Self.withRealServer { baseURL, _ in
            let platform = try HTTPPlatform(
                baseURL: baseURL, token: "not-the-token", configuration: Fixtures.fast(), logger: Fixtures.quietLogger)
            let error = await #expect(throws: PlatformError.self) { try await platform.agents() }
            try await platform.shutdown()
            #expect(error?.code == "unauthorized")
            #expect(error?.message.hasPrefix("agents: HTTP 401 on GET /v1/agents: ") == true)
            #expect(error?.message.contains("gave up") == false)
        }
    }
}
