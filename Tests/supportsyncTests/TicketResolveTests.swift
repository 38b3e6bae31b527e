import Foundation
import SupportSync
import TestSupport
import Testing

/// A conflict made on both sides, named with its values and the command
/// that settles it, then resolved each way; git's and the platform's values
/// checked afterwards.
@Suite("tickets resolve, end to end")
struct TicketResolveTests {
    /// Two pulled tickets whose status was changed in git (in_progress) and
    /// on the platform (resolved), then pulled again: both in conflict.
    func conflicted() async throws -> (TicketBench, [Ticket]) {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        for ticket in tickets {
            try bench.editTicket(
                SampleTickets.path(ticket),
                [("status: pending", "status: in_progress"), ("assignee: null", "assignee: luis")])
            try bench.platform.change(ticket.id) {
                $0.record.team.status = .resolved
                $0.record.team.resolution = "Refunded"
            }
        }
        return (bench, tickets)
    }

    @Test func aConflictNamesItsValuesAndTheCommandThatSettlesIt() async throws {
        let (bench, tickets) = try await conflicted()
        let pull = try await bench.pull()
        #expect(pull.status == 1, "\(pull.stdout)")
        let id = tickets[0].id
        #expect(
            pull.stdout.contains(
                "conflict \(id): status: was pending, git in_progress, platform resolved; "
                    + "settle it with: supportsync tickets resolve \(id) --field status --keep git|platform"),
            "\(pull.stdout)")
        let sync = try await bench.run(["sync", "--db", bench.database, "--format", "json"])
        let document = try ticketJSON(sync.stdout)
        // The pull already reported them; the sync's push meets them again.
        let conflicts = try #require((document["tickets"] as? [String: Any])?["push_conflicts"] as? [[String: Any]])
        let first = try #require(conflicts.first { $0["id"] as? String == id && $0["field"] as? String == "status" })
        #expect(first["base"] as? String == "pending" && first["git"] as? String == "in_progress")
        #expect(first["platform"] as? String == "resolved")
        #expect(first["resolve"] as? String == "supportsync tickets resolve \(id) --field status --keep git|platform")
    }

    @Test func keepingGitSendsItAndTheNextPullSeesNoConflict() async throws {
        let (bench, tickets) = try await conflicted()
        let id = tickets[0].id
        let resolved = try await bench.run(["tickets", "resolve", id, "--keep", "git", "--db", bench.database])
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        #expect(resolved.stdout.contains("\(id) status: kept git's in_progress (sent to the platform)"))
        let platform = try #require(try bench.platform.ticket(id))
        #expect(platform.record.team.status == .inProgress)
        // Only the field in conflict was settled; the platform's resolution stays.
        #expect(platform.record.team.resolution == "Refunded")
        let pull = try await bench.pull()
        #expect(!pull.stdout.contains("conflict \(id)"), "\(pull.stdout)")
        #expect(pull.stdout.contains("conflict \(tickets[1].id)"), "the other ticket is still in conflict")
        let again = try await bench.run(["tickets", "resolve", id, "--keep", "git", "--db", bench.database])
        #expect(again.status == 0 && again.stdout.contains("no conflict to resolve"))
        // --keep git changes the platform only: --commit with it is a usage error, not ignored.
        let commit = try await bench.run([
            "tickets", "resolve", id, "--keep", "git", "--commit", "--db", bench.database,
        ])
        #expect(commit.status == 64 && commit.stderr.contains("--commit goes with --keep platform"), "\(commit.stderr)")
        try await bench.expectFsckClean()
    }

    @Test func keepingThePlatformWritesItIntoTheFile() async throws {
        let (bench, tickets) = try await conflicted()
        let id = tickets[1].id
        let path = SampleTickets.path(tickets[1])
        let wrong = try await bench.run([
            "tickets", "resolve", id, "--field", "priority", "--keep", "platform", "--db", bench.database,
        ])
        #expect(wrong.status == 1 && wrong.stderr.contains("has no conflict on priority; its conflicts are on status"))
        let resolved = try await bench.run([
            "tickets", "resolve", id, "--field", "status", "--keep", "platform", "--commit", "--db", bench.database,
        ])
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        let text = try #require(bench.readFile(path))
        #expect(text.contains("\nstatus: resolved\n"))
        // The team's assignee, which only git changed, stays.
        #expect(text.contains("\nassignee: luis\n"))
        #expect(try await bench.status() == "")
        let push = try await bench.push()
        // The other ticket is still in conflict; this one's change goes.
        #expect(push.stdout.contains("pushed \(id)\n") && !push.stdout.contains("conflict \(id)"), "\(push.stdout)")
        let platform = try #require(try bench.platform.ticket(id))
        #expect(platform.record.team.status == .resolved && platform.record.team.assignee == "luis")
        let pull = try await bench.pull()
        #expect(!pull.stdout.contains("conflict \(id)"), "\(pull.stdout)")
        let audit = try await bench.run(["audit", "--base", "HEAD~3", "--trust-tool-commits"])
        #expect(audit.status == 0, "\(audit.stdout)")
    }

    @Test func listConflictsAnswersOfflineFromWhatWasRecorded() async throws {
        let (bench, tickets) = try await conflicted()
        #expect(try await bench.pull().status == 1)
        // Offline: no platform is named, none is reached.
        let listed = try await bench.run(["tickets", "list", "--conflicts", "--format", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = try jsonList(listed.stdout, "tickets")
        #expect(entries.compactMap { $0["id"] as? String } == tickets.map(\.id))
        let first = try #require((entries.first?["conflicts"] as? [[String: Any]])?.first)
        #expect(first["field"] as? String == "status" && first["platform"] as? String == "resolved")
        #expect(!listed.stderr.contains("platform:"), "nothing reached: \(listed.stderr)")
        let text = try await bench.run(["tickets", "list", "--conflicts"])
        #expect(
            text.stdout.contains(
                "conflict \(tickets[0].id): status: was pending, git in_progress, platform resolved; settle it with: "
            ), "\(text.stdout)")

        // Resolved one way, then the other: the ledger forgets each.
        #expect(
            try await bench.run(["tickets", "resolve", tickets[0].id, "--keep", "git", "--db", bench.database]).status
                == 0)
        let afterOne = try await bench.run(["tickets", "list", "--conflicts"])
        #expect(
            !afterOne.stdout.contains(tickets[0].id) && afterOne.stdout.contains(tickets[1].id), "\(afterOne.stdout)")
        #expect(
            try await bench.run([
                "tickets", "resolve", tickets[1].id, "--keep", "platform", "--commit", "--db", bench.database,
            ]).status == 0)
        #expect(try await bench.run(["tickets", "list", "--conflicts"]).stdout == "")

        // A clone without the platform base says where the conflicts are kept.
        // What a clone that fetched only branches has: no refs/supportsync/ (the ref is loose, as libgit2 wrote it).
        try FileManager.default.removeItem(at: bench.root.appendingPathComponent(".git/refs/supportsync/platform"))
        #expect(try await bench.gitOutput(["for-each-ref", "refs/supportsync/"]) == "")
        let clone = try await bench.run(["tickets", "list", "--conflicts"])
        #expect(
            clone.status == 0 && clone.stderr.contains("no platform base (refs/supportsync/platform)"),
            "\(clone.stderr)")
    }

    @Test func uncommittedEditsAreNeverOverwrittenAndAWorkingTreeOnlyResolveKeepsTheLedger() async throws {
        let (bench, tickets) = try await conflicted()
        #expect(try await bench.pull().status == 1)
        let id = tickets[0].id
        let path = SampleTickets.path(tickets[0])
        // An uncommitted edit of the ticket: resolve refuses either way, and the file is as the user left it.
        let edited = try #require(bench.readFile(path)).replacingOccurrences(
            of: "assignee: luis", with: "assignee: carol")
        try bench.writeFile(path, edited)
        for side in ["git", "platform"] {
            let refused = try await bench.run(["tickets", "resolve", id, "--keep", side, "--db", bench.database])
            #expect(refused.status == 1 && refused.stderr.contains("has uncommitted changes"), "\(refused.stderr)")
            #expect(bench.readFile(path) == edited)
        }
        try bench.writeFile(path, try await bench.show(path))
        // Written to the working tree only: still open until committed, and said so.
        let written = try await bench.run(["tickets", "resolve", id, "--keep", "platform", "--db", bench.database])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(
            written.stdout.hasSuffix("written to the working tree; commit it, or run again with --commit\n"),
            "\(written.stdout)")
        #expect(try await bench.run(["tickets", "list", "--conflicts"]).stdout.contains(id))
    }

    @Test func conflictValuesAreJSONValues() async throws {
        let bench = try TicketBench()
        let ticket = SampleTickets.make(1)
        try bench.platform.put([ticket])
        #expect(try await bench.pull().status == 0)
        try bench.editTicket(SampleTickets.path(ticket), [("assignee: null", "assignee: luis")])
        try bench.platform.change(ticket.id) { $0.record.team.assignee = "eva" }
        let pull = try await bench.run(["tickets", "pull", "--db", bench.database, "--format", "json"])
        let conflict = try #require(try jsonList(pull.stdout, "conflicts").first)
        #expect(conflict["base"] is NSNull, "a null assignee is JSON null: \(conflict)")
        #expect(conflict["git"] as? String == "luis" && conflict["platform"] as? String == "eva")
        let listed = try jsonList(
            try await bench.run(["tickets", "list", "--conflicts", "--format", "json"]).stdout, "tickets")
        let recorded = try #require((listed.first?["conflicts"] as? [[String: Any]])?.first)
        #expect(recorded["id"] as? String == ticket.id && recorded["base"] is NSNull)
        #expect(
            (recorded["resolve"] as? String)?.hasPrefix("supportsync tickets resolve \(ticket.id) --field assignee")
                == true)
        // A ticket the platform closed cannot be reopened by keeping git's status.
        try bench.editTicket(SampleTickets.path(ticket), [("status: pending", "status: in_progress")])
        try bench.platform.change(ticket.id) {
            $0.record.team.status = .closed
            $0.record.team.resolution = "Duplicate"
        }
        _ = try await bench.pull()
        let reopen = try await bench.run([
            "tickets", "resolve", ticket.id, "--field", "status", "--keep", "git", "--db", bench.database,
        ])
        #expect(
            reopen.status == 1 && reopen.stderr.contains("keep the platform's value (--keep platform)"),
            "\(reopen.stderr)")
    }

    /// Git's pending kept over the platform's resolved: the lifecycle has
    /// no direct move, so resolve sends resolved -> in_progress -> pending,
    /// as a push does.
    @Test func keepingGitsPendingOverAResolvedTicketMovesThroughInProgress() async throws {
        let bench = try TicketBench()
        let ticket = SampleTickets.make(1)
        try bench.platform.put([ticket])
        #expect(try await bench.pull().status == 0)
        let path = SampleTickets.path(ticket)
        try bench.editTicket(path, [("status: pending", "status: in_progress")])
        #expect(try await bench.push().status == 0)
        try bench.editTicket(path, [("status: in_progress", "status: pending")])
        try bench.platform.change(ticket.id) {
            $0.record.team.status = .resolved
            $0.record.team.resolution = "Refunded"
        }
        let pull = try await bench.pull()
        #expect(pull.status == 1 && pull.stdout.contains("tickets resolve \(ticket.id)"), "\(pull.stdout)")
        let kept = try await bench.run([
            "tickets", "resolve", ticket.id, "--field", "status", "--keep", "git", "--db", bench.database,
        ])
        #expect(kept.status == 0, "\(kept.stdout)\(kept.stderr)")
        #expect(try bench.platform.ticket(ticket.id)?.record.team.status == .pending)
        let after = try await bench.pull()
        #expect(after.status == 0 && !after.stdout.contains("conflict"), "\(after.stdout)")
    }

    @Test func resolvingThroughTheServedPlatform() async throws {
        let (bench, tickets) = try await conflicted()
        let server = try TicketServer(database: bench.database)
        defer { server.stop() }
        // The full-scope token: this repository keeps tickets plain, which takes the reveal scope.
        let served = ["--platform", server.url]
        let pull = try await bench.run(["tickets", "pull"] + served, environment: server.environment)
        #expect(
            pull.status == 1 && pull.stdout.contains("settle it with: supportsync tickets resolve"), "\(pull.stdout)")
        #expect(pull.stderr.contains("platform: \(server.url) (instance "), "\(pull.stderr)")
        let id = tickets[0].id
        let kept = try await bench.run(
            ["tickets", "resolve", id, "--keep", "git", "--format", "json"] + served, environment: server.environment)
        #expect(kept.status == 0, "\(kept.stdout)\(kept.stderr)")
        let document = try ticketJSON(kept.stdout)
        #expect(document["platform"] as? String == "\(server.url) (instance \(try bench.platform.instance))")
        #expect((document["settled"] as? [[String: Any]])?.first?["git"] as? String == "in_progress")
        #expect(try bench.platform.ticket(id)?.record.team.status == .inProgress)
        let other = tickets[1].id
        let written = try await bench.run(
            ["tickets", "resolve", other, "--keep", "platform", "--commit"] + served,
            environment: server.environment)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try #require(bench.readFile(SampleTickets.path(tickets[1]))).contains("\nstatus: resolved\n"))
        let again = try await bench.run(["tickets", "pull"] + served, environment: server.environment)
        #expect(again.status == 0 && !again.stdout.contains("conflict"), "\(again.stdout)")
        #expect(try await bench.run(["tickets", "list", "--conflicts"]).stdout == "")
    }
}
