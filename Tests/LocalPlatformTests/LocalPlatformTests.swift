import Foundation
import GRDB
import LocalPlatform
import TestSupport
import Testing

@testable import SupportSync

@Suite struct LocalPlatformTests {
    static let agent = AgentSettings(
        id: "desk", name: "Desk", channels: [.calls, .messages],
        support: SupportSettings(mode: .flag, flag: FlagSettings(priority: .high)))

    static func draft(_ conversation: String = "conv_1") -> TicketDraft {
        TicketDraft(
            agent: "desk", channel: .calls, conversation: conversation, reason: "Double charge",
            summary: "Charged twice.\nWants a refund.",
            customer: Customer(name: "Ana García", email: "ana@example.com"),
            fields: ["order_id": "A-1029"], tags: ["billing"])
    }

    @Test func createsTheFolderWithAGitignore() throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        _ = try bench.platform()
        #expect(try bench.read(".supportsync/.gitignore") == "*\n")
        #expect(
            FileManager.default.fileExists(
                atPath: bench.root.appendingPathComponent(".supportsync/platform.sqlite").path))
    }

    @Test func instanceIsStablePerDatabase() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let first = try await bench.platform().info()
        let again = try await bench.platform().info()
        #expect(first == again)
        #expect(first.apiVersion == "1")
        let other = try Workbench()
        #expect(try await other.platform().info().instance != first.instance)
    }

    /// A row another program wrote that does not decode is named by what
    /// it is (an agent), not by an internal type.
    @Test func aRowThatDoesNotDecodeIsNamedByWhatItIs() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        // Another program's write, on the same file.
        try await DatabaseQueue(path: platform.path).write { db in
            try db.execute(
                sql: "INSERT INTO agent (id, body, version, updated_at) VALUES ('odd', '{\"agent\": 1}', 1, '')")
        }
        let error = await #expect(throws: PlatformError.self) { try await platform.agents() }
        let said = String(describing: error)
        #expect(said.contains("holds an agent it cannot read"), "\(said)")
        #expect(!said.contains("AgentWrite"), "\(said)")
    }

    /// A ticket row another program wrote that is not JSON fails only
    /// itself: every other ticket still reads (keys are given to tickets
    /// that lack one without reading the broken row), and no message
    /// carries SQL.
    @Test func aTicketRowThatIsNotJSONFailsOnlyItself() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        let ticket = try await platform.createTicket(Self.draft(), idempotencyKey: nil)
        try await DatabaseQueue(path: platform.path).write { db in
            try db.execute(sql: "INSERT INTO ticket (id, seq, body) VALUES ('T-BAD', 2001, '{broken')")
            // A well-formed ticket written without its key, beside it.
            try db.execute(sql: "DELETE FROM ticket_key WHERE ticket_id = ?", arguments: [ticket.id])
        }
        let read = try await platform.ticket(id: ticket.id, sealing: .all)
        #expect(read?.id == ticket.id)
        let error = await #expect(throws: PlatformError.self) { try await platform.ticket(id: "T-BAD", sealing: .none) }
        let said = String(describing: error)
        #expect(!said.contains("SELECT") && !said.contains("while executing"), "\(said)")
    }

    /// A platform read as empty, in memory, where no file exists: it reads
    /// nothing and writes no file.
    @Test func anEmptyPlatformStandsForAMissingFile() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let path = LocalPlatform.defaultPath(root: bench.root)
        let empty = try LocalPlatform.empty(standingFor: path)
        #expect(try await empty.agents().isEmpty)
        #expect(try await !empty.info().instance.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: (path as NSString).deletingLastPathComponent))
    }

    @Test func putAgentIsConditionalOnTheVersion() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        let created = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        #expect(created.version == "1")
        let updated = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .revision("\"1\""))
        #expect(updated.version == "2")
        await #expect(throws: PlatformError.self) {
            try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .revision("1"))
        }
        #expect(try await platform.agent(id: "desk")?.version == "2")
    }

    /// A create only creates: an agent that exists is never replaced by one.
    @Test func putAgentExpectingNoneCreatesOnly() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        let created = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .absent)
        #expect(created.version == "1")
        var renamed = Self.agent
        renamed.name = "Renamed"
        let error = await #expect(throws: PlatformError.self) {
            try await platform.putAgent(id: "desk", AgentWrite(renamed), expecting: .absent)
        }
        guard case .versionConflict(let message) = error else {
            Issue.record("not a conflict: \(String(describing: error))")
            return
        }
        #expect(message.contains("exists on the platform (version 1)"), "\(message)")
        let kept = try #require(try await platform.agent(id: "desk"))
        #expect(kept.version == "1" && kept.settings.name == Self.agent.name)
    }

    @Test func putAgentValidatesWithTheSameRules() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        var invalid = Self.agent
        invalid.channels = [.messages]
        invalid.support = SupportSettings(
            mode: .escalate, escalate: EscalateSettings(destinations: [Destination(name: "d", number: "+34910000000")]))
        do {
            _ = try await platform.putAgent(id: "desk", AgentWrite(invalid), expecting: .unconditional)
            Issue.record("an escalate agent without calls was accepted")
        } catch {
            #expect(
                error
                    == .invalid(
                        field: "support.mode", message: "escalate transfers calls only; this agent serves only messages"
                    ))
        }
        #expect(try await platform.agent(id: "desk") == nil)
    }

    @Test func ticketsAreCreatedOnceAndPagedInAStableOrder() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        let first = try await platform.createTicket(Self.draft(), idempotencyKey: "key-1")
        let retry = try await platform.createTicket(Self.draft(), idempotencyKey: "key-1")
        #expect(first == retry)
        #expect(first.status == .pending && first.priority == .high)
        #expect(first.createdAt.hasSuffix("Z") && first.createdAt.count == 20)
        for index in 2...5 { _ = try await platform.createTicket(Self.draft("conv_\(index)"), idempotencyKey: nil) }
        var cursor: String?
        var seen: [String] = []
        repeat {
            let page = try await platform.tickets(after: cursor, limit: 2)
            seen += page.tickets.map(\.id)
            #expect(page.tickets.count <= 2)
            if page.nextCursor == nil { #expect(page.cursor != nil) }
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 5 && Set(seen).count == 5)
        #expect(seen.first == first.id)
    }

    /// A page ends past its first ticket at `pageBytes` of stored tickets,
    /// however many were asked for; a ticket larger than that comes alone.
    @Test func largeTicketsMakeShortPages() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        let third = LocalPlatform.pageBytes / 3 + 1
        var created: [String] = []
        for (index, size) in [third, third, third, third, 3 * third, 10].enumerated() {
            var draft = Self.draft("conv_\(index)")
            draft.summary = String(repeating: "x", count: size)
            created.append(try await platform.createTicket(draft, idempotencyKey: nil).id)
        }
        var cursor: String?
        var pages: [[String]] = []
        repeat {
            let page = try await platform.tickets(after: cursor, limit: 1000, sealing: .none)
            pages.append(page.tickets.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil
        #expect(pages.map(\.count) == [2, 2, 1, 1], "\(pages.map(\.count))")
        #expect(pages.flatMap { $0 } == created)
    }

    @Test func aChangedTicketComesAfterTheCursorAgain() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        let ticket = try await platform.createTicket(Self.draft(), idempotencyKey: nil)
        let page = try await platform.tickets(after: nil, limit: 10)
        let end = try #require(page.cursor)
        #expect(try await platform.tickets(after: end, limit: 10).tickets.isEmpty)
        let patched = try await platform.patchTicket(
            id: ticket.id, TicketPatch(status: .inProgress, assignee: .set("ana@example.com")),
            expecting: ticket.version)
        #expect(patched.version != ticket.version)
        #expect(try await platform.tickets(after: end, limit: 10).tickets.map(\.id) == [ticket.id])
    }

    @Test func patchIsConditionalAndFollowsTheLifecycle() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        let ticket = try await platform.createTicket(Self.draft(), idempotencyKey: nil)
        await #expect(throws: PlatformError.self) {
            try await platform.patchTicket(id: ticket.id, TicketPatch(status: .inProgress), expecting: "stale")
        }
        await #expect(throws: PlatformError.self) {
            try await platform.patchTicket(id: ticket.id, TicketPatch(status: .closed), expecting: ticket.version)
        }
        // Blank is no resolution either: git's reader would refuse the file.
        for blank in [" ", "\n", "\t\n"] {
            await #expect(throws: PlatformError.self) {
                try await platform.patchTicket(
                    id: ticket.id, TicketPatch(status: .resolved, resolution: .set(blank)), expecting: ticket.version)
            }
        }
        let closed = try await platform.patchTicket(
            id: ticket.id, TicketPatch(status: .closed, resolution: .set("Refunded")), expecting: ticket.version)
        #expect(closed.status == .closed)
        await #expect(throws: PlatformError.self) {
            try await platform.patchTicket(id: ticket.id, TicketPatch(status: .pending), expecting: closed.version)
        }
    }

    @Test func aTicketNeedsAnExistingAgentOnItsChannel() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        await #expect(
            throws: PlatformError.invalid(field: "agent", message: "there is no agent 'desk' on this platform")
        ) {
            try await platform.createTicket(Self.draft(), idempotencyKey: nil)
        }
    }

    @Test func twoHandlesShareOneFile() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let one = try bench.platform()
        let two = try bench.platform()
        _ = try await one.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        #expect(try await two.agent(id: "desk")?.name == "Desk")
    }
}

extension LocalPlatformTests {
    /// A cursor past the last position the platform handed out is none of
    /// its own (a restored older database, a hand edit): read as one, it
    /// would skip every ticket below it. The last position itself is fine.
    @Test func aCursorPastTheLastPositionIsRefused() async throws {
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(id: "desk", AgentWrite(Self.agent), expecting: .unconditional)
        _ = try await platform.createTicket(Self.draft("conv_1"), idempotencyKey: nil)
        let page = try await platform.tickets(after: nil, limit: 10, sealing: .none)
        let end = try await platform.tickets(after: page.cursor, limit: 10, sealing: .none)
        #expect(end.tickets.isEmpty && end.cursor == page.cursor)
        let error = await #expect(throws: PlatformError.self) {
            try await platform.tickets(after: "9223372036854775807", limit: 10, sealing: .none)
        }
        #expect(error?.message.contains("is not a cursor of this platform") == true, "\(String(describing: error))")
    }
}
