import Foundation
import SupportSync
import TestSupport
import Testing

@testable import PlatformServer

@Suite struct TicketPageJSONTests {
    /// A page's body, each ticket encoded on its own core, is byte for byte
    /// what encoding the whole page at once writes: on the last page, on a
    /// page with a next cursor, with no cursor at all, and with no ticket.
    @Test(arguments: [
        TicketPage(tickets: SampleTickets.make(0..<300), nextCursor: "300", cursor: "300"),
        TicketPage(tickets: SampleTickets.make(5..<7), nextCursor: nil, cursor: "7"),
        TicketPage(tickets: SampleTickets.make(0..<1), nextCursor: nil, cursor: nil),
        TicketPage(tickets: [], nextCursor: nil, cursor: "0"),
    ])
    func encodesAsTheWholePageWould(page: TicketPage) throws {
        let whole = Array(try JSONCoding.encoder().encode(page))
        #expect(Handlers.json(page) == whole)
        #expect(try JSONDecoder().decode(TicketPage.self, from: Data(Handlers.json(page))) == page)
    }
}
