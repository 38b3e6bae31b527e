import Foundation
import GRDB
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// `platform simulate`: conversations played through the agents' live
/// settings, reproducible with a seed, kept in the database.
@Suite struct SimulationTests {
    /// A platform with the example agents applied.
    func platform() async throws -> (Workbench, LocalPlatform) {
        let bench = try Workbench(
            agents: Dictionary(
                uniqueKeysWithValues: Scaffold.exampleAgents.map {
                    (String(($0.path as NSString).lastPathComponent.dropLast(5)), $0.text)
                }), defaults: Scaffold.defaultsTemplate)
        let platform = try bench.platform()
        let plan = try await Reconciler(platform: platform).plan(desired: try bench.desired())
        _ = await Reconciler(platform: platform).apply(plan)
        return (bench, platform)
    }

    func allTickets(_ platform: LocalPlatform) async throws -> [TicketRecord] {
        try await platform.tickets(after: nil, limit: 1000, sealing: .none).tickets.map(\.record)
    }

    static let week = Simulation(conversations: 300, seed: 42, from: "2026-11-23", days: 7)

    @Test func theSameSeedMakesTheSameTickets() async throws {
        let (firstBench, first) = try await platform()
        let (secondBench, second) = try await platform()
        defer { withExtendedLifetime((firstBench, secondBench)) {} }
        let one = try await first.simulate(Self.week)
        let two = try await second.simulate(Self.week)
        #expect(one.agents == two.agents)
        #expect(one.tickets == two.tickets)
        let tickets = try await allTickets(first)
        #expect(!tickets.isEmpty)
        #expect(tickets == (try await allTickets(second)))
        // Another seed plays another week.
        let (thirdBench, third) = try await platform()
        defer { withExtendedLifetime(thirdBench) {} }
        var other = Self.week
        other.seed = 43
        _ = try await third.simulate(other)
        #expect(try await allTickets(third) != tickets)
    }

    @Test func outcomesFollowEachAgentsSettings() async throws {
        let (bench, platform) = try await platform()
        defer { withExtendedLifetime(bench) {} }
        let report = try await platform.simulate(Self.week)
        let byAgent = Dictionary(uniqueKeysWithValues: report.agents.map { ($0.agent, $0) })
        #expect(report.agents.map(\.conversations).reduce(0, +) == 300)
        // store-info (nothing) only responds; returns-chat (flag) never transfers.
        let store = try #require(byAgent["store-info"])
        #expect(store.responded == store.conversations && store.tickets == 0)
        let returns = try #require(byAgent["returns-chat"])
        #expect(returns.flagged > 0 && returns.transferred == 0 && returns.fellBack == 0)
        #expect(returns.tickets == returns.flagged)
        let billing = try #require(byAgent["billing-line"])
        #expect(billing.transferred + billing.fellBack > 0)

        let tickets = try await allTickets(platform)
        #expect(tickets.count == report.tickets.count)
        for ticket in tickets {
            // Dated in the week played (each agent's day, so within a day of UTC).
            #expect(ticket.createdAt >= "2026-11-22T" && ticket.createdAt < "2026-12-01T", "\(ticket.createdAt)")
            #expect(ticket.status == .pending)
            if ticket.report.agent == "returns-chat" {
                // What returns-chat collects: name, email and the order number.
                #expect(
                    ticket.report.customer.name != nil
                        && ticket.report.customer.email?.hasSuffix("@example.com") == true)
                #expect(ticket.report.fields["order_id"]?.hasPrefix("A-") == true)
                #expect(ticket.priority == .high && ticket.report.tags == ["returns"])
            }
        }

        // Every transfer rang the destinations in order and stopped at the one that answered.
        let database = try DatabaseQueue(path: platform.path)
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT agent, outcome, rung, answered_by, ticket_id, at FROM conversation")
        }
        #expect(rows.count == 300)
        for row in rows where (row["agent"] as String) == "billing-line" {
            let rung = try JSONDecoder().decode([String].self, from: Data((row["rung"] as String).utf8))
            let outcome: String = row["outcome"]
            let answered: String? = row["answered_by"]
            switch outcome {
            case "transferred":
                #expect(["billing-desk", "on-call"].starts(with: rung) && answered == rung.last)
                #expect((row["ticket_id"] as String?) == nil)
            case "fell_back":
                #expect(rung == ["billing-desk", "on-call"] && answered == nil)
                #expect((row["ticket_id"] as String?) != nil)
            case "flagged":
                #expect(rung.isEmpty && (row["ticket_id"] as String?) != nil)
                // billing-line flags only outside its hours: check with the policy.
                let moment = try ZonedMoment.parse(row["at"], zone: "Europe/Madrid").get()
                let settings = try #require(try await platform.agent(id: "billing-line")).settings
                #expect(
                    SupportPolicy.explain(settings, channel: .calls, at: moment.local).outcome.actions == [.flag])
            default:
                #expect(outcome == "responded" && rung.isEmpty)
            }
        }
    }

    @Test func anEmptyPlatformIsRefused() async throws {
        let bench = try Workbench()
        await #expect(throws: PlatformError.self) { try await bench.platform().simulate(Self.week) }
    }

    @Test func playingTheSameSeedAgainOnOneDatabaseAddsConversations() async throws {
        let (bench, platform) = try await platform()
        defer { withExtendedLifetime(bench) {} }
        var small = Self.week
        small.conversations = 30
        let first = try await platform.simulate(small)
        let second = try await platform.simulate(small)
        #expect(first.agents.map(\.conversations) == second.agents.map(\.conversations))
        let database = try DatabaseQueue(path: platform.path)
        let count = try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM conversation") }
        #expect(count == 60)
        #expect(try await allTickets(platform).count == first.tickets.count + second.tickets.count)
    }

    @Test func anAgentThatMayOnlyEscalateFallsBackOutsideHours() async throws {
        let bench = try Workbench(agents: [
            "desk": """
            agent: desk
            name: Desk
            channels: [calls, messages]
            support:
              mode: decide
              decide: {allow: [escalate]}
              escalate:
                destinations: [{name: desk, number: "+34910000001"}]
                hours: {timezone: America/New_York, weekly: {mon-fri: "09:00-17:00"}}

            """
        ])
        let platform = try bench.platform()
        let plan = try await Reconciler(platform: platform).plan(desired: try bench.desired())
        _ = await Reconciler(platform: platform).apply(plan)
        // Across New York's spring change, with times it skips.
        let report = try await platform.simulate(Simulation(conversations: 200, seed: 3, from: "2026-03-05", days: 7))
        let desk = try #require(report.agents.first)
        #expect(desk.conversations == 200)
        #expect(desk.flagged > 0 && desk.transferred + desk.fellBack > 0)
        for ticket in try await allTickets(platform) {
            #expect(ticket.createdAt >= "2026-03-05T05:00:00Z" && ticket.createdAt < "2026-03-12T04:00:00Z")
        }
    }
}
