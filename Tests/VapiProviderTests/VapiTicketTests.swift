import Foundation
import Logging
import SupportSync
import Testing

@testable import VapiProvider

/// Tickets from Vapi in-process: calls whose extraction says the agent
/// flagged the case, paged by `updatedAt` with an overlapping window.
@Suite struct VapiTicketTests {
    static let returns = AgentSettings(
        id: "returns-chat", name: "Returns assistant", channels: [.calls],
        support: SupportSettings(
            mode: .flag,
            flag: FlagSettings(
                collect: [
                    CollectField(field: "name"), CollectField(field: "email", required: true),
                    CollectField(field: "order_id", required: true, label: "Order number"),
                ], priority: .high, tags: ["returns"])))

    func platform(_ fake: FakeVapi, pageSize: Int = 100, environment: String = "production") throws -> VapiPlatform {
        try VapiPlatform(
            baseURL: fake.url, token: FakeVapi.token, environment: environment, flagWebhook: nil,
            requestInterval: .zero, pageSize: pageSize, logger: Logger(label: "test"))
    }

    /// The assistant `returns-chat` is bound to, made by supportsync.
    func boundAssistant(_ fake: FakeVapi) async throws -> String {
        let vapi = try platform(fake)
        _ = try await vapi.putAgent(id: "returns-chat", AgentWrite(Self.returns), expecting: .unconditional)
        try await vapi.shutdown()
        let assistants = try await fake.state().assistants
        return try #require(assistants.first?["id"]?.string)
    }

    /// A call as Vapi stores it once its analysis arrived.
    static func call(
        assistant: String?, flagged: Bool, email: String = "ana@example.com", at times: (String, String)? = nil,
        id: String = UUID().uuidString.lowercased()
    ) -> JSONValue {
        var call: [String: JSONValue] = [
            "id": .string(id), "type": .string("webCall"),
            "analysis": .object(["summary": .string("Wants to return a pair of shoes.")]),
            "artifact": .object([
                "structuredOutputs": .object([
                    UUID().uuidString.lowercased(): .object([
                        "name": .string(VapiSlice.outputName),
                        "result": .object([
                            "flagged": .bool(flagged), "reason": .string("Refund for a returned order"),
                            "name": .string("Ana García"), "email": .string(email), "order_id": .string("A-1029"),
                            // Not a collect field: never read.
                            "made_up": .string("a key the model invented"),
                        ]),
                    ])
                ])
            ]),
        ]
        if let assistant { call["assistantId"] = .string(assistant) }
        if let (created, updated) = times {
            call["createdAt"] = .string(created)
            call["updatedAt"] = .string(updated)
        }
        return .object(call)
    }

    func seed(_ fake: FakeVapi, _ calls: [JSONValue]) async throws {
        try await fake.call("POST", "/__fake/calls", .array(calls))
    }

    /// Every page after `cursor`, as the puller reads them; the cursor after the last.
    func pull(_ vapi: VapiPlatform, after cursor: String?, limit: Int, sealing: Sealing = .none) async throws -> (
        pages: [[String]], cursor: String?
    ) {
        var pages: [[String]] = []
        var position = cursor
        while true {
            let page = try await vapi.tickets(after: position, limit: limit, sealing: sealing)
            pages.append(page.tickets.map(\.id))
            position = page.nextCursor ?? page.cursor ?? position
            if page.nextCursor == nil { return (pages, position) }
        }
    }

