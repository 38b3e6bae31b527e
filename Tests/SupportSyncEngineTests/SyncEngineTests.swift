import Foundation
import Git
import LocalPlatform
import SupportSyncEngine
import SupportSyncGit
import TestSupport
import Testing

@testable import SupportSync

/// A whole sync, in-process: the engine against a local platform's SQLite
/// file and a real git repository in a temporary folder.
@Suite struct SyncEngineTests {
    /// This project's example config/ in a repository, and a local platform beside it.
    final class Bench: Sendable {
        let example: ExampleRepository
        var root: URL { example.root }
        var database: String { example.database }

        init() throws { example = try ExampleRepository() }

        func engine(dryRun: Bool = false) -> SyncEngine {
            SyncEngine(
                root: root, platform: PlatformSelection(platform: "local", database: database, environment: [:]),
                options: .init(dryRun: dryRun, author: "CI <ci@example.com>"))
        }

        func flag(_ conversation: String) async throws -> Ticket {
            try await LocalPlatform(path: database).createTicket(
                TicketDraft(
                    agent: "returns-chat", channel: .messages, conversation: conversation,
                    reason: "Kettle arrived with a cracked lid", summary: "Order A-1029 arrived damaged.",
                    customer: Customer(name: "Marta Ruiz", email: "marta@example.com"),
                    fields: ["order_id": "A-1029"], tags: ["returns"]),
                idempotencyKey: nil)
        }

        func tip() throws -> ObjectID? { try example.tip() }

        /// The ticket's file on main, as text.
        func ticketText(_ ticket: Ticket) throws -> (path: String, text: String) {
            let path = try #require(TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt))
            let tip = try #require(try tip())
            let bytes = try #require(try Repository.open(at: root.path).blob(at: path, in: tip))
            return (path, String(decoding: bytes, as: UTF8.self))
        }

        /// Commits `text` at `path` on main straight through git, as a
        /// person would by hand (audit never sees it).
        func commitByHand(_ path: String, _ text: String, message: String) throws {
            let repository = try Repository.open(at: root.path)
            _ = try repository.commit(
                updating: "refs/heads/main", expectedTip: try tip(),
                treeUpdates: [(path, try repository.writeBlob(Array(text.utf8)))], message: message,
                author: Signature(name: "Team", email: "team@example.com"))
        }
    }

    /// The report's table has 20 rows, then how many more; the pull keeps
    /// no row for each ticket beyond those.
    @Test func theMarkdownTableStopsAtTwentyTicketsAndCountsTheRest() async throws {
        let bench = try Bench()
        #expect(try await bench.engine().run().status == .success)
        for index in 0..<25 { _ = try await bench.flag("conv_\(index)") }
        let synced = try await bench.engine().run()
        #expect(synced.status == .success, "\(synced.report.text)")
        #expect(synced.report.pull?.new.count == 25)
        #expect(synced.report.pull?.summaries.count == IDList.limit)
        let rows = synced.report.markdown.split(separator: "\n").filter { $0.hasPrefix("| `") }
        #expect(rows.count == 20)
        #expect(synced.report.markdown.contains("… and 5 more (`supportsync tickets list` has them all)"))
    }

    @Test func aSyncCreatesTheAgentsThenPullsWhatTheyFlag() async throws {
        let bench = try Bench()
        let first = try await bench.engine().run()
        #expect(first.status == .success, "\(first.report.text)")
        #expect(first.report.apply?.created == ["billing-line", "concierge", "returns-chat", "store-info"])
        #expect(first.report.pull?.new == [])
        #expect(first.report.push?.pushed == [])
        #expect(first.report.failures.isEmpty)
        let before = try bench.tip()

        let ticket = try await bench.flag("conv_1")
        let second = try await bench.engine().run()
        #expect(second.status == .success, "\(second.report.text)")
        #expect(second.report.apply?.unchanged.count == 4)
        #expect(second.report.pull?.new == [ticket.id])
        #expect(second.report.text.contains("tickets pulled: 1 new: \(ticket.id)"))
        #expect(second.report.markdown.hasPrefix("### supportsync sync\n\n- agents: 0 created"))
        let after = try #require(try bench.tip())
        #expect(after != before)
        let repository = try Repository.open(at: bench.root.path)
        let path = try #require(TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt))
        #expect(try repository.blob(at: path, in: after) != nil)
    }

