import Foundation
import Git
import SupportSyncGit
import TestSupport
import Testing

/// Atomic pulls and concurrent writers (issue 4's guarantees): a pull killed
/// at any point, and two pulls at once, on a real repository, with `git`
/// as the witness.
@Suite struct TicketCrashTests {
    /// Every ticket is in the branch exactly once, in the working tree too,
    /// history is linear and `git` finds nothing wrong.
    private func expectComplete(_ bench: TicketBench, count: Int, _ context: String) async throws {
        let paths = try await bench.ticketPaths()
        #expect(paths.count == count, "\(context): \(paths.count) ticket files for \(count) tickets")
        let ids = paths.map { ($0 as NSString).lastPathComponent }
        #expect(Set(ids).count == ids.count, "\(context): no ticket id appears twice")
        let merges = try await bench.gitOutput(["rev-list", "--min-parents=2", "main"])
        #expect(merges.isEmpty, "\(context): linear history")
        let status = try await bench.status()
        #expect(status == "", "\(context): working tree and index match the branch: \(status.prefix(600))")
        let onDisk =
            FileManager.default.enumerator(atPath: bench.root.appendingPathComponent("tickets").path)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") } ?? []
        #expect(onDisk.count == count, "\(context): \(onDisk.count) files in the working tree")
        try await bench.expectFsckClean()
    }

