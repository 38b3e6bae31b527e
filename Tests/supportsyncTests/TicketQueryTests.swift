import Foundation
import Git
import SupportSync
import TestSupport
import Testing

/// `tickets list`, `tickets show` and `tickets history`, read back from a
/// repository the executable pulled into.
@Suite struct TicketQueryTests {
    /// Six tickets: statuses, agents and creation days to filter on.
    private func setUp() async throws -> (TicketBench, [Ticket]) {
        let bench = try TicketBench()
        var tickets = SampleTickets.make(1..<7)
        tickets[0].status = .pending
        tickets[1].status = .inProgress
        tickets[2].status = .resolved
        tickets[2].resolution = "Refunded"
        tickets[3].status = .pending
        tickets[3].agent = "refunds"
        tickets[4].status = .closed
        tickets[4].resolution = "Duplicate"
        tickets[5].status = .pending
        tickets[5].agent = "0123"  // a valid agent id the file form must quote
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        return (bench, tickets)
    }

    private func listed(_ bench: TicketBench, _ arguments: [String]) async throws -> [String] {
        let result = try await bench.run(["tickets", "list", "--format", "json"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        let array = try jsonList(result.stdout, "tickets")
        return array.compactMap { $0["id"] as? String }
    }

    @Test func listFiltersByStatusAgentAndDay() async throws {
        let (bench, tickets) = try await setUp()
        let byCreation = tickets.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        #expect(try await listed(bench, []) == byCreation.map(\.id), "every ticket, by creation time")
        #expect(
            try await listed(bench, ["--status", "pending"]) == byCreation.filter { $0.status == .pending }.map(\.id))
        #expect(try await listed(bench, ["--status", "in_progress"]) == [tickets[1].id])
        #expect(try await listed(bench, ["--agent", "refunds"]) == [tickets[3].id])
        #expect(try await listed(bench, ["--agent", "0123"]) == [tickets[5].id])
        #expect(try await listed(bench, ["--agent", "billing-line", "--status", "pending"]) == [tickets[0].id])
        let since = "2026-04-01"
        #expect(try await listed(bench, ["--since", since]) == byCreation.filter { $0.createdAt >= since }.map(\.id))
        #expect(try await listed(bench, ["--status", "closed", "--since", "2026-01-01"]) == [tickets[4].id])

        // Text: a table naming each ticket.
        let table = try await bench.run(["tickets", "list", "--status", "pending"])
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("ID"), "\(table.stdout)")
        for ticket in tickets { #expect(table.stdout.contains(ticket.id) == (ticket.status == .pending)) }

        // The working tree is what a person sees: a committed edit shows at once.
        try bench.editTicket(SampleTickets.path(tickets[0]), [("status: pending", "status: in_progress")])
        #expect(
            try await listed(bench, ["--status", "in_progress"]).sorted() == [tickets[0].id, tickets[1].id].sorted())

        let bad = try await bench.run(["tickets", "list", "--since", "yesterday"])
        #expect(bad.status == 64, "\(bad.stderr)")
        let badStatus = try await bench.run(["tickets", "list", "--status", "open"])
        #expect(badStatus.status == 64, "\(badStatus.stderr)")
    }

    @Test func showPrintsTheFileAndUnknownIdsExit1() async throws {
        let (bench, tickets) = try await setUp()
        let path = SampleTickets.path(tickets[2])
        let shown = try await bench.run(["tickets", "show", tickets[2].id])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout == "# \(path)\n" + (try await bench.show(path)))

        let json = try await bench.run(["tickets", "show", tickets[2].id, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let document = try ticketJSON(json.stdout)
        #expect(document["format_version"] as? Int == 1 && document["path"] as? String == path)
        let object = try #require(document["ticket"] as? [String: Any])
        #expect(object["id"] as? String == tickets[2].id)
        #expect(object["status"] as? String == "resolved")
        #expect(object["resolution"] as? String == "Refunded")

        for unknown in ["T-FFFFFFFF", "../README", "tickets/2026", ""] {
            for command in ["show", "history"] {
                let result = try await bench.run(["tickets", command, unknown])
                #expect(
                    result.status == 1 || (unknown.isEmpty && result.status == 64),
                    "\(command) '\(unknown)': \(result.status) \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(command) '\(unknown)': \(result.stdout)")
            }
        }
        let missing = try await bench.run(["tickets", "show", "T-FFFFFFFF"])
        #expect(missing.stderr.contains("no ticket 'T-FFFFFFFF'"), "\(missing.stderr)")
    }

