import Foundation
import Testing

@testable import SupportSync

/// A page of the feed in which one ticket does not decode still reads: the
/// broken ticket is named with why, so a pull can refuse it and go on.
@Suite struct TicketPageDecodingTests {
    static func ticketJSON(_ id: String, summary: String = #""Wants a refund""#, extra: String = "") -> String {
        #"""
        {"id":"\#(id)","agent":"desk","channel":"calls","conversation":"conv_\#(id)",\#
        "created_at":"2026-11-24T10:02:11Z","reason":"Refund","summary":\#(summary),\#
        "customer":{"name":"Ana"},"fields":{},"tags":[],"priority":"normal","status":"pending",\#
        "assignee":null,"resolution":null,\#
        "updated_at":"2026-11-24T10:02:11Z","version":"1"\#(extra)}
        """#
    }

    static func page(_ items: [String]) throws -> TicketPage {
        let text = #"{"tickets":["# + items.joined(separator: ",") + #"],"next_cursor":"c2","cursor":"c1"}"#
        return try JSONDecoder().decode(TicketPage.self, from: Data(text.utf8))
    }

    @Test func aTicketThatDoesNotDecodeIsNamedAndTheRestOfThePageReads() throws {
        let page = try Self.page([
            Self.ticketJSON("T-1"),
            // Half an emoji, as a platform that cuts text by UTF-16 units sends it.
            Self.ticketJSON("T-2", summary: #""Wants a refund \ud83d""#),
            Self.ticketJSON("T-3", summary: "42"),
            #"{"id":"T-4","agent":"desk"}"#,
            Self.ticketJSON("T-5", summary: #""Fine \ud83d\ude00""#),
        ])
        #expect(page.tickets.map(\.id) == ["T-1", "T-5"])
        #expect(page.tickets.last?.record.summary == "Fine 😀")
        #expect(page.nextCursor == "c2" && page.cursor == "c1")
        let reasons = Dictionary(uniqueKeysWithValues: page.unreadable.map { ($0.id, $0.reason) })
        #expect(page.unreadable.map(\.id) == ["T-2", "T-3", "T-4"])
        #expect(
            reasons["T-2"]?.hasPrefix("the platform's JSON for it does not read: not valid JSON text (") == true,
            "\(reasons["T-2"] ?? "")")
        #expect(reasons["T-3"]?.hasSuffix(" at summary") == true, "\(reasons["T-3"] ?? "")")
        // Required fields missing: named, never filled with defaults.
        #expect(
            reasons["T-4"]
                == "the platform's JSON for it does not read: it lacks channel, conversation, reason, summary, customer, fields, tags, priority, status, assignee, resolution, version, created_at, updated_at, which the API requires",
            "\(reasons["T-4"] ?? "")")
        // The reason says where, not what: no customer text in it.
        #expect(!page.unreadable.contains { $0.reason.contains("refund") || $0.reason.contains("Ana") })
    }

    /// The reason names the field and the kind of error, never the value
    /// (an unknown channel could be anyone's text), and stays short.
    @Test func theReasonNeverQuotesTheValue() throws {
        let longKey = String(repeating: "k", count: 500)
        let page = try Self.page([
            Self.ticketJSON("T-1").replacingOccurrences(of: #""channel":"calls""#, with: #""channel":"fax SECRET""#),
            Self.ticketJSON("T-2").replacingOccurrences(of: #""fields":{}"#, with: #""fields":{"\#(longKey)":7}"#),
        ])
        let reasons = Dictionary(uniqueKeysWithValues: page.unreadable.map { ($0.id, $0.reason) })
        #expect(reasons["T-1"] == "the platform's JSON for it does not read: a value that is not valid at channel")
        #expect(reasons["T-2"]?.contains("fields." + String(repeating: "k", count: 113) + "…") == true)
        #expect((reasons["T-2"]?.count ?? 0) < 250, "\(reasons["T-2"] ?? "")")
    }

    @Test func anEntryWithoutAnIDFailsThePageAsBefore() throws {
        #expect(throws: (any Error).self) { try Self.page([Self.ticketJSON("T-1"), #"{"agent":"desk"}"#]) }
        #expect(throws: (any Error).self) { try Self.page([Self.ticketJSON("T-1"), "42"]) }
        #expect(throws: (any Error).self) { try Self.page([#"{"id":""}"#]) }
    }

    @Test func aPageOfReadableTicketsHasNoneUnreadableAndEncodesAsBefore() throws {
        let page = try Self.page([Self.ticketJSON("T-1"), Self.ticketJSON("T-2")])
        #expect(page.unreadable.isEmpty && page.tickets.count == 2)
        let again = try JSONDecoder().decode(TicketPage.self, from: try JSONCoding.encoder().encode(page))
        #expect(again == page)
    }
}
