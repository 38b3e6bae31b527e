import Foundation
import TestSupport
import Testing

@testable import SupportSync
@testable import SupportSyncGit

/// `tickets diff`: what a branch does to tickets, net of what its base
/// gained meanwhile, for the pull-request comment.
@Suite struct TicketDiffCommandTests {
    @Test func showsTheBranchsNetFieldChangesAndNotTheBasesNewTickets() async throws {
        let bench = try TicketBench()
        let first = SampleTickets.make(1)
        try bench.platform.put([first, SampleTickets.make(2)])
        #expect(try await bench.pull().status == 0)
        // The base moves on without the branch: the sync job pulls a new ticket there.
        #expect(try await bench.git(["branch", "upstream"]).status == 0)
        try bench.platform.put([SampleTickets.make(3)])
        let pulled = try await bench.pull(["--ref", "refs/heads/upstream"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        // The branch works ticket 1 in two commits; the net change is what shows.
        let path = SampleTickets.path(first)
        try bench.editTicket(path, [("status: pending", "status: in_progress")])
        try bench.editTicket(path, [("assignee: null", "assignee: luis@example.com")])

        let text = try await bench.run(["tickets", "diff", "--base", "upstream"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout == """
                modified \(first.id) (\(path))
                    status: pending -> in_progress
                    assignee: null -> luis@example.com
                1 ticket changed: 1 modified, 0 added, 0 deleted

                """)

        let json = try await bench.run(["tickets", "diff", "--base", "upstream", "--format", "json"])
        let changes = try jsonList(json.stdout, "tickets")
        #expect(changes.count == 1)
        #expect(changes.first?["id"] as? String == first.id)
        #expect(changes.first?["kind"] as? String == "modified")
        let fields = try #require(changes.first?["changes"] as? [[String: Any]])
        #expect(fields.map { $0["field"] as? String } == ["status", "assignee"])

        let markdown = try await bench.run(["tickets", "diff", "--base", "upstream", "--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("### Ticket changes\n\n1 ticket changed: 1 modified, 0 added, 0 deleted\n"))
        #expect(
            markdown.stdout.contains(
                "| `\(first.id)` | modified | `status`: pending → in_progress<br>`assignee`: null → luis@example.com |")
        )

        // Seen from the base's side, the branch's edit is not the base's change.
        let none = try await bench.run(["tickets", "diff", "--base", "main", "--head", "main", "--format", "markdown"])
        #expect(none.stdout.contains("This pull request changes no ticket."))
        let bad = try await bench.run(["tickets", "diff", "--base", "no-such-branch"])
        #expect(bad.status == 64, "\(bad.stderr)")
    }

    /// The report goes into the pull-request comment: a change to customer
    /// data shows what the values are, never their text.
    @Test func customerDataIsDescribedNeverShown() async throws {
        let bench = try TicketBench()
        let first = SampleTickets.make(1)
        try bench.platform.put([first])
        #expect(try await bench.pull().status == 0)
        #expect(try await bench.git(["branch", "upstream"]).status == 0)
        let path = SampleTickets.path(first)
        let file = try #require(bench.readFile(path))
        let email = try #require(first.record.report.customer.email)
        #expect(file.contains(email))
        try bench.editTicket(
            path, [(email, "ana.leaked@example.com"), ("status: pending", "status: in_progress")])
        for format in ["text", "markdown"] {
            let report = try await bench.run(["tickets", "diff", "--base", "upstream", "--format", format])
            #expect(report.status == 0, "\(report.stderr)")
            #expect(!report.stdout.contains("ana.leaked") && !report.stdout.contains(email), "\(report.stdout)")
            #expect(report.stdout.contains("email: (a value in plain text)"), "\(report.stdout)")
            #expect(report.stdout.contains("in_progress"), "team fields show as they are: \(report.stdout)")
        }
    }

    /// A base or head that names no commit (a tree, a blob, nothing, an
    /// empty string) is a usage error for diff and audit alike, named.
    @Test(arguments: ["HEAD^{tree}", "HEAD:README.md", "", "no-such-branch", "HEAD~99"])
    func aRevisionThatNamesNoCommitIsAUsageError(_ revision: String) async throws {
        let bench = try TicketBench()
        try bench.platform.put([SampleTickets.make(1)])
        #expect(try await bench.pull().status == 0)
        for command in [["tickets", "diff"], ["audit"]] {
            let base = try await bench.run(command + ["--base", revision])
            #expect(base.status == 64, "\(command) --base \(revision): \(base.stdout)\(base.stderr)")
            #expect(base.stderr.contains("'\(revision)' names no commit of this repository"), "\(base.stderr)")
            let head = try await bench.run(command + ["--base", "HEAD", "--head", revision])
            #expect(head.status == 64, "\(command) --head \(revision): \(head.stderr)")
        }
    }

    @Test func cellsStayOnOneLineAndCannotBreakTheTable() {
        let cell = TicketChangesReport.cell("a | b\n<script>" + String(repeating: "x", count: 200))
        #expect(!cell.contains("\n"))
        #expect(!cell.contains(" | "))
        #expect(!cell.contains("<script>"))
        #expect(cell.count == 120)
    }
}