    @Test func flaggedCallsOfBoundAssistantsAreTickets() async throws {
        let fake = try FakeVapi()
        let assistant = try await boundAssistant(fake)
        let flagged = Self.call(assistant: assistant, flagged: true)
        // An inline assistant claiming a binding: whoever started the call wrote it.
        var transient = Self.call(assistant: nil, flagged: true)
        transient["assistant"] = .object([
            "metadata": .object([
                "supportsync": .object(["agent": .string("returns-chat"), "environment": .string("production")])
            ])
        ])
        try await seed(
            fake,
            [
                flagged, Self.call(assistant: assistant, flagged: false),
                Self.call(assistant: UUID().uuidString.lowercased(), flagged: true),
                Self.call(assistant: nil, flagged: true), transient,
            ])
        let vapi = try platform(fake)
        let page = try await vapi.tickets(after: nil, limit: 100, sealing: .none)
        let ticket = try #require(page.tickets.first)
        #expect(page.tickets.count == 1)
        #expect(ticket.id == flagged["id"]?.string)
        #expect(ticket.conversation == ticket.id)
        #expect(ticket.agent == "returns-chat")
        #expect(ticket.channel == .calls)
        #expect(ticket.customer == Customer(name: "Ana García", email: "ana@example.com"))
        #expect(ticket.fields == ["order_id": "A-1029"])
        #expect(ticket.reason == "Refund for a returned order")
        #expect(ticket.summary == "Wants to return a pair of shoes.")
        #expect(ticket.priority == .high && ticket.tags == ["returns"] && ticket.status == .pending)
        #expect(TicketTimestamp(ticket.createdAt) != nil)

        // Sealed here, withheld on Vapi: every place that would be sealed.
        let withheld = try #require(try await vapi.ticket(id: ticket.id, sealing: .all))
        #expect(withheld.reason == WithheldValue.text && withheld.summary == WithheldValue.text)
        #expect(withheld.customer == Customer(name: "withheld:v1", email: "withheld:v1", phone: "withheld:v1"))
        #expect(withheld.fields == ["order_id": WithheldValue.text])
        #expect(SealedValue.plainPlaces(in: withheld.record, sealing: .all).isEmpty)
        #expect(try await vapi.ticket(id: "not-a-call", sealing: .all) == nil)

        // Another environment's pull sees none of them.
        let staging = try platform(fake, environment: "staging")
        #expect(try await staging.tickets(after: nil, limit: 100, sealing: .none).tickets.isEmpty)
        try await staging.shutdown()
        try await vapi.shutdown()
        #expect(try await fake.failures().isEmpty)
    }

    @Test func equalTimesAreNeitherLostNorRepeated() async throws {
        let fake = try FakeVapi()
        let assistant = try await boundAssistant(fake)
        // Created a millisecond apart (the call list pages by creation time), updated at one time.
        let created = (0..<9).map { "2026-12-01T09:00:00.00\($0)Z" }
        let same = (0..<5).map { index in
            Self.call(assistant: assistant, flagged: true, at: (created[index], "2026-12-01T10:00:00.000Z"))
        }
        let later = (0..<2).map { index in
            Self.call(
                assistant: assistant, flagged: true, at: (created[5 + index], "2026-12-01T10:00:0\(index + 1).000Z"))
        }
        try await seed(fake, same + later)
        // Calls listed two at a time; tickets asked for two at a time.
        let vapi = try platform(fake, pageSize: 2)
        let first = try await pull(vapi, after: nil, limit: 2)
        // A page never ends between two calls of one time.
        #expect(first.pages.map(\.count) == [5, 2])
        #expect(Set(first.pages[0]) == Set(same.compactMap { $0["id"]?.string }))
        #expect(first.pages[1] == later.compactMap { $0["id"]?.string })

        // Nothing new: nothing delivered again.
        let again = try await pull(vapi, after: first.cursor, limit: 2)
        #expect(again.pages.flatMap { $0 }.isEmpty)

        // A call Vapi shows late, at a time already delivered: found once.
        let late = Self.call(assistant: assistant, flagged: true, at: (created[8], "2026-12-01T10:00:00.000Z"))
        try await seed(fake, [late])
        let third = try await pull(vapi, after: again.cursor, limit: 2)
        #expect(third.pages.flatMap { $0 } == [late["id"]?.string].compactMap { $0 })
        #expect(try await pull(vapi, after: third.cursor, limit: 2).pages.flatMap { $0 }.isEmpty)

        // A call updated later (its analysis changed) comes again.
        var changed = same[0]
        changed["updatedAt"] = .string("2026-12-01T10:05:00.000Z")
        try await seed(fake, [changed])
        let fourth = try await pull(vapi, after: third.cursor, limit: 2)
        #expect(fourth.pages.flatMap { $0 } == [changed["id"]?.string].compactMap { $0 })
        try await vapi.shutdown()
        #expect(try await fake.failures().isEmpty)
    }

