import Foundation
import Hummingbird
import PlatformClient
import SupportSync
import Testing

/// `readsFeedAhead`: the next page is asked for while the one before is
/// decoded, each page is asked for once, and a page read ahead answers
/// exactly as the same page asked for would.
@Suite struct FeedReadAheadTests {
    /// Three pages, by the `after` of the request: T-1, then T-2, then T-3.
    static func feed(failing failed: String? = nil) -> FaultServer.Reply {
        { request, _ in
            let after = URLComponents(string: request.target)?.queryItems?.first { $0.name == "after" }?.value
            if let failed, after == failed {
                return FaultServer.error(.internalServerError, .failed("the page broke"))
            }
            switch after {
            case nil: return FaultServer.json(TicketPage(tickets: [Self.ticket(1)], nextCursor: "c2"))
            case "c2": return FaultServer.json(TicketPage(tickets: [Self.ticket(2)], nextCursor: "c3"))
            case "c3": return FaultServer.json(TicketPage(tickets: [Self.ticket(3)], nextCursor: nil))
            default: return FaultServer.error(.badRequest, .badRequest("no such cursor"))
            }
        }
    }

    static func ticket(_ number: Int) -> Ticket {
        var ticket = Fixtures.ticket
        ticket.id = "T-\(number)"
        return ticket
    }

    static var readingAhead: HTTPPlatform.Configuration {
        var configuration = Fixtures.fast(maxAttempts: 1)
        configuration.readsFeedAhead = true
        return configuration
    }

    static func after(_ request: SeenRequest) -> String {
        URLComponents(string: request.target)?.queryItems?.first { $0.name == "after" }?.value ?? "start"
    }

    @Test func eachPageIsAskedForOnceTheNextBeforeItIsWanted() async throws {
        let (ids, askedEarly, seen) = try await FaultServer.with(Self.feed()) { baseURL, log in
            try await Fixtures.withPlatform(baseURL, Self.readingAhead) { platform in
                var ids: [String] = []
                var page = try await platform.tickets(after: nil, limit: 1)
                ids += page.tickets.map(\.id)
                // The second page is on its way before anyone asks for it.
                var waited = 0
                while await log.count < 2, waited < 1_000 {
                    try await Task.sleep(for: .milliseconds(10))
                    waited += 1
                }
                let askedEarly = await log.count == 2
                while let next = page.nextCursor {
                    page = try await platform.tickets(after: next, limit: 1)
                    ids += page.tickets.map(\.id)
                }
                return (ids, askedEarly, await log.requests)
            }
        }
        #expect(ids == ["T-1", "T-2", "T-3"])
        #expect(askedEarly, "the next page was asked for before it was wanted")
        #expect(seen.map(Self.after) == ["start", "c2", "c3"], "each page once, none past the last")
    }

    /// Another cursor, another limit or another seal is another page.
    @Test(arguments: [("c3", 1, Sealing.none), ("c2", 2, .none), ("c2", 1, .all)])
    func aPageOtherThanTheOneReadAheadIsFetchedAsUsual(cursor: String, limit: Int, sealing: Sealing) async throws {
        let (page, seen) = try await FaultServer.with(Self.feed()) { baseURL, log in
            try await Fixtures.withPlatform(baseURL, Self.readingAhead) { platform in
                _ = try await platform.tickets(after: nil, limit: 1)
                return (try await platform.tickets(after: cursor, limit: limit, sealing: sealing), await log.requests)
            }
        }
        #expect(page.tickets.map(\.id) == [cursor == "c3" ? "T-3" : "T-2"])
        let asked = seen.filter { request in
            let query = URLComponents(string: request.target)?.queryItems ?? []
            return query.first { $0.name == "after" }?.value == cursor
                && query.first { $0.name == "limit" }?.value == String(limit)
                && query.contains { $0.name == "seal" } == !sealing.isEmpty
        }
        #expect(asked.count == 1, "asked for once, as asked: \(seen.map(\.target))")
    }

    /// A page read ahead that never comes does not hold up `shutdown()`.
    @Test(.timeLimit(.minutes(1)))
    func shuttingDownStopsAPageOnItsWay() async throws {
        let stalled: FaultServer.Reply = { request, number in
            if number > 1 { try await Task.sleep(for: .seconds(600)) }  // stopped when the server stops
            return try await Self.feed()(request, number)
        }
        let asked = try await FaultServer.with(stalled) { baseURL, log in
            let platform = try HTTPPlatform(
                baseURL: baseURL, token: Fixtures.token, configuration: Self.readingAhead,
                logger: Fixtures.quietLogger)
            _ = try await platform.tickets(after: nil, limit: 1)
            var waited = 0
            while await log.count < 2, waited < 1_000 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            try await platform.shutdown()
            return await log.count
        }
        #expect(asked == 2, "the next page was on its way when the client shut down")
    }