    @Test func aDryRunChangesNothing() async throws {
        let bench = try Bench()
        #expect(try await bench.engine().run().status == .success)
        _ = try await bench.flag("conv_2")
        let file = bench.root.appendingPathComponent("config/agents/store-info.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "name: Store information", with: "name: Store desk").utf8).write(
            to: file)
        let before = try bench.tip()
        let outcome = try await bench.engine(dryRun: true).run()
        #expect(outcome.status == .success)
        #expect(outcome.report.apply == nil)
        #expect(outcome.report.plan?.agents.filter { $0.action == .update }.map(\.id) == ["store-info"])
        #expect(outcome.report.pull?.new.count == 1)
        #expect(outcome.report.text.hasPrefix("sync (dry run: nothing changed)\n"))
        #expect(try bench.tip() == before)
        let live = try await LocalPlatform(path: bench.database).agent(id: "store-info")
        #expect(live?.name == "Store information")
    }

    /// A dry run says what the push would do now: a ticket changed the
    /// same way on the platform in the meantime is a conflict, not a
    /// ticket to push; the real run then does exactly that.
    @Test func aDryRunTellsTicketsToPushFromConflicts() async throws {
        let bench = try Bench()
        #expect(try await bench.engine().run().status == .success)
        let first = try await bench.flag("conv_a")
        let second = try await bench.flag("conv_b")
        #expect(try await bench.engine().run().status == .success)
        let editor = TicketEditor(tickets: try TicketStore.project(root: bench.root))
        let team = Signature(name: "Team", email: "team@example.com")
        _ = try editor.set(first.id, TicketPatch(assignee: .set("luis")), commit: team)
        _ = try editor.set(second.id, TicketPatch(priority: .low), commit: team)
        _ = try await LocalPlatform(path: bench.database).patchTicket(
            id: second.id, TicketPatch(priority: .urgent), expecting: nil, sealing: .none)

        let dry = try await bench.engine(dryRun: true).run()
        #expect(dry.report.pushPreview?.toPush == [first.id], "\(dry.report.text)")
        #expect(dry.report.pushPreview?.conflicts.map(\.id) == [second.id], "\(dry.report.text)")
        #expect(
            dry.report.text.contains("tickets to push: 1: \(first.id), 1 conflict: \(second.id), 0 would fail"),
            "\(dry.report.text)")
        #expect(dry.report.json.contains("\"push_conflicts\" : ["), "\(dry.report.json)")
        // Exit 1, as the real run's conflict makes it.
        #expect(dry.status == .needsAttention, "\(dry.report.text)")

