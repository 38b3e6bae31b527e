import Foundation
import Git
import LocalPlatform
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

@testable import SupportSyncEngine

/// What `tickets list` prints for many tickets, held to what it printed
/// when it kept every whole record and encoded one document.
@Suite struct TicketListOutputTests {
    /// 600 plain tickets (more than two lists of 256 for the encoder)
    /// pulled from the local platform, with what the encoder and the table
    /// lay out differently: empty and full lists and objects (an empty one
    /// holds a blank line), escapes, slashes, tabs, quotes, long reasons
    /// and text beyond ASCII.
    ///
    /// The repository goes with the store: it is removed when released.
    static func pulled() async throws -> (ExampleRepository, TicketStore) {
        let (example, local) = try await RevealTests.exampleFlaggingReturns()
        try "tickets:\n  seal: []\n".write(
            to: example.root.appendingPathComponent("supportsync.yaml"), atomically: true, encoding: .utf8)
        let store = try TicketStore.project(root: example.root)
        #expect(store.sealing.isEmpty)
        for number in 0..<600 {
            _ = try await local.createTicket(
                TicketDraft(
                    agent: "returns-chat", channel: .messages, conversation: "c/\(number)",
                    reason: number % 2 == 0
                        ? "refund \"now\"\tplease" : "Ärger über Lieferung 📦, and a reason that goes on past sixty",
                    summary: String(repeating: "line \(number)\n", count: number % 5),
                    customer: number % 3 == 0 ? Customer() : Customer(name: "Ana García", email: "a\(number)@x.com"),
                    fields: number % 3 == 0 ? [:] : ["order": "A-\(number)", "note": "a\\b"]),
                idempotencyKey: nil)
        }
        _ = try await TicketPuller(tickets: store, platform: local)
            .pull(TicketPuller.Options(author: Signature(name: "Bot", email: "bot@example.com")))
        return (example, store)
    }

    /// `--format json` is written a ticket at a time, never as one encoded
    /// document: the pieces make the very bytes the encoder writes for the
    /// whole list at once.
    @Test func theListWrittenInPiecesIsTheWholeDocumentByteForByte() async throws {
        let (example, store) = try await Self.pulled()
        let listed = try withExtendedLifetime(example) { try TicketQueries(tickets: store).list(.init()) }
        #expect(listed.count == 600)

        var pieces: [String] = []
        TicketOutput.writeJSON(listed) { pieces.append($0) }
        let whole = JSONDocument.render(listed.map { TicketOutput.ListedJSON(listed: $0) }, under: "tickets")
        #expect(pieces.count > 1, "600 tickets come in more than one piece")
        #expect(pieces.dropLast().allSatisfy { $0.utf8.count >= 1 << 16 })
        #expect(pieces.joined() == whole)
        #expect(TicketOutput.json(listed) == whole)
        // One ticket, and none.
        #expect(
            TicketOutput.json(Array(listed.prefix(1)))
                == JSONDocument.render(
                    listed.prefix(1).map { TicketOutput.ListedJSON(listed: $0) }, under: "tickets"))
        let empty = try #require(
            JSONSerialization.jsonObject(with: Data(TicketOutput.json([]).utf8)) as? [String: Any])
        #expect((empty["tickets"] as? [Any])?.isEmpty == true && empty["format_version"] as? Int == 1)
    }
}

extension TicketListOutputTests {
    /// The table keeps a summary of each ticket, from its file as from the
    /// cache, never the whole record; the table is the one whole records make.
    @Test func theTableListsSummariesAndPrintsWhatWholeRecordsWould() async throws {
        let (example, store) = try await Self.pulled()
        let queries = TicketQueries(tickets: store)
        let (whole, summaries) = try withExtendedLifetime(example) {
            (
                try queries.listing(.init(), complete: true).tickets,
                try queries.listing(.init(), complete: false).tickets
            )
        }
        #expect(whole.count == 600 && summaries.map(\.path) == whole.map(\.path))
        #expect(whole.contains { !$0.record.summary.isEmpty && !$0.record.fields.isEmpty })
        #expect(
            summaries.allSatisfy {
                $0.record.summary.isEmpty && $0.record.fields.isEmpty && $0.record.customer == Customer()
                    && $0.record.conversation.isEmpty
            }, "no customer data held for the table")
        #expect(TicketOutput.table(summaries) == TicketOutput.table(whole))
    }
}

extension TicketListOutputTests {
    /// The table's layout, exactly: each column as wide as its widest cell
    /// (text beyond ASCII counted by characters) and two spaces, the
    /// reason last and unpadded; an assignee's control characters escaped.
    @Test func theTableLinesUpEveryColumn() {
        let records = [
            TicketRecord(
                id: "T-1", agent: "returns-chat", channel: .messages, conversation: "c",
                createdAt: "2026-11-02T09:00:00Z",
                reason: "Ärger über Lieferung", priority: .urgent, status: .inProgress, assignee: "zoë"),
            TicketRecord(
                id: "T-200", agent: "billing", channel: .calls, conversation: "c", createdAt: "2026-11-03T10:30:00Z",
                reason: "refund", assignee: "a\u{1B}[2Jb"),
            TicketRecord(
                id: "T-3", agent: "billing", channel: .calls, conversation: "c", createdAt: "2026-11-04T08:00:00Z",
                reason: ""),
        ]
        #expect(
            TicketOutput.table(records.map { TicketQueries.Listed(path: "tickets/\($0.id).yaml", record: $0) }) == """
                ID     STATUS       PRIORITY  AGENT         CREATED               ASSIGNEE     REASON
                T-1    in_progress  urgent    returns-chat  2026-11-02T09:00:00Z  zoë          Ärger über Lieferung
                T-200  pending      normal    billing       2026-11-03T10:30:00Z  a\\u{1B}[2Jb  refund
                T-3    pending      normal    billing       2026-11-04T08:00:00Z  -            

                """)
        #expect(TicketOutput.table([]) == "")
    }
}