    /// `show`, `history` and `set` find a ticket where `list` does: a
    /// committed file elsewhere under tickets/ is no ticket, a new file not
    /// yet committed is one, two files with one id are refused, and a file
    /// that does not validate (a key twice) is shown with its errors, exit 1.
    @Test func showFindsTheTicketListFindsAndNoOther() async throws {
        let (bench, tickets) = try await setUp()
        let path = SampleTickets.path(tickets[0])
        let text = try #require(bench.readFile(path))
        // A stray copy first in tree order, with other values: nothing reads it.
        let stray = "tickets/2025/\(tickets[0].id).yaml"
        try bench.writeFile(stray, text.replacingOccurrences(of: "status: pending\n", with: "status: closed\n"))
        try bench.commitWorkingFiles([stray], message: "A stray copy")
        let shown = try await bench.run(["tickets", "show", tickets[0].id])
        #expect(shown.status == 0 && shown.stdout.hasPrefix("# \(path)\n"), "\(shown.stdout)\(shown.stderr)")
        #expect(shown.stdout.contains("status: pending\n"), "\(shown.stdout)")
        let set = try await bench.run(["tickets", "set", tickets[0].id, "--status", "in_progress"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try #require(bench.readFile(path)).contains("status: in_progress\n"))

        // A new ticket file written, not committed: shown as list shows it.
        var new = TicketRecord(SampleTickets.make(90))
        new.status = .inProgress
        let newPath = SampleTickets.path(SampleTickets.make(90))
        try bench.writeFile(newPath, TicketFile.text(new))
        // (list exits 1 here: it reports the stray copy.)
        let list = try await bench.run(["tickets", "list", "--status", "in_progress"])
        #expect(list.stdout.contains(new.id) && list.stderr.contains(stray), "\(list.stdout)\(list.stderr)")
        let uncommitted = try await bench.run(["tickets", "show", new.id])
        #expect(uncommitted.status == 0 && uncommitted.stdout.hasPrefix("# \(newPath)\n"), "\(uncommitted.stderr)")

        // A second file with the id, in another month, written or committed: neither is picked.
        let twin = "tickets/2025/01/\(tickets[0].id).yaml"
        try bench.writeFile(twin, text)
        let written = try await bench.run(["tickets", "show", tickets[0].id])
        #expect(written.status == 1 && written.stderr.contains("has 2 files"), "\(written.stdout)\(written.stderr)")
        try bench.commitWorkingFiles([twin], message: "A second file")
        for command in ["show", "history"] {
            let result = try await bench.run(["tickets", command, tickets[0].id])
            #expect(result.status == 1 && result.stdout.isEmpty, "\(command): \(result.stdout)")
            #expect(result.stderr.contains("has 2 files (\(twin), \(path))"), "\(command): \(result.stderr)")
        }

        // A key twice: list leaves the file out, show says why.
        let doubled = SampleTickets.path(tickets[1])
        try bench.editTicket(doubled, [("status: in_progress", "status: in_progress\nstatus: closed")])
        let twice = try await bench.run(["tickets", "show", tickets[1].id, "--format", "json"])
        #expect(twice.status == 1 && twice.stderr.contains("duplicate key 'status'"), "\(twice.stderr)")

        // A hostile id is named escaped, never as it came.
        let hostile = try await bench.run(["tickets", "show", "T-1\nerror: forged"])
        #expect(hostile.status == 1 && hostile.stderr.contains("T-1\\nerror: forged"), "\(hostile.stderr)")
    }

    /// A sparse checkout leaves ticket files out of the working tree, which
    /// list reads: it says so, rather than list fewer in silence.
    @Test func aSparseCheckoutIsSaid() async throws {
        let (bench, _) = try await setUp()
        #expect(try await bench.run(["tickets", "list"]).stderr.isEmpty)
        let config = bench.root.appendingPathComponent(".git/config")
        let text = try String(contentsOf: config, encoding: .utf8)
        try (text + "[core]\n\tsparseCheckout = true\n").write(to: config, atomically: true, encoding: .utf8)
        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 0 && list.stderr.contains("warning: this is a sparse checkout"), "\(list.stderr)")
        // As `git sparse-checkout` sets it: in the worktree's own configuration.
        try text.write(to: config, atomically: true, encoding: .utf8)
        #expect(try await bench.run(["tickets", "list"]).stderr.isEmpty)
        try (text + "[extensions]\n\tworktreeConfig = true\n").write(to: config, atomically: true, encoding: .utf8)
        try "[core]\n\tsparseCheckout = true\n\tsparseCheckoutCone = true\n".write(
            to: bench.root.appendingPathComponent(".git/config.worktree"), atomically: true, encoding: .utf8)
        let worktree = try await bench.run(["tickets", "list"])
        #expect(worktree.stderr.contains("warning: this is a sparse checkout"), "\(worktree.stderr)")
    }

    /// A merge that took one side's value over the other's is a change of
    /// the ticket, and the side it discarded is history too: every commit,
    /// as `git log --full-history -- path` lists them.
    @Test func historyFollowsEveryBranchAMergeBroughtIn() async throws {
        let (bench, tickets) = try await setUp()
        let path = SampleTickets.path(tickets[0])
        let repository = try bench.repository()
        let base = try #require(try repository.resolve(reference: "refs/heads/main"))
        let text = try #require(bench.readFile(path))
        #expect(text.contains("priority: normal\n"))
        let ana = Signature(name: "Ana", email: "ana@example.com")
        // On main, urgent; on a branch from before it, low.
        let urgent = try bench.editTicket(path, [("priority: normal", "priority: urgent")], message: "Urgent")
        let lowBlob = try repository.writeBlob(
            Array(text.replacingOccurrences(of: "priority: normal\n", with: "priority: low\n").utf8))
        let low = try repository.createCommit(
            parent: base, treeUpdates: [(path, lowBlob)], message: "Low", author: ana
        ).commit
        // The merge takes the branch's low over main's urgent.
        let merge = try repository.createCommit(
            parent: urgent, mergedParents: [low], treeUpdates: [(path, lowBlob)], message: "Merge, taking low",
            author: ana
        ).commit
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: urgent, new: merge, message: "merge")
        ])

        let result = try await bench.run(["tickets", "history", tickets[0].id])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = result.stdout.split(separator: "\n").filter { $0.hasPrefix("commit ") }.map {
            String($0.dropFirst(7))
        }
        let witness = try await bench.gitOutput(["log", "--full-history", "--format=%H", "--", path]).split(
            separator: "\n"
        ).map(String.init)
        #expect(listed == witness, "\(result.stdout)")
        #expect(Set(listed).isSuperset(of: [merge.hex, urgent.hex, low.hex]), "\(result.stdout)")
        let entry = try #require(result.stdout.components(separatedBy: "\ncommit ").first { $0.hasPrefix(merge.hex) })
        #expect(entry.contains("priority: urgent -> low"), "\(entry)")
    }

    @Test func historyListsEveryCommitThatChangedTheTicketWithItsFieldChanges() async throws {
        let (bench, tickets) = try await setUp()
        let ticket = tickets[0]
        let path = SampleTickets.path(ticket)
        let date = Date(timeIntervalSince1970: 1_795_000_000)
        let team = try bench.editTicket(
            path, [("status: pending", "status: in_progress"), ("assignee: null", "assignee: ana@example.com")],
            message: "Ana takes the double charge",
            author: Signature(name: "Ana Ops", email: "ana@example.com", date: date, timeZoneOffsetMinutes: 60))
        // Another ticket's change is not in this ticket's history.
        try bench.editTicket(SampleTickets.path(tickets[3]), [("priority: normal", "priority: high")])
        // A platform-side change to a platform field, pulled.
        try bench.platform.change(ticket.id) { $0.summary = "Charged twice.\nRefund requested.\n" }
        #expect(try await bench.pull().status == 0)

        let result = try await bench.run(["tickets", "history", ticket.id])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(text.hasPrefix("# \(path)\n"), "\(text)")
        let witness = try await bench.gitOutput(["log", "--format=%H", "--", path]).split(separator: "\n").map(
            String.init)
        #expect(witness.count == 3)
        let listed = text.split(separator: "\n").filter { $0.hasPrefix("commit ") }.map { String($0.dropFirst(7)) }
        #expect(listed == witness, "the same commits as git log -- path, newest first")

        // The team's commit: who, when, what, and each field's move.
        let entries = text.components(separatedBy: "\ncommit ").dropFirst()
        let teamEntry = try #require(entries.first { $0.hasPrefix(team.hex) })
        #expect(teamEntry.contains("Author: Ana Ops <ana@example.com>"), "\(teamEntry)")
        #expect(teamEntry.contains("Ana takes the double charge"))
        #expect(teamEntry.contains("status: pending -> in_progress"), "\(teamEntry)")
        #expect(teamEntry.contains("assignee: null -> ana@example.com"), "\(teamEntry)")
        #expect(!teamEntry.contains("priority:"), "only this ticket's changes")
        let dateLine = try #require(teamEntry.split(separator: "\n").first { $0.hasPrefix("Date:") })
        let shownDate = try #require(
            ISO8601DateFormatter().date(from: String(dateLine.dropFirst(5)).withoutSurroundingSpace))
        #expect(shownDate == date, "\(dateLine)")
        #expect(
            try await bench.gitOutput(["log", "-1", "--format=%at", team.hex]).withoutSurroundingSpace == "1795000000")

        // Newest first: the pulled summary change, then the team, then the ticket's arrival.
        #expect(entries.first?.contains("summary:") == true, "\(text)")
        #expect(
            entries.last?.contains("status: (none) -> pending") == true,
            "the first pull created it: \(entries.last ?? "")")

        let json = try await bench.run(["tickets", "history", ticket.id, "--format", "json"])
        #expect(json.status == 0)
        let array = try jsonList(json.stdout, "commits")
        #expect(array.compactMap { $0["commit"] as? String } == witness)
        let changes = try #require(array.first { $0["commit"] as? String == team.hex }?["changes"] as? [[String: Any]])
        #expect(
            changes.contains {
                $0["field"] as? String == "status" && $0["old"] as? String == "pending"
                    && $0["new"] as? String == "in_progress"
            })
        #expect(
            changes.contains {
                // A JSON null, not the text "null".
                $0["field"] as? String == "assignee" && $0["old"] is NSNull
                    && $0["new"] as? String == "ana@example.com"
            })
        #expect(array.first { $0["commit"] as? String == team.hex }?["author"] as? String == "Ana Ops")
    }
}
