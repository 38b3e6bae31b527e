import Foundation
import SupportSync
import TestSupport
import Testing

/// `tickets list` answers from its cache exactly what it answers from the
/// files: every filter, the sort and the table, for text the cache has to
/// escape (tabs, newlines, percent signs, commas in tags, non-ASCII).
@Suite("the list cache answers as the files do")
struct TicketListCacheTests {
    @Test func everyFilterAnswersTheSameFromTheCache() async throws {
        let bench = try TicketBench()
        var tickets = SampleTickets.make(1..<9)
        tickets[0].assignee = "ana\tb%20"
        tickets[1].assignee = "ben"
        tickets[2].tags = ["a,b", "x%2Cy", "plain"]
        tickets[3].reason = "Café au lait\nspilt on the keyboard; a very long reason that goes on past sixty characters"
        tickets[4].priority = .urgent
        tickets[5].status = .closed
        tickets[5].resolution = "Refunded"
        tickets[6].reason = "50% off\tthen %09 more"
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)

        let queries: [[String]] = [
            [], ["--assignee", "ana\tb%20"], ["--assignee", "ben"], ["--unassigned"], ["--tag", "a,b"],
            ["--tag", "x%2Cy"], ["--tag", "plain"], ["--priority", "urgent"], ["--status", "closed"],
            ["--status", "pending"],
            ["--status", "pending", "--channel", "calls"], ["--since", "2026-04-01", "--until", "2026-06-30"],
            ["--sort", "priority"], ["--sort", "status"], ["--agent", "billing-line", "--format", "json"],
        ]
        let cache = bench.root.appendingPathComponent(".git/supportsync/list-cache")
        var fromFiles: [[String]: String] = [:]
        for query in queries {
            try? FileManager.default.removeItem(at: cache)
            let listed = try await bench.run(["tickets", "list"] + query)
            #expect(listed.status == 0, "\(query): \(listed.stderr)")
            fromFiles[query] = listed.stdout
        }
        #expect(fromFiles[["--assignee", "ana\tb%20"]]?.contains(tickets[0].id) == true)
        #expect(fromFiles[["--tag", "a,b"]]?.contains(tickets[2].id) == true)
        #expect(fromFiles[["--tag", "x%2Cy"]]?.contains(tickets[2].id) == true)
        #expect(fromFiles[["--tag", "plain"]]?.contains(tickets[1].id) == false)

