import Foundation
import Git
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// A platform whose feed goes round in a circle (a next cursor it handed
/// out before) would keep a pull reading forever: the pull stops instead,
/// says so, and writes nothing of the batch.
@Suite struct FeedCycleTests {
    /// Pages by cursor: each holds its tickets and names the next cursor.
    /// Past 200 pages it ends the feed, so a pull that does not stop fails
    /// the test rather than hanging it.
    final class CyclingSource: TicketSource, @unchecked Sendable {
        private let lock = NSLock()
        private let next: [String: String]
        private let ticketsPerPage: Int
        private var served = 0

        init(next: [String: String], ticketsPerPage: Int) {
            self.next = next
            self.ticketsPerPage = ticketsPerPage
        }

        var pagesServed: Int { lock.withLock { served } }

        func info() async throws(PlatformError) -> PlatformInfo { PlatformInfo(instance: "cycling-1") }

        func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
            let page = lock.withLock {
                served += 1
                return served
            }
            let tickets = (0..<ticketsPerPage).map { index in
                let record = PullRefusalTests.record("T-\(page)-\(index)")
                return Ticket(record: record, stamp: PlatformStamp(version: "\(page)", updatedAt: record.createdAt))
            }
            let following = page > 200 ? nil : next[cursor ?? ""]
            return TicketPage(tickets: tickets, nextCursor: following, cursor: following ?? cursor)
        }

        func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? { nil }

        func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            throw PlatformError.invalid(field: nil, message: "read-only")
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var next: [String: String]
        var ticketsPerPage: Int
        var batch: Int
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "empty pages, the same cursor", next: ["": "same", "same": "same"], ticketsPerPage: 0, batch: 5),
        Case(
            name: "a ticket a page, the same cursor", next: ["": "same", "same": "same"], ticketsPerPage: 1, batch: 50),
        Case(name: "a to b to a, across batches", next: ["": "a", "a": "b", "b": "a"], ticketsPerPage: 1, batch: 1),
        Case(name: "back to the start", next: ["": "a", "a": "b", "b": "c", "c": "a"], ticketsPerPage: 2, batch: 10),
    ]

    @Test(arguments: cases)
    func aFeedGoingRoundInACircleStopsThePull(_ feed: Case) async throws {
        let bench = try PullRefusalTests.Bench()
        let before = try bench.repository.resolve(reference: "refs/heads/main")
        let source = CyclingSource(next: feed.next, ticketsPerPage: feed.ticketsPerPage)
        do {
            _ = try await bench.pull(source, batch: feed.batch, pageSize: max(1, feed.ticketsPerPage))
            Issue.record("the pull ended after \(source.pagesServed) pages without noticing the circle")
        } catch let error as TicketPullError {
            guard case .cursorCycle = error else {
                Issue.record("\(error)")
                return
            }
            #expect(error.description.contains("a second time in one pull"), "\(error)")
            #expect(error.exitStatus == .failure)
        }
        #expect(source.pagesServed < 10, "\(source.pagesServed) pages read")
        // Batches before the circle showed are committed; none holds a ticket twice.
        if feed.batch >= 10 {
            #expect(try bench.repository.resolve(reference: "refs/heads/main") == before)
        }
    }
}
