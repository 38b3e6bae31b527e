import Foundation
import Git
import LocalPlatform
import SupportSync
import SupportSyncEngine
import SupportSyncGit
import TestSupport
import Testing

/// Every one of 200 pulled tickets reveals its own data with the key the
/// platform hands over, and only its own.
@Suite struct RevealTests {
    /// The example repository, its local platform holding `returns-chat`,
    /// an agent that flags tickets.
    static func exampleFlaggingReturns() async throws -> (ExampleRepository, LocalPlatform) {
        let example = try ExampleRepository()
        let local = try LocalPlatform(path: example.database)
        _ = try await local.putAgent(
            id: "returns-chat",
            AgentWrite(
                name: "Returns", channels: [.messages],
                support: SupportSettings(mode: .flag, flag: FlagSettings(priority: .normal))),
            expecting: .unconditional)
        return (example, local)
    }

    @Test func eachOf200SealedTicketsRevealsExactlyItsOwnData() async throws {
        let (example, local) = try await Self.exampleFlaggingReturns()
        var created: [String: String] = [:]
        for number in 0..<200 {
            let marker = "MARK\(number)Z"
            let ticket = try await local.createTicket(
                TicketDraft(
                    agent: "returns-chat", channel: .messages, conversation: "c\(number)", reason: "reason \(marker)",
                    summary: "summary \(marker)", customer: Customer(name: "name \(marker)", email: "\(marker)@x.com"),
                    fields: ["order": "order \(marker)"]),
                idempotencyKey: nil)
            created[ticket.id] = marker
        }
        let store = try TicketStore.project(root: example.root)
        #expect(store.sealing == .all, "sealed without supportsync.yaml")
        let report = try await TicketPuller(tickets: store, platform: local)
            .pull(TicketPuller.Options(author: Signature(name: "Bot", email: "bot@example.com")))
        #expect(report.new.count == 200)
        let records = try TicketQueries(tickets: store).list(.init()).map(\.record)
        #expect(records.count == 200)
        for record in records {
            let marker = try #require(created[record.id])
            #expect(!TicketFile.text(record).contains("MARK"), "sealed in git")
            let revealed = try await TicketCustodyRun.reveal(record, platform: local)
            #expect(revealed.note == nil)
            #expect(revealed.record.customer.name == "name \(marker)")
            #expect(revealed.record.customer.email == "\(marker)@x.com" && revealed.record.customer.phone == nil)
            #expect(revealed.record.summary == "summary \(marker)" && revealed.record.reason == "reason \(marker)")
            #expect(revealed.record.fields == ["order": "order \(marker)"])
        }
    }
}

extension RevealTests {
    /// A platform that never had the ticket (another database) is an error,
    /// not an erasure; plain text where the platform seals is revealed with
    /// a note naming it, never passed off as the customer's.
    @Test func revealTellsAnotherPlatformAndHandWrittenValuesApart() async throws {
        let (example, local) = try await Self.exampleFlaggingReturns()
        let ticket = try await local.createTicket(
            TicketDraft(
                agent: "returns-chat", channel: .messages, conversation: "c1", reason: "Cracked lid",
                summary: "Arrived damaged.", customer: Customer(name: "Ana", email: "ana@example.com")),
            idempotencyKey: nil)
        let store = try TicketStore.project(root: example.root)
        _ = try await TicketPuller(tickets: store, platform: local)
            .pull(TicketPuller.Options(author: Signature(name: "Bot", email: "bot@example.com")))
        let record = try #require(try TicketQueries(tickets: store).list(.init()).first?.record)

        var forged = record
        forged.customer.email = "attacker@evil.example"
        let revealed = try await TicketCustodyRun.reveal(forged, platform: local)
        #expect(revealed.record.customer.name == "Ana")
        #expect(revealed.note?.hasPrefix("customer.email holds plain text where the platform seals") == true)
        #expect(try await TicketCustodyRun.reveal(record, platform: local).note == nil)

        let other = try LocalPlatform(path: example.root.appendingPathComponent("other.sqlite").path)
        let error = await #expect(throws: PlatformError.self) {
            try await TicketCustodyRun.reveal(record, platform: other)
        }
        #expect(error?.message.hasPrefix("the platform has no ticket \(ticket.id)") == true)

        _ = try await local.erase(.ticket(ticket.id), reason: "asked", by: "dpo@example.com")
        let erased = try await TicketCustodyRun.reveal(record, platform: local)
        #expect(erased.note?.contains("its customer data was erased") == true, "\(String(describing: erased.note))")