    @Test func aFailedPageReadAheadFailsAsThePageAskedForWould() async throws {
        func secondPageError(_ configuration: HTTPPlatform.Configuration) async throws -> PlatformError? {
            try await FaultServer.with(Self.feed(failing: "c2")) { baseURL, _ in
                try await Fixtures.withPlatform(baseURL, configuration) { platform in
                    let first = try await platform.tickets(after: nil, limit: 1)
                    return await #expect(throws: PlatformError.self) {
                        try await platform.tickets(after: first.nextCursor, limit: 1)
                    }
                }
            }
        }
        let early = try #require(try await secondPageError(Self.readingAhead))
        let asked = try #require(try await secondPageError(Fixtures.fast(maxAttempts: 1)))
        #expect(early.code == asked.code && early.message == asked.message, "\(early.message)")
        #expect(early.message.contains("HTTP 500 on GET /v1/tickets?after=c2"), "\(early.message)")
    }
    /// Ten tickets, ticket `n` with a summary of `summary(n)` characters,
    /// served `limit` at a time from the position in `after`, as a server
    /// that never ends a page early does.
    static func sizedFeed(summary: @escaping @Sendable (Int) -> Int) -> FaultServer.Reply {
        { request, _ in
            let query = URLComponents(string: request.target)?.queryItems ?? []
            let start = query.first { $0.name == "after" }?.value.flatMap(Int.init) ?? 0
            let limit = query.first { $0.name == "limit" }?.value.flatMap(Int.init) ?? 100
            let end = min(10, start + limit)
            let tickets = (start..<end).map { number in
                var ticket = Self.ticket(number)
                ticket.summary = String(repeating: "s", count: summary(number))
                return ticket
            }
            return FaultServer.json(TicketPage(tickets: tickets, nextCursor: end < 10 ? String(end) : nil))
        }
    }

    /// Ten tickets of about 1,000 bytes.
    static let largeFeed = sizedFeed { _ in 1_000 }

    /// Every page from the start, `limit` asked for each time: the ids, in order.
    static func readAll(_ platform: HTTPPlatform, limit: Int) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await platform.tickets(after: cursor, limit: limit)
            ids += page.tickets.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    static func limit(_ request: SeenRequest) -> String {
        URLComponents(string: request.target)?.queryItems?.first { $0.name == "limit" }?.value ?? ""
    }

    /// A page larger than the client takes is asked for again in halves,
    /// and the pages after it as small as the one that came.
    @Test(arguments: [false, true])
    func aPageTooLargeIsAskedForInHalves(readingAhead: Bool) async throws {
        let (ids, seen) = try await FaultServer.with(Self.largeFeed) { baseURL, log in
            var configuration = readingAhead ? Self.readingAhead : Fixtures.fast(maxAttempts: 1)
            configuration.maxResponseBytes = 3_000
            return try await Fixtures.withPlatform(baseURL, configuration) { platform in
                (try await Self.readAll(platform, limit: 8), await log.requests)
            }
        }
        #expect(ids == (0..<10).map { "T-\($0)" })
        #expect(seen.map(Self.limit) == ["8", "4", "2", "2", "2", "2", "2"], "\(seen.map(\.target))")
    }

    /// A single ticket larger than the client takes fails the page, after
    /// asking for it alone.
    @Test func aTicketTooLargeAloneFails() async throws {
        let (error, seen) = try await FaultServer.with(Self.largeFeed) { baseURL, log in
            var configuration = Fixtures.fast(maxAttempts: 1)
            configuration.maxResponseBytes = 500
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, configuration) { try await $0.tickets(after: nil, limit: 4) }
            }
            return (error, await log.requests)
        }
        #expect(seen.map(Self.limit) == ["4", "2", "1"])
        #expect(
            error
                == .tooLarge(
                    "tickets from the start: GET /v1/tickets?limit=1&reveal=true: the answer is larger than 500 bytes"))
    }

    /// After the large pages, pages well under the answer limit make the
    /// page size grow back, doubling a page, to what the caller asks.
    @Test func thePageSizeGrowsBackAfterTheLargePages() async throws {
        let small = try JSONCoding.encoder().encode(Self.ticket(0)).count
        let feed = Self.sizedFeed { number in number == 0 ? 36 * small : Self.ticket(number).summary.count }
        let (ids, seen) = try await FaultServer.with(feed) { baseURL, log in
            var configuration = Fixtures.fast(maxAttempts: 1)
            configuration.maxResponseBytes = 39 * small
            return try await Fixtures.withPlatform(baseURL, configuration) { platform in
                (try await Self.readAll(platform, limit: 8), await log.requests)
            }
        }
        #expect(ids == (0..<10).map { "T-\($0)" })
        #expect(seen.map(Self.limit) == ["8", "4", "2", "2", "4", "8"], "\(seen.map(\.target))")
    }
}