        let real = try await bench.engine().run()
        #expect(real.report.push?.pushed == [first.id], "\(real.report.text)")
        #expect(real.report.push?.conflicts.map(\.id) == [second.id], "\(real.report.text)")
        #expect(real.status == .needsAttention)
    }

    /// A ticket the push would fail on is said by the dry run, with the
    /// push's reason and exit, and does not stop it from looking at the
    /// others: here a ticket file added by hand for a ticket the platform
    /// has never had.
    @Test func aDryRunSaysWhichTicketsThePushWouldFailOn() async throws {
        let bench = try Bench()
        #expect(try await bench.engine().run().status == .success)
        let real = try await bench.flag("conv_a")
        #expect(try await bench.engine().run().status == .success)
        let team = Signature(name: "Team", email: "team@example.com")
        _ = try TicketEditor(tickets: try TicketStore.project(root: bench.root)).set(
            real.id, TicketPatch(assignee: .set("luis")), commit: team)
        let (path, text) = try bench.ticketText(real)
        let forged = "T-FFFFFFF0"
        try bench.commitByHand(
            path.replacingOccurrences(of: real.id, with: forged), text.replacingOccurrences(of: real.id, with: forged),
            message: "Add a ticket by hand")

        let dry = try await bench.engine(dryRun: true).run()
        #expect(dry.report.pushPreview?.toPush == [real.id], "\(dry.report.text)")
        #expect(dry.report.pushPreview?.failed.map(\.id) == [forged], "\(dry.report.text)")
        #expect(dry.report.text.contains("1 would fail: \(forged)"), "\(dry.report.text)")
        #expect(
            dry.report.text.contains("push would fail for \(forged): the platform has no ticket \(forged)"),
            "\(dry.report.text)")
        #expect(dry.report.json.contains("\"push_failed\" : ["), "\(dry.report.json)")
        // A file git holds wrongly needs a person (exit 1), not a retry.
        #expect(dry.status == .needsAttention, "as the real run exits: \(dry.report.text)")
        let pushed = try await bench.engine().run()
        #expect(pushed.report.push?.failed.map(\.id) == [forged], "\(pushed.report.text)")
        #expect(pushed.status == .needsAttention)
    }

    /// A status change the ticket lifecycle does not allow (a closed ticket
    /// reopened by a commit audit never saw) is one the push would fail on:
    /// the dry run says so with the platform's words, and both exit 1.
    @Test func aDryRunChecksTheTicketLifecycle() async throws {
        let bench = try Bench()
        #expect(try await bench.engine().run().status == .success)
        let ticket = try await bench.flag("conv_a")
        #expect(try await bench.engine().run().status == .success)
        let team = Signature(name: "Team", email: "team@example.com")
        _ = try TicketEditor(tickets: try TicketStore.project(root: bench.root)).set(
            ticket.id, TicketPatch(status: .closed, resolution: .set("Refunded.")), commit: team)
        #expect(try await bench.engine().run().status == .success)
        let (path, text) = try bench.ticketText(ticket)
        #expect(text.contains("status: closed\n"), "\(text)")
        try bench.commitByHand(
            path, text.replacingOccurrences(of: "status: closed\n", with: "status: pending\n"), message: "Reopen")

        let dry = try await bench.engine(dryRun: true).run()
        #expect(dry.report.pushPreview?.toPush == [], "\(dry.report.text)")
        #expect(dry.report.pushPreview?.failed.map(\.id) == [ticket.id], "\(dry.report.text)")
        #expect(
            dry.report.text.contains("push would fail for \(ticket.id): a closed ticket cannot move to pending"),
            "\(dry.report.text)")
        #expect(dry.status == .needsAttention, "\(dry.report.text)")
        let real = try await bench.engine().run()
        #expect(real.report.push?.failed.map(\.id) == [ticket.id], "\(real.report.text)")
        #expect(real.report.text.contains("a closed ticket cannot move to pending"), "\(real.report.text)")
        #expect(real.status == .needsAttention, "\(real.report.text)")
    }

    /// A ticket file the push would not send (resolved without a
    /// resolution) is said by the dry run, which exits 1 as the run does.
    @Test func aDryRunSaysWhichTicketFilesThePushWouldNotSend() async throws {
        let bench = try Bench()
        #expect(try await bench.engine().run().status == .success)
        let ticket = try await bench.flag("conv_a")
        #expect(try await bench.engine().run().status == .success)
        let (path, text) = try bench.ticketText(ticket)
        #expect(text.contains("status: pending\n"))
        try bench.commitByHand(
            path, text.replacingOccurrences(of: "status: pending\n", with: "status: resolved\n"), message: "Resolve it")

        let dry = try await bench.engine(dryRun: true).run()
        #expect(dry.report.pushPreview?.problems.count == 1, "\(dry.report.text)")
        #expect(dry.report.text.contains("unreadable ticket file \(path):"), "\(dry.report.text)")
        #expect(dry.status == .needsAttention, "\(dry.report.text)")
        let real = try await bench.engine().run()
        #expect(real.report.push?.problems.count == 1, "\(real.report.text)")
        #expect(real.status == .needsAttention)
    }

    /// Why agents were refused or failed: one line per reason, naming its
    /// agents once each (an outage stops them all), not one per agent.
    @Test func agentFailuresAreGroupedByReason() {
        var report = SyncReport(dryRun: false)
        report.apply = ApplyReport(results: [
            .init(id: "a", action: .update, outcome: .failed("agent a: HTTP 500: the platform failed")),
            .init(id: "b", action: .update, outcome: .failed("agent b: HTTP 500: the platform failed")),
            .init(id: "c", action: .create, outcome: .rejected("agent c: name is too long")),
            .init(id: "d", action: .update, outcome: .applied(version: "2")),
            .init(id: "e", action: .update, outcome: .conflict("agent e: changed on the platform since the plan")),
            .init(id: "f", action: .update, outcome: .unchanged),
        ])
        let lines = report.lines.filter { $0.hasPrefix("failed ") || $0.hasPrefix("refused ") }
        #expect(
            lines == [
                "failed a, b: HTTP 500: the platform failed", "refused c: name is too long",
                "refused e: changed on the platform since the plan",
            ], "\(lines)")
        // JSON keeps each agent's reason as apply said it.
        let document = try? JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any]
        let reasons = (document?["agents"] as? [String: Any])?["reasons"] as? [[String: String]]
        #expect(reasons?.map { $0["id"] ?? "" } == ["a", "b", "c", "e"], "\(report.json)")
        #expect(reasons?.last?["reason"] == "agent e: changed on the platform since the plan", "\(report.json)")
        #expect(report.apply?.refused == ["c", "e"] && report.apply?.failed == ["a", "b"])
        // Refused and failed apart, as apply and the JSON count them.
        #expect(
            report.lines.contains("agents: 0 created, 1 updated: d, 1 unchanged, 2 refused: c, e, 2 failed: a, b"),
            "\(report.lines)")
    }

    /// Text from the platform in the job summary makes no HTML, link or
    /// image: it reads as it was written.
    @Test func theJobSummaryShowsPlatformTextAsText() {
        var report = SyncReport(dryRun: false)
        report.failures = ["T-1: </details><img src=https://evil.example/p.png> [pay here](https://evil.example) | x"]
        let markdown = report.markdown
        #expect(!markdown.contains("<img") && !markdown.contains("</details>"), "\(markdown)")
        #expect(!markdown.contains("[pay here]("), "\(markdown)")
        #expect(!markdown.contains(" | x"), "a table cell: \(markdown)")
        #expect(
            markdown.contains(
                "- failed: T-1: &lt;/details&gt;&lt;img src=https://evil.example/p.png&gt; \\[pay here\\]"))
    }

    @Test func configErrorsStopBeforeAnythingChanges() async throws {
        let bench = try Bench()
        try Data("agent: returns-chat\nname: x\nchannels: [messages]\nsupport:\n  mode: escalate\n".utf8)
            .write(to: bench.root.appendingPathComponent("config/agents/returns-chat.yaml"))
        let outcome = try await bench.engine().run()
        #expect(outcome.status == .needsAttention)
        let invalid = try #require(outcome.invalidConfig)
        #expect(invalid.diagnostics.contains { $0.rule == .escalateRequiresCalls })
        #expect(outcome.report.failures == ["config/ has errors: nothing was applied, pulled or pushed"])
        #expect(try await LocalPlatform(path: bench.database).agents().isEmpty)
        // --format json carries the problems, and says no tickets were pulled.
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.report.json.utf8)) as? [String: Any])
        #expect(document["tickets_pulled"] as? Bool == false)
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]], "\(outcome.report.json)")
        #expect(diagnostics.contains { $0["rule"] as? String == "escalate-requires-calls" })
        // The job summary says where, not only that.
        let markdown = outcome.report.markdown
        #expect(markdown.contains("| where | problem | rule |"), "\(markdown)")
        #expect(
            markdown.contains("| config/agents/returns-chat.yaml:") && markdown.contains("| escalate-requires-calls |"),
            "\(markdown)")
    }

    @Test func noPlatformInCIIsAUsageError() async throws {
        let bench = try Bench()
        let engine = SyncEngine(root: bench.root, platform: PlatformSelection(environment: ["CI": "true"]))
        await #expect(throws: PlatformSelectionError.self) { try await engine.run() }
    }
}

/// plan and apply load config/ through `loadDesired`: a setting the
/// environment's provider cannot express stops them.
@Suite struct DesiredAgentsTests {
    @Test func aProviderWithoutHoursStopsThePlan() throws {
        let bench = try SyncEngineTests.Bench()
        let project = "platforms:\n  production:\n    provider: local\n    pull_tickets: true\ndefault: production\n"
        try Data(project.utf8).write(to: bench.root.appendingPathComponent(ProjectFile.path))
        #expect(try loadDesired(root: bench.root).agents.count == 4)
        let error = #expect(throws: ConfigInvalid.self) {
            try loadDesired(root: bench.root, providerSupport: { _ in ProviderSupport(unsupported: [.hours]) })
        }
        let rules = Set(error?.report.diagnostics.map(\.rule) ?? [])
        #expect(rules == [.providerUnsupported])
    }
}
