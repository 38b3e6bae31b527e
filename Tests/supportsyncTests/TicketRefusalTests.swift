import Foundation
import SupportSync
import TestSupport
import Testing

/// What `tickets pull` refuses, and what it then leaves as it was.
@Suite struct TicketRefusalTests {
    @Test func uncommittedChangesOnAPathThePullWouldWriteAreRefusedWithNothingWritten() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<4)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let tip = try await bench.tip()
        let index = try Data(contentsOf: bench.root.appendingPathComponent(".git/index"))

        // The platform changes ticket 2 and flags a new one; a person has an
        // uncommitted edit to ticket 2.
        try bench.platform.change(tickets[1].id) { $0.status = .inProgress }
        let newcomer = SampleTickets.make(9)
        try bench.platform.put([newcomer])
        let path = SampleTickets.path(tickets[1])
        let edited = try #require(bench.readFile(path)).replacingOccurrences(
            of: "assignee: null", with: "assignee: me@example.com")
        try bench.writeFile(path, edited)

        let refused = try await bench.pull()
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains(path) && refused.stderr.contains("nothing was written"), "\(refused.stderr)")
        #expect(try await bench.tip() == tip, "the branch did not move")
        #expect(bench.readFile(path) == edited, "the person's edit is kept")
        #expect(
            !FileManager.default.fileExists(
                atPath: bench.root.appendingPathComponent(SampleTickets.path(newcomer)).path))
        #expect(
            try Data(contentsOf: bench.root.appendingPathComponent(".git/index")) == index, "the index is untouched")
        #expect(try await bench.status() == " M \(path)\n")
        #expect(try await bench.tip("refs/supportsync/platform") != nil)

        // An untracked file where a new ticket would go is refused alike.
        try bench.writeFile(path, try await bench.show(path))
        let newPath = SampleTickets.path(newcomer)
        try bench.writeFile(newPath, "my notes\n")
        let untracked = try await bench.pull()
        #expect(untracked.status == 1 && untracked.stderr.contains(newPath), "\(untracked.stderr)")
        #expect(try await bench.tip() == tip)
        #expect(bench.readFile(newPath) == "my notes\n")

        // Once the paths are clean, or hold exactly what the pull would
        // write, it goes ahead; an edit elsewhere is left alone.
        try FileManager.default.removeItem(at: bench.root.appendingPathComponent(newPath))
        let other = SampleTickets.path(tickets[2])
        let otherEdit = try #require(bench.readFile(other)) + "# a note\n"
        try bench.writeFile(other, otherEdit)
        let done = try await bench.pull()
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
        #expect(try await bench.show(path).contains("status: in_progress"))
        #expect(try await bench.ticketPaths().contains(newPath))
        #expect(bench.readFile(other) == otherEdit)
        #expect(try await bench.status() == " M \(other)\n")
    }

    @Test func unsafeIdsFromThePlatformAreReportedAndSkippedAndTheSafeTicketsLand() async throws {
        let bench = try TicketBench()
        let safe = SampleTickets.make(1..<4)
        var hostile: [Ticket] = []
        let badIDs = [
            "../x", "../../../../tmp/escape", "/abs", "T-1\u{0}evil", String(repeating: "T", count: 200), "T-\u{1b}[2J",
            ".hidden", "T-1/../../x",
        ]
        for (index, id) in badIDs.enumerated() {
            var ticket = SampleTickets.make(100 + index)
            ticket.id = id
            hostile.append(ticket)
        }
        for (index, agent) in ["../agent", "/etc", "agent\u{0}x", String(repeating: "a", count: 200)].enumerated() {
            var ticket = SampleTickets.make(200 + index)
            ticket.agent = agent
            hostile.append(ticket)
        }
        var badTime = SampleTickets.make(300)
        badTime.createdAt = "2026-11-24T10:02:11Z/../../../x"
        hostile.append(badTime)
        // Interleaved, so safe tickets come before and after hostile ones.
        try bench.platform.put([safe[0]] + hostile[..<6] + [safe[1]] + hostile[6...] + [safe[2]])

        let result = try await bench.pull()
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let skipped = result.stdout.split(separator: "\n").filter { $0.hasPrefix("skipped ") }
        #expect(skipped.count == hostile.count, "each unsafe ticket is reported: \(result.stdout)")
        #expect(
            !result.stdout.contains("\u{0}") && !result.stdout.contains("\u{1b}"),
            "control bytes from the platform are not printed raw")
        #expect(
            try await bench.ticketPaths().sorted() == safe.map(SampleTickets.path).sorted(), "the safe tickets land")
        #expect(try await bench.status() == "")
        try await bench.expectFsckClean()

        // Nothing was written anywhere else: every file in the test's folder
        // is the repository's own, the platform's, or a ticket under tickets/.
        let everything =
            FileManager.default.enumerator(atPath: bench.folder.url.path)?.compactMap { $0 as? String } ?? []
        for file in everything
        where !file.hasPrefix("repo/.git") && !file.hasPrefix("home") && !file.hasPrefix("platform.sqlite") {
            let allowed =
                ["repo", "repo/README.md", "repo/supportsync.yaml", "repo/tickets"].contains(file)
                || file.hasPrefix("repo/tickets/")
            #expect(allowed, "unexpected file \(file)")
        }
        let tickets = everything.filter { $0.hasPrefix("repo/tickets/") && $0.hasSuffix(".yaml") }
        #expect(tickets.count == safe.count)
        #expect(
            try await bench.gitOutput(["ls-tree", "-r", "--name-only", "main"]).split(separator: "\n").allSatisfy {
                $0 == "README.md" || $0 == "supportsync.yaml" || $0.hasPrefix("tickets/")
            })
        for escaped in ["/abs.yaml", "/tmp/escape.yaml", bench.folder.url.appendingPathComponent("x.yaml").path] {
            #expect(!FileManager.default.fileExists(atPath: escaped), "\(escaped)")
        }
    }
}