        // Pulled erased, then a name written into it by hand: named, never shown as the customer's.
        _ = try await TicketPuller(tickets: store, platform: local)
            .pull(TicketPuller.Options(author: Signature(name: "Bot", email: "bot@example.com")))
        let emptied = try #require(try TicketQueries(tickets: store).list(.init()).first?.record)
        #expect(emptied.erasure != nil)
        #expect(try await TicketCustodyRun.reveal(emptied, platform: local).note == nil)
        var written = emptied
        written.customer.name = "Omar Haddad"
        let note = try await TicketCustodyRun.reveal(written, platform: local).note
        #expect(
            note?.hasPrefix("customer.name holds a value, but the ticket's customer data was erased") == true,
            "\(String(describing: note))")
    }
}

/// A platform that ignores the seal a pull asks for, from the first page
/// or only after it.
struct UnsealingPlatform: WrappingPlatform {
    var base: LocalPlatform
    var sealsFirstPage: Bool

    func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
        try await base.tickets(after: cursor, limit: limit, sealing: sealsFirstPage && cursor == nil ? sealing : .none)
    }
}

extension RevealTests {
    /// Customer data in plain text where the repository seals it stops the
    /// pull before anything is written, on whichever page it comes.
    @Test(arguments: [false, true])
    func aPlatformSendingPlainCustomerDataWritesNothing(sealsFirstPage: Bool) async throws {
        let (example, local) = try await Self.exampleFlaggingReturns()
        for number in 0..<6 {
            _ = try await local.createTicket(
                TicketDraft(
                    agent: "returns-chat", channel: .messages, conversation: "c\(number)", reason: "r",
                    summary: "s", customer: Customer(name: "PLAINNAME\(number)")),
                idempotencyKey: nil)
        }
        let store = try TicketStore.project(root: example.root)
        let tip = try store.tip()
        var options = TicketPuller.Options(author: Signature(name: "Bot", email: "bot@example.com"))
        options.pageSize = 2
        let error = await #expect(throws: TicketPullError.self) {
            try await TicketPuller(
                tickets: store, platform: UnsealingPlatform(base: local, sealsFirstPage: sealsFirstPage)
            ).pull(options)
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("customer data in plain text (reason, summary, customer.name"), "\(message)")
        #expect(try store.tip() == tip, "nothing committed")
        let files = FileManager.default.enumerator(atPath: example.root.appendingPathComponent("tickets").path)
        let written = (files?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }
        #expect(written.isEmpty, "nothing written: \(written)")
    }
}

/// A platform whose erasure answer names other tickets than the one asked
/// for (none, or another).
struct MisansweringErasurePlatform: WrappingPlatform {
    var base: LocalPlatform
    var answer: [String]

    func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError) -> [Ticket] {
        var erased: [Ticket] = []
        for id in answer {
            guard let ticket = try await base.ticket(id: id, sealing: .all) else { continue }
            erased.append(ticket)
        }
        return erased
    }
}

extension RevealTests {
    /// `tickets erase ID` takes the platform's word for what it erased only
    /// when that word is the ticket asked for.
    @Test(arguments: [false, true])
    func anErasureAnswerNamingAnotherTicketIsAFailure(namesAnother: Bool) async throws {
        let (example, local) = try await Self.exampleFlaggingReturns()
        var ids: [String] = []
        for number in 0..<2 {
            ids.append(
                try await local.createTicket(
                    TicketDraft(
                        agent: "returns-chat", channel: .messages, conversation: "c\(number)", reason: "r",
                        summary: "s", customer: Customer(name: "Ana")),
                    idempotencyKey: nil
                ).id)
        }
        let store = try TicketStore.project(root: example.root)
        let author = Signature(name: "Bot", email: "bot@example.com")
        let platform = MisansweringErasurePlatform(base: local, answer: namesAnother ? [ids[1]] : [])
        let error = await #expect(throws: PlatformError.self) {
            try await TicketCustodyRun.erase(
                .ticket(ids[0]), reason: "REQ-1", by: "privacy", platform: platform, tickets: store, author: author)
        }
        #expect(error?.message.contains("the platform answered the erasure of ticket '\(ids[0])'") == true)
        #expect(error?.message.contains(namesAnother ? "'\(ids[1])'" : "no ticket") == true, "\(error?.message ?? "")")
        // The honest answer passes.
        let erased = try await TicketCustodyRun.erase(
            .ticket(ids[0]), reason: "REQ-1", by: "privacy", platform: local, tickets: store, author: author)
        #expect(erased.ids == [ids[0]])
    }
}