    @Test func aCursorIsVisibleASCIIAndBoundedWhateverTheWindowHolds() throws {
        // 1,000 tickets a millisecond apart, all inside one overlap window.
        let base = try #require(VapiTime.milliseconds("2026-12-01T10:00:00.000Z"))
        let binding = VapiSlice.Binding(
            agent: "returns-chat", environment: "production", transferTool: nil, flagTool: nil, settings: Self.returns)
        let calls = (0..<1000).map { index in
            let time = VapiTime.text(base + Int64(index))
            let call = Self.call(assistant: "a", flagged: true, at: (time, time))
            return try! #require(VapiCall(call, environment: "production", bindings: ["a": binding]))
        }
        var cursor = VapiTicketCursor(since: nil, seen: [])
        var delivered: [String] = []
        while true {
            let (page, after, more) = cursor.page(of: calls, newest: calls.last?.updated, limit: 64)
            delivered += page.map(\.id)
            let text = try #require(after.text)
            #expect(text.utf8.count <= 4096 && text.utf8.allSatisfy { (0x21...0x7E).contains($0) })
            #expect(VapiTicketCursor(text) == after)
            cursor = after
            if !more { break }
        }
        #expect(delivered == calls.sorted { ($0.updated, $0.id) < ($1.updated, $1.id) }.map(\.id))
        // Read again from the end: nothing comes twice.
        let last = cursor.page(of: calls, newest: calls.last?.updated, limit: 64)
        #expect(last.tickets.count == 0)
    }

    /// One call updated in the future (a clock gone wrong) is delivered but
    /// does not carry the cursor past the calls updated until then.
    @Test func aCallUpdatedInTheFutureDoesNotCarryTheCursorPastNow() async throws {
        let fake = try FakeVapi()
        let assistant = try await boundAssistant(fake)
        let future = Self.call(
            assistant: assistant, flagged: true, at: ("2026-12-01T09:00:00.000Z", "9999-12-31T23:59:59.999Z"))
        try await seed(fake, [future])
        let vapi = try platform(fake)
        let first = try await pull(vapi, after: nil, limit: 100)
        #expect(first.pages.flatMap { $0 } == [future["id"]?.string].compactMap { $0 })
        let now = VapiTime.text(VapiTime.now)
        let later = Self.call(assistant: assistant, flagged: true, at: (now, now))
        try await seed(fake, [later])
        let second = try await pull(vapi, after: first.cursor, limit: 100)
        #expect(second.pages.flatMap { $0 } == [later["id"]?.string].compactMap { $0 })
        // A cursor an older pull carried into the future reads every call
        // again: one updated since it was made, hours ago, is not lost.
        let hoursAgo = VapiTime.text(VapiTime.now - 3 * 3_600_000)
        let gap = Self.call(assistant: assistant, flagged: true, at: (hoursAgo, hoursAgo))
        try await seed(fake, [gap])
        let third = try await pull(vapi, after: "vapi1/9999-12-31T23:49:59.999Z/", limit: 100)
        let delivered = third.pages.flatMap { $0 }
        #expect(delivered.contains(try #require(later["id"]?.string)))
        #expect(delivered.contains(try #require(gap["id"]?.string)), "\(delivered)")
        try await vapi.shutdown()
        #expect(try await fake.failures().isEmpty)
    }

