import Foundation
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// The cursor remembers which platform it belongs to (`GET /v1/platform`'s
/// instance): pointed at another one, a pull warns and starts over,
/// updating only the tickets that differ.
@Suite struct TicketCursorTests {
    @Test func aFreshLocalDatabaseWarnsAndStartsOverWithoutDuplicatingAnything() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<6)
        try bench.platform.put(tickets)
        try bench.platform.put([tickets[0]])  // touched again: the cursor ends past 5
        #expect(try await bench.pull().status == 0)
        let before = try #require(try await bench.tip())

        // Another instance: a new database holding the same tickets, one of
        // them changed there, and one more. Its sequence starts again at 1,
        // below the old cursor: only starting over finds the change.
        let other = try TicketPlatformFile(path: bench.folder.url.appendingPathComponent("other.sqlite").path)
        var changed = tickets
        changed[2].status = .inProgress
        let newcomer = SampleTickets.make(6)
        try other.put(changed + [newcomer])
        #expect(try other.instance != (try bench.platform.instance))

        let result = try await bench.run(["tickets", "pull", "--db", other.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("warning:") && result.stdout.contains("another platform"), "\(result.stdout)")
        #expect(try await bench.gitOutput(["log", "-1", "--format=%s"]) == "tickets: 1 new, 1 updated\n")
        let files = try await bench.gitOutput(["show", "--format=", "--name-only", "main"]).split(separator: "\n").map(
            String.init)
        #expect(
            files.sorted()
                == [SampleTickets.path(changed[2]), SampleTickets.path(newcomer), TicketStore.cursorPath]
                .sorted())
        #expect(try await bench.gitOutput(["rev-parse", "main~1"]).hasPrefix(before))
        #expect(try await bench.ticketPaths().count == 6, "nothing twice")
        #expect(try await bench.show(TicketStore.cursorPath).contains(try other.instance))
        #expect(try await bench.status() == "")

        let again = try await bench.run(["tickets", "pull", "--db", other.path])
        #expect(again.status == 0 && !again.stdout.contains("warning"), "\(again.stdout)")
        #expect(again.stdout.contains("nothing new"))
    }

    /// The same tickets under another instance (a restored copy, say):
    /// nothing to update, and the cursor takes the new instance so the
    /// warning and the full re-read happen once, not on every pull.
    @Test func anotherInstanceWithTheSameTicketsAdoptsItOnce() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<5))
        #expect(try await bench.pull().status == 0)
        let before = try #require(try await bench.tip())
        try bench.platform.setInstance("restored-copy")

        let first = try await bench.pull()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("another platform"), "\(first.stdout)")
        #expect(try await bench.ticketPaths().count == 4)
        #expect(try await bench.show(TicketStore.cursorPath).contains("restored-copy"))
        #expect(
            try await bench.gitOutput(["diff", "--name-only", before, "main"]) == TicketStore.cursorPath + "\n",
            "only the cursor changed")

        let second = try await bench.pull()
        #expect(second.status == 0 && !second.stdout.contains("warning"), "\(second.stdout)")
        #expect(second.stdout.contains("nothing new"))
        #expect(try await bench.status() == "")
    }
}
