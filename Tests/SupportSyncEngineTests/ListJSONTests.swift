import Foundation
import Git
import LocalPlatform
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

@testable import SupportSyncEngine

/// `tickets list --format json` is written a ticket at a time, never as one
/// encoded document: the pieces must make the very bytes the encoder writes
/// for the whole list at once.
@Suite struct ListJSONTests {
    @Test func theListWrittenInPiecesIsTheWholeDocumentByteForByte() async throws {
        let (example, local) = try await RevealTests.exampleFlaggingReturns()
        let store = try TicketStore.project(root: example.root)
        try "tickets:\n  seal: []\n".write(
            to: example.root.appendingPathComponent("supportsync.yaml"), atomically: true, encoding: .utf8)
        let plain = try TicketStore.project(root: example.root)
        #expect(plain.sealing.isEmpty && !store.sealing.isEmpty)
        // What the encoder lays out differently: empty and full lists and
        // objects (an empty one holds a blank line), escapes, slashes,
        // tabs, quotes and text beyond ASCII.
        for number in 0..<150 {
            _ = try await local.createTicket(
                TicketDraft(
                    agent: "returns-chat", channel: .messages, conversation: "c/\(number)",
                    reason: number % 2 == 0 ? "refund \"now\"\tplease" : "Ärger über Lieferung 📦",
                    summary: String(repeating: "line \(number)\n", count: number % 5),
                    customer: number % 3 == 0 ? Customer() : Customer(name: "Ana García", email: "a\(number)@x.com"),
                    fields: number % 3 == 0 ? [:] : ["order": "A-\(number)", "note": "a\\b"]),
                idempotencyKey: nil)
        }
        _ = try await TicketPuller(tickets: plain, platform: local)
            .pull(TicketPuller.Options(author: Signature(name: "Bot", email: "bot@example.com")))
        let listed = try TicketQueries(tickets: plain).list(.init())
        #expect(listed.count == 150)

        var pieces: [String] = []
        TicketOutput.writeJSON(listed) { pieces.append($0) }
        let whole = JSONDocument.render(listed.map { TicketOutput.ListedJSON(listed: $0) }, under: "tickets")
        #expect(pieces.count > 1, "150 tickets come in more than one piece")
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