    /// Vapi's call ids are UUIDs: a call of another id is no ticket (it
    /// could be neither read back nor erased), and erasing one is refused.
    @Test func aCallWhoseIdIsNotVapisIsNoTicket() async throws {
        let binding = VapiSlice.Binding(
            agent: "returns-chat", environment: "production", transferTool: nil, flagTool: nil, settings: Self.returns)
        let odd = "99999999-9999-9999-9999-99999999999z"
        let call = try #require(
            VapiCall(
                Self.call(
                    assistant: "a", flagged: true, at: ("2026-12-01T09:00:00.000Z", "2026-12-01T09:00:00.000Z"), id: odd
                ),
                environment: "production", bindings: ["a": binding]))
        #expect(call.ticket == nil)
        let good = try #require(
            VapiCall(
                Self.call(assistant: "a", flagged: true, at: ("2026-12-01T09:00:00.000Z", "2026-12-01T09:00:00.000Z")),
                environment: "production", bindings: ["a": binding]))
        #expect(good.ticket != nil)

        let fake = try FakeVapi()
        let vapi = try platform(fake)
        let error = await #expect(throws: PlatformError.self) {
            try await vapi.erase(.ticket(odd), reason: "asked", by: "ana@example.com")
        }
        try await vapi.shutdown()
        guard case .badRequest = error else {
            Issue.record("erasing a ticket whose id is no call's: \(String(describing: error))")
            return
        }
        #expect(try await fake.requests().isEmpty)
    }

    @Test func timesRoundTripToTheMillisecond() throws {
        for text in ["2026-12-01T10:00:00.000Z", "1999-12-31T23:59:59.999Z", "2026-02-28T00:00:00.001Z"] {
            let milliseconds = try #require(VapiTime.milliseconds(text))
            #expect(VapiTime.text(milliseconds) == text)
        }
        #expect(VapiTime.milliseconds("2026-12-01T10:00:00Z") == VapiTime.milliseconds("2026-12-01T10:00:00.000Z"))
        // Digits past the milliseconds are dropped, never rounded up.
        #expect(
            VapiTime.milliseconds("2026-12-01T10:00:00.1239Z") == VapiTime.milliseconds("2026-12-01T10:00:00.123Z"))
        for bad in ["2026-12-01 10:00:00Z", "2026-12-01T10:00:00.Z", "2026-12-01T10:00:00+01:00", "soon"] {
            #expect(VapiTime.milliseconds(bad) == nil, "\(bad)")
        }
        #expect(VapiTicketCursor("vapi1/2026-12-01T10:00:00.000Z/zz") == nil)
        #expect(VapiTicketCursor("T-1") == nil)
    }

    @Test func erasingDeletesTheCallAndPushingIsRefused() async throws {
        let fake = try FakeVapi()
        let assistant = try await boundAssistant(fake)
        let first = Self.call(assistant: assistant, flagged: true)
        let second = Self.call(assistant: assistant, flagged: true, email: "ANA@example.com")
        let other = Self.call(assistant: assistant, flagged: true, email: "bo@example.com")
        try await seed(fake, [first, second, other])
        let vapi = try platform(fake)
        #expect(!vapi.holdsTeamFields && !vapi.keepsErasedTickets)
        let found = try await vapi.tickets(ofCustomer: "ana@example.com").map(\.id).sorted()
        #expect(found == [first, second].compactMap { $0["id"]?.string }.sorted())
        let erased = try await vapi.erase(.customer("ana@example.com"), reason: "REQ-7", by: "privacy")
        #expect(erased.map(\.id) == found)
        #expect(erased.allSatisfy { $0.erasure?.reason == "REQ-7" && $0.customer == Customer() && $0.fields.isEmpty })
        let left = try await fake.call("GET", "/__fake/state")["calls"]?.array?.compactMap { $0["id"]?.string }
        #expect(left == [other["id"]?.string].compactMap { $0 })
        await #expect(throws: PlatformError.self) {
            try await vapi.erase(.closedBefore("2026-01-01T00:00:00Z"), reason: "retention", by: "sync")
        }
        await #expect(throws: PlatformError.self) {
            try await vapi.patchTicket(id: found[0], TicketPatch(), expecting: nil, sealing: .all)
        }
        try await vapi.shutdown()
        #expect(try await fake.failures().isEmpty)
    }
}