    /// Each commit from `old` (exclusive) to `new` holds as many tickets as
    /// its own cursor has passed: the tickets and the cursor moved together.
    private func expectCursorMatchesTickets(_ bench: TicketBench, from old: String?, to new: String, _ context: String)
        async throws
    {
        guard let old else { return }
        for commit in try await bench.gitOutput(["rev-list", "\(old)..\(new)"]).split(separator: "\n").map(String.init)
        {
            let trailer = try await bench.gitOutput([
                "log", "-1", "--format=%(trailers:key=Supportsync-Cursor,valueonly)", commit,
            ]).withoutSurroundingSpace
            guard let position = trailer.split(separator: " ").last.flatMap({ Int($0) }) else {
                Issue.record("\(context): commit \(commit) has no cursor trailer: \(trailer)")
                continue
            }
            #expect(
                try await bench.ticketPaths(at: commit).count == position,
                "\(context): commit \(commit) at cursor \(position)")
            #expect(try await bench.show(TicketStore.cursorPath, at: commit).contains("\"\(position)\""))
        }
    }

    /// The first commit, made before any pull.
    private func root(_ bench: TicketBench) async throws -> String {
        try await bench.gitOutput(["rev-list", "--max-parents=0", "main"]).withoutSurroundingSpace
    }

    @Test func aPullKilledAtAnyPointLeavesTheOldCommitOrANewOneAndTheNextPullFinishes() async throws {
        let bench = try TicketBench()
        var count = 3_000
        try bench.platform.put(SampleTickets.make(0..<count))
        let delays = (0..<6).map { _ in Double.random(in: 0.02...0.8) }
        var lockFilesLeft: [String] = []
        for (attempt, delay) in delays.enumerated() {
            let context = "kill \(attempt) after \(delay) s (delays \(delays))"
            // More flagged meanwhile, so every pull has batches left to cut short.
            try bench.platform.put(SampleTickets.make(count..<(count + 1_000)))
            count += 1_000
            let before = try await bench.tip()
            let (database, root, environment) = (bench.database, bench.root, bench.environment)
            try await TicketBench.offload {
                let process = Process()
                process.executableURL = Executable.url
                process.arguments = ["tickets", "pull", "--db", database, "--batch", "500"]
                process.currentDirectoryURL = root
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                try process.run()
                Thread.sleep(forTimeInterval: delay)
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }

            let after = try #require(try await bench.tip(), "\(context): the branch exists")
            if after != before, let before {
                let ancestor = try await bench.git(["merge-base", "--is-ancestor", before, after])
                #expect(ancestor.status == 0, "\(context): the branch only moved forward")
            }
            try await bench.expectFsckClean()
            try await expectCursorMatchesTickets(bench, from: before, to: after, context)
            // A kill inside git's own lock window (microseconds) leaves its
            // lock file, which git asks a person to delete: do that, as git's
            // message says, and note it.
            for lock in [".git/index.lock", ".git/refs/heads/main.lock", ".git/refs/supportsync/platform.lock"] {
                let url = bench.root.appendingPathComponent(lock)
                if FileManager.default.fileExists(atPath: url.path) {
                    lockFilesLeft.append(lock)
                    try FileManager.default.removeItem(at: url)
                }
            }
        }
        let finish = try await bench.pull(["--batch", "500"])
        #expect(finish.status == 0, "the next pull completes: \(finish.stdout)\(finish.stderr)")
        try await expectComplete(bench, count: count, "after kills at \(delays), git locks left: \(lockFilesLeft)")
        // Nothing a killed pull wrote ahead (staged files) or half wrote is left.
        let leftovers = try FileManager.default.subpathsOfDirectory(
            atPath: bench.root.appendingPathComponent("tickets").path
        ).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left after kills at \(delays): \(leftovers.prefix(5))")
        try await expectCursorMatchesTickets(
            bench, from: try await root(bench), to: try #require(try await bench.tip()), "whole history")
        #expect(try await bench.pull().stdout.contains("nothing new"))
    }

    /// What a command killed after moving the branch, before writing the
    /// working tree, leaves: the branch at its commit, that commit's files
    /// missing on disk, and its note. The next ticket command finishes the
    /// job before anything else: `tickets list` and `show` (no command holds
    /// the lock), `tickets set` as it takes the lock. None reads the stale
    /// tree, and `set --commit` did not drop the note with the files unwritten.
    @Test(arguments: [["list"], ["show"], ["set", "--priority", "low", "--commit"]])
    func aCheckoutCutShortIsFinishedByTheNextTicketCommand(command: [String]) async throws {
        let bench = try TicketBench()
        let first = SampleTickets.make(0..<5)
        try bench.platform.put(first)
        #expect(try await bench.pull().status == 0)
        let second = SampleTickets.make(5..<12)
        try bench.platform.put(second)
        #expect(try await bench.pull().status == 0)
        let tip = try #require(try await bench.tip())
        for ticket in second {
            try FileManager.default.removeItem(at: bench.root.appendingPathComponent(SampleTickets.path(ticket)))
        }
        try Data("\(tip)\n".utf8).write(to: bench.root.appendingPathComponent(".git/supportsync/checkout"))
        #expect(try await bench.status() != "", "the state a kill leaves: the tree behind the branch")
        // A pull onto a branch that is not checked out leaves the job, and its note, alone.
        #expect(try await bench.pull(["--ref", "refs/heads/side"]).status == 0)
        #expect(
            FileManager.default.fileExists(atPath: bench.root.appendingPathComponent(".git/supportsync/checkout").path))

        // While another command holds the lock, it may be writing the tree
        // itself: a list leaves the job to it, and says the tree may be behind.
        if command == ["list"] {
            let held = try RepositoryLock.acquire(try Repository.open(at: bench.root.path))
            let listed = try await bench.run(["tickets", "list"])
            held.release()
            #expect(listed.status == 0 && !listed.stdout.contains(second[0].id), "\(listed.stdout)")
            #expect(listed.stderr.contains("warning: a ticket command is writing the working tree"), "\(listed.stderr)")
        }

        // A ticket the cut-short commit brought: its file is not on disk yet.
        let id = second[0].id
        let arguments = ["tickets", command[0]] + (command[0] == "list" ? [] : [id]) + command.dropFirst()
        let result = try await bench.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stdout)\(result.stderr)")
        if command == ["list"] {
            for ticket in first + second {
                #expect(result.stdout.contains(ticket.id), "\(ticket.id): \(result.stdout)")
            }
        }
        if command == ["show"] { #expect(result.stdout.contains(id), "\(result.stdout)") }
        #expect(!result.stderr.contains("warning"), "\(result.stderr)")
        #expect(try await bench.status() == "", "the working tree is the branch's again")
        let listed = try await bench.run(["tickets", "list"])
        #expect(
            first.allSatisfy { listed.stdout.contains($0.id) } && second.allSatisfy { listed.stdout.contains($0.id) })
        #expect(
            !FileManager.default.fileExists(atPath: bench.root.appendingPathComponent(".git/supportsync/checkout").path)
        )
        if command[0] == "set" {
            #expect(try await bench.gitOutput(["rev-list", "--count", "\(tip)..main"]).withoutSurroundingSpace == "1")
            #expect(try await bench.ticketPaths().count == first.count + second.count)
        }
    }

    /// A ticket file written and not committed (`tickets set`) goes through
    /// a temporary file of the checkout's kind, noted while it exists: what a
    /// command killed mid-write leaves is deleted by the next one, so no
    /// stray file waits under tickets/ to be committed and fail `audit`.
    @Test func aTicketFileWriteCutShortLeavesNothingUnderTickets() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(0..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let path = SampleTickets.path(tickets[0])
        let folder = (path as NSString).deletingLastPathComponent
        let leftover = bench.root.appendingPathComponent(
            folder + "/." + (path as NSString).lastPathComponent + ".0123456789abcdef.tmp")
        try Data("priority: lo".utf8).write(to: leftover)

        // The next write of the same file deletes it.
        let set = try await bench.run(["tickets", "set", tickets[0].id, "--priority", "low"])
        #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(try await bench.status() == " M \(path)\n")
        let note = bench.root.appendingPathComponent(".git/supportsync/staged")
        #expect(!FileManager.default.fileExists(atPath: note.path), "the note goes once the file is in place")

        // Killed between writing the temporary file and renaming it: the note
        // names the folder, and the next ticket command deletes the file.
        try Data("priority: lo".utf8).write(to: leftover)
        try Data("\(folder)\n".utf8).write(to: note)
        let listed = try await bench.run(["tickets", "list"])
        #expect(listed.status == 0, "\(listed.stdout)\(listed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(!FileManager.default.fileExists(atPath: note.path))
        #expect(try await bench.status() == " M \(path)\n")
    }

    @Test func twoPullsAtOnceWriteEveryTicketExactlyOnce() async throws {
        let bench = try TicketBench()
        // Small enough that the second waits for the lock well within its 30 s on a busy machine.
        let count = 1_200
        try bench.platform.put(SampleTickets.make(0..<count))
        // Both processes start at once; each waits on a thread of its own.
        async let first = bench.pull(["--batch", "150", "--format", "json"])
        async let second = bench.pull(["--batch", "150", "--format", "json"])
        var pulled: [String] = []
        for result in try await [first, second] {
            #expect(result.status == 0, "\(result.stderr)")
            let report = try ticketJSON(result.stdout)
            pulled += (report["new"] as? [String] ?? []) + (report["updated"] as? [String] ?? [])
        }
        #expect(pulled.count == count, "the two pulls between them wrote each ticket once")
        #expect(Set(pulled).count == count)
        try await expectComplete(bench, count: count, "two pulls at once")
        try await expectCursorMatchesTickets(
            bench, from: try await root(bench), to: try #require(try await bench.tip()), "two pulls at once")
    }
}