        // A cache entry is trusted two seconds after its file last changed:
        // the second list rewrites the cache, and the lists after it are
        // answered by it, which they then leave as it is.
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        try await Task.sleep(for: .milliseconds(2_100))
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        let written = try Data(contentsOf: cache)
        let stamp = try FileManager.default.attributesOfItem(atPath: cache.path)[.modificationDate] as? Date
        for query in queries {
            let listed = try await bench.run(["tickets", "list"] + query)
            #expect(listed.status == 0)
            #expect(listed.stdout == fromFiles[query], "\(query)")
        }
        #expect(try Data(contentsOf: cache) == written)
        #expect(
            try FileManager.default.attributesOfItem(atPath: cache.path)[.modificationDate] as? Date == stamp,
            "the lists were answered by the cache")

        // A trusted line whose status no longer reads back is no answer:
        // the ticket's file is read, and the ticket is still listed.
        let damaged = try #require(String(data: written, encoding: .utf8))
        let line = try #require(damaged.split(separator: "\n").first { $0.contains("\tpending\t") })
        try Data(
            damaged.replacingOccurrences(of: line, with: line.replacingOccurrences(of: "\tpending\t", with: "\tpend\t"))
                .utf8
        ).write(to: cache)
        let pending = try await bench.run(["tickets", "list", "--status", "pending"])
        #expect(pending.status == 0 && pending.stdout == fromFiles[["--status", "pending"]])
    }

    /// A cache in another format, or one whose lines are out of order or
    /// cut short, is rebuilt: never an error.
    @Test func aCacheThatCannotBeReadIsRebuilt() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<4)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let expected = try await bench.run(["tickets", "list"]).stdout
        let cache = bench.root.appendingPathComponent(".git/supportsync/list-cache")
        let lines = try String(contentsOf: cache, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && lines[0].hasPrefix("supportsync-list-cache 4 "))
        let broken = [
            "supportsync-list-cache 3 0\n" + lines.dropFirst().joined(separator: "\n") + "\n",
            ([lines[0], lines[2], lines[1], lines[3]]).joined(separator: "\n") + "\n",
            lines[0] + "\n" + lines[1].split(separator: "\t").prefix(5).joined(separator: "\t") + "\n",
        ]
        for text in broken {
            try Data(text.utf8).write(to: cache)
            let listed = try await bench.run(["tickets", "list"])
            #expect(listed.status == 0 && listed.stdout == expected, "\(text)")
        }
    }

    /// A trusted cache whose lines were changed and still read as lines (a
    /// flipped bit in an id, another assignee, another status) is rebuilt,
    /// never believed: every list answers as the files do.
    @Test(arguments: [
        ("T-", "T."), ("\tpending\t", "\tclosed\t"), ("\tnormal\t", "\turgent\t"), ("billing", "billinf"),
    ])
    func aCacheWhoseLinesWereChangedIsNotBelieved(from: String, to: String) async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<6))
        #expect(try await bench.pull().status == 0)
        // Trusted two seconds after the files last changed: the second list writes the entries it trusts.
        try await Task.sleep(for: .milliseconds(2_100))
        let queries = [
            ["tickets", "list"], ["tickets", "list", "--status", "pending"], ["tickets", "list", "--format", "json"],
        ]
        var expected: [String] = []
        for query in queries { expected.append(try await bench.run(query).stdout) }
        let cache = bench.root.appendingPathComponent(".git/supportsync/list-cache")
        let text = try String(contentsOf: cache, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.indices.dropFirst().first { lines[$0].contains(from) }, "\(text)")
        lines[index] = lines[index].replacingOccurrences(of: from, with: to)
        try Data(lines.joined(separator: "\n").utf8).write(to: cache)
        for (query, answer) in zip(queries, expected) {
            let listed = try await bench.run(query)
            #expect(listed.status == 0 && listed.stdout == answer, "\(query): \(listed.stdout)")
        }
    }

    /// The time a cache was written (which says how recent a file may be
    /// and still be answered from it) is checked with its lines: one
    /// changed in place makes the cache be rebuilt.
    @Test func aCacheWhoseTimeWasChangedIsRebuilt() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<4))
        #expect(try await bench.pull().status == 0)
        try await Task.sleep(for: .milliseconds(2_100))
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        let cache = bench.root.appendingPathComponent(".git/supportsync/list-cache")
        let text = try String(contentsOf: cache, encoding: .utf8)
        // The time's first digit after the header, one more: a later time.
        let header = "supportsync-list-cache 4 "
        #expect(text.hasPrefix(header), "\(text.prefix(80))")
        let digit = text[text.index(text.startIndex, offsetBy: header.count)]
        let later =
            header + String(digit == "9" ? "1" : String(Int(String(digit))! + 1))
            + text.dropFirst(header.count + 1)
        try Data(later.utf8).write(to: cache)
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        #expect(try String(contentsOf: cache, encoding: .utf8) != later, "the damaged cache was believed")
    }

    /// A pull onto another branch keys its files by blob id, in a cache of
    /// its own: it leaves the working tree's cache as it was, and a branch
    /// with no commit yet writes no cache at all.
    @Test func aPullOntoAnotherBranchLeavesTheWorkingTreeCacheAlone() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<4))
        #expect(try await bench.pull().status == 0)
        let folder = bench.root.appendingPathComponent(".git/supportsync")
        let workingTree = folder.appendingPathComponent("list-cache")
        let blobs = folder.appendingPathComponent("list-cache-blobs")
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        let written = try Data(contentsOf: workingTree)
        #expect(String(decoding: written, as: UTF8.self).split(separator: "\n").count == 4)

        let first = try await bench.pull(["--ref", "refs/heads/side"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: blobs.path), "a branch with no commit has nothing to cache")
        try bench.platform.put(SampleTickets.make(4..<5))
        let second = try await bench.pull(["--ref", "refs/heads/side"])
        #expect(second.status == 0, "\(second.stderr)")
        let keyedByBlob = try String(contentsOf: blobs, encoding: .utf8).split(separator: "\n")
        #expect(keyedByBlob.count == 4, "the side branch's three tickets, by blob id")
        #expect(try Data(contentsOf: workingTree) == written)
    }
}
