import Foundation
import Git
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// `supportsync tickets push` against `supportsync platform serve`: the
/// team's edits, committed in git, reach the platform; the merge is field by
/// field against the platform base.
@Suite struct TicketPushTests {
    /// A repository with three pulled tickets, and the platform served over HTTP.
    private func setUp() async throws -> (TicketBench, TicketServer, [Ticket]) {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<4)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let database = bench.database
        return (bench, try await TicketBench.offload { try TicketServer(database: database) }, tickets)
    }

    private func push(_ bench: TicketBench, _ server: TicketServer) async throws -> Executable.Result {
        try await bench.run(["tickets", "push", "--platform", server.url], environment: server.environment)
    }

    private func pull(_ bench: TicketBench, _ server: TicketServer) async throws -> Executable.Result {
        try await bench.run(["tickets", "pull", "--platform", server.url], environment: server.environment)
    }

    /// The team's edit of `path`, committed and pushed; then the branch put
    /// back at the commit before it, with its file as there: a clone that
    /// fetched the base but not the branch. The commit before, and the edit's.
    private func pushedThenBehind(
        _ bench: TicketBench, _ server: TicketServer, _ path: String, _ replacements: [(String, String)]
    ) async throws -> (pulled: ObjectID, worked: ObjectID) {
        let repository = try bench.repository()
        let pulled = try #require(try repository.resolve(reference: "refs/heads/main"))
        let worked = try bench.editTicket(path, replacements)
        #expect(try await push(bench, server).stdout.contains("1 pushed"))
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: worked, new: pulled, message: "behind")
        ])
        try repository.checkoutPaths([path], from: pulled)
        return (pulled, worked)
    }

    /// main replaced by a commit of no history (squashed to a new root)
    /// holding the files of `files`; the branch was at `tip`.
    private func replaceHistory(_ repository: Repository, holding files: ObjectID, tip: ObjectID) throws -> ObjectID {
        var updates: [(path: String, blob: ObjectID?)] = []
        for file in try repository.files(under: "", in: files) { updates.append((file.path, file.blob)) }
        let orphan = try repository.createCommit(
            parent: nil, treeUpdates: updates, message: "history replaced\n",
            author: Signature(name: "Ana", email: "ana@example.com")
        ).commit
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: tip, new: orphan, message: "replaced")
        ])
        return orphan
    }

    /// `tickets resolve ID --keep git`, which must succeed; what the base
    /// commit it wrote says it agrees with (its `Supportsync-Branch`).
    private func resolvedKeepingGit(_ bench: TicketBench, _ server: TicketServer, _ id: String) async throws
        -> String?
    {
        let resolved = try await bench.run(
            ["tickets", "resolve", id, "--keep", "git", "--platform", server.url], environment: server.environment)
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        let repository = try bench.repository()
        let base = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        return try repository.commit(base).trailer("Supportsync-Branch")
    }

    /// A change made on the platform itself, through its API.
    private func platformPatch(_ bench: TicketBench, _ id: String, _ patch: TicketPatch) async throws {
        _ = try await bench.platform.local().patchTicket(id: id, patch, expecting: nil)
    }

    /// A commit straight to the branch (audit never saw it) that resolves a
    /// ticket without a resolution is stopped by push itself, located, and
    /// never sent; the other tickets' edits still go.
    @Test func aTicketResolvedWithoutAResolutionIsNotPushed() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        _ = try bench.editTicket(path, [("status: pending", "status: resolved")])
        _ = try bench.editTicket(SampleTickets.path(tickets[1]), [("assignee: null", "assignee: luis")])
        let result = try await push(bench, server)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(path):") && result.stdout.contains("[ticket-resolution]"), "\(result.stdout)")
        #expect(!result.stdout.contains("failed \(tickets[0].id)"), "stopped before the platform: \(result.stdout)")
        #expect(try bench.platform.ticket(tickets[0].id)?.status == .pending)
        #expect(try bench.platform.ticket(tickets[1].id)?.assignee == "luis")
    }

    /// A ticket-like file nothing reads (`.yml`, `.YAML`, a folder too
    /// deep, another case of tickets/) is named by push, located, and never sent; the tickets' edits
    /// still go, and the push exits 1.
    @Test func aFileAtNoTicketsPathIsReportedNotSkippedOrSent() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        let text = try #require(bench.readFile(path))
        let folder = String(path[..<path.lastIndex(of: "/")!])
        let misplaced = [
            folder + "/T-COPY1.yml", folder + "/T-COPY2.YAML", folder + "/sub/T-COPY3.yaml",
            "Tickets" + folder.dropFirst("tickets".count) + "/T-COPY4.yaml",
        ]
        for file in misplaced { try bench.writeFile(file, text) }
        try bench.commitWorkingFiles(misplaced, message: "Copies")
        _ = try bench.editTicket(SampleTickets.path(tickets[1]), [("assignee: null", "assignee: luis")])
        let result = try await push(bench, server)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        for file in misplaced {
            #expect(
                result.stdout.contains("\(file):1:1") && result.stdout.contains("[ticket-path]"), "\(result.stdout)")
        }
        #expect(
            !result.stdout.contains("pushed \(tickets[0].id)") && !result.stdout.contains("failed \(tickets[0].id)"),
            "nothing of them was sent: \(result.stdout)")
        #expect(try bench.platform.ticket(tickets[1].id)?.assignee == "luis")
    }

    /// A platform that cannot be reached fails the first ticket; the others
    /// are not sent (each would wait out the same retries, for hours over a
    /// few hundred tickets) and said so, once, with their ids.
    @Test func aPlatformThatCannotBeReachedStopsThePushAtTheFirstTicket() async throws {
        let (bench, server, tickets) = try await setUp()
        for ticket in tickets {
            try bench.editTicket(SampleTickets.path(ticket), [("assignee: null", "assignee: luis")])
        }
        server.stop()
        let ids = tickets.map(\.id).sorted()
        for format in ["text", "json"] {
            let result = try await bench.run(
                ["tickets", "push", "--platform", server.url, "--format", format],
                environment: server.environment.merging(["SUPPORTSYNC_RETRY_BUDGET": "0"]) { $1 })
            #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
            if format == "text" {
                let lines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("failed ") }
                #expect(lines.count == 2, "\(result.stdout)")
                #expect(lines.first?.hasPrefix("failed \(ids[0]): ") == true, "\(result.stdout)")
                #expect(
                    lines.last
                        == "failed \(ids[1]), \(ids[2]): not sent: the push stopped at \(ids[0]), as the platform cannot take changes now",
                    "\(result.stdout)")
                #expect(result.stdout.contains("0 pushed, 0 conflicts, 3 failed"), "\(result.stdout)")
            } else {
                let document = try #require(
                    try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                let failed = try #require(document["failed"] as? [[String: String]], "\(result.stdout)")
                #expect(failed.compactMap { $0["id"] } == ids)
            }
        }
        #expect(try bench.platform.ticket(ids[1])?.assignee == nil)
    }

    /// The ticket the push stops at still has its conflicts said: a token
    /// that may read but not write finds the conflict, then is refused.
    @Test func theTicketAPushStopsAtKeepsItsConflicts() async throws {
        // Sealed, so the read token may read the ticket.
        let bench = try TicketBench(sealed: true)
        let tickets = SampleTickets.make(1..<2)
        try bench.platform.put(tickets)
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        #expect(try await pull(bench, server).status == 0)
        let id = tickets[0].id
        try bench.editTicket(
            SampleTickets.path(tickets[0]),
            [("priority: normal", "priority: high"), ("assignee: null", "assignee: luis")])
        try await platformPatch(bench, id, TicketPatch(priority: .low))
        let result = try await bench.run(
            ["tickets", "push", "--platform", server.url], environment: server.environment("read"))
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("conflict \(id): "), "\(result.stdout)")
        #expect(result.stdout.contains("0 pushed, 1 conflict, 1 failed"), "\(result.stdout)")
        #expect(try bench.platform.ticket(id)?.assignee == nil)
    }

    @Test func teamEditsReachThePlatformOnceAndAreNotSentAgain() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        try bench.editTicket(
            path, [("status: pending", "status: in_progress"), ("assignee: null", "assignee: ana@example.com")])
        let untouched = try #require(try bench.platform.ticket(tickets[1].id))

        let pushed = try await push(bench, server)
        #expect(pushed.status == 0, "\(pushed.stdout)\(pushed.stderr)")
        #expect(
            pushed.stdout.contains("pushed \(tickets[0].id)") && pushed.stdout.contains("1 pushed, 0 conflicts"),
            "\(pushed.stdout)")
        let live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.status == .inProgress && live.assignee == "ana@example.com")
        #expect(live.summary == tickets[0].summary, "platform-owned fields untouched")
        #expect(try bench.platform.ticket(tickets[1].id) == untouched, "tickets without team edits are not written")

        let again = try await push(bench, server)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("0 pushed"), "\(again.stdout)")
        #expect(try bench.platform.ticket(tickets[0].id)?.version == live.version, "nothing was resent")

        // The push's own change, read back by a pull, is no change in git.
        let tip = try await bench.tip()
        let pulled = try await pull(bench, server)
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        #expect(try await bench.tip() == tip, "\(pulled.stdout)")
        #expect(try await push(bench, server).stdout.contains("0 pushed"))
        #expect(try await bench.status() == "")
    }

    @Test func aChangeMadeOnBothSidesDifferentlyIsAConflictUntilResolved() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let id = tickets[1].id
        let path = SampleTickets.path(tickets[1])
        try bench.editTicket(path, [("assignee: null", "assignee: ana@example.com")])
        try await platformPatch(bench, id, TicketPatch(assignee: .set("bob@example.com")))

        for attempt in 1...2 {
            let pushed = try await push(bench, server)
            #expect(pushed.status == 1, "push \(attempt): \(pushed.stdout)\(pushed.stderr)")
            #expect(pushed.stdout.contains("conflict \(id): assignee"), "push \(attempt): \(pushed.stdout)")
            #expect(pushed.stdout.contains("ana@example.com") && pushed.stdout.contains("bob@example.com"))
            #expect(
                try bench.platform.ticket(id)?.assignee == "bob@example.com", "the platform's value is not overwritten")
            #expect(bench.readFile(path)?.contains("assignee: ana@example.com\n") == true, "git's value is kept")
        }
        // A pull sees the same conflict and keeps git's value too.
        let pulled = try await pull(bench, server)
        #expect(pulled.status == 1, "\(pulled.stdout)\(pulled.stderr)")
        #expect(pulled.stdout.contains("conflict \(id): assignee"), "\(pulled.stdout)")
        // The summary counts it (the exit status is for it), not "nothing new".
        #expect(pulled.stdout.contains(", 1 ticket in conflict in "), "\(pulled.stdout)")
        #expect(!pulled.stdout.contains("(nothing new)"), "\(pulled.stdout)")
        #expect(try await bench.show(path).contains("assignee: ana@example.com\n"))

        // Resolved in git by taking the platform's value: nothing to report,
        // and a later platform change comes in as an ordinary update.
        try bench.editTicket(path, [("assignee: ana@example.com", "assignee: bob@example.com")])
        let resolved = try await push(bench, server)
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        #expect(!resolved.stdout.contains("conflict \(id)"), "\(resolved.stdout)")
        try await platformPatch(bench, id, TicketPatch(assignee: .set("carl@example.com")))
        let later = try await pull(bench, server)
        #expect(later.status == 0, "\(later.stdout)\(later.stderr)")
        #expect(!later.stdout.contains("conflict \(id)"), "\(later.stdout)")
        #expect(try await bench.show(path).contains("assignee: carl@example.com\n"))
        #expect(try await bench.status() == "")
    }

    /// A clone that fetched branches only has no platform base: a field git
    /// and the platform hold differently is a conflict on every push, never
    /// a base taken from the platform that the next push would overwrite.
    @Test func withoutAPlatformBaseAConflictStaysAConflict() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let id = tickets[0].id
        let path = SampleTickets.path(tickets[0])
        try await platformPatch(bench, id, TicketPatch(status: .resolved, resolution: .set("Refunded")))
        // What a clone that fetched only branches has (the ref is loose, as libgit2 wrote it).
        try FileManager.default.removeItem(at: bench.root.appendingPathComponent(".git/refs/supportsync/platform"))
        try bench.editTicket(path, [("status: pending", "status: in_progress")])
        for attempt in 1...3 {
            let pushed = try await push(bench, server)
            #expect(pushed.status == 1, "push \(attempt): \(pushed.stdout)\(pushed.stderr)")
            #expect(
                pushed.stdout.contains("conflict \(id): status: was (no base)"), "push \(attempt): \(pushed.stdout)")
            #expect(pushed.stderr.contains("no platform base (refs/supportsync/platform)"), "\(pushed.stderr)")
            let kept = try #require(try bench.platform.ticket(id))
            #expect(kept.status == .resolved && kept.resolution == "Refunded", "push \(attempt) overwrote the platform")
        }
    }

    @Test func aConflictResolvedOnThePlatformSideIsNotReportedAgain() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let id = tickets[2].id
        let path = SampleTickets.path(tickets[2])
        try bench.editTicket(path, [("priority: normal", "priority: high")])
        try await platformPatch(bench, id, TicketPatch(priority: .low))
        #expect(try await push(bench, server).status == 1)

        // Someone makes the platform agree with git: the conflict is gone.
        try await platformPatch(bench, id, TicketPatch(priority: .high))
        let pushed = try await push(bench, server)
        #expect(pushed.status == 0 && !pushed.stdout.contains("conflict \(id)"), "\(pushed.stdout)")
        #expect(try await push(bench, server).stdout.contains("0 pushed, 0 conflicts"))

        // A later change on the platform alone is the platform's to make.
        try await platformPatch(bench, id, TicketPatch(priority: .urgent))
        let pulled = try await pull(bench, server)
        #expect(pulled.status == 0 && !pulled.stdout.contains("conflict \(id)"), "\(pulled.stdout)")
        #expect(try await bench.show(path).contains("priority: urgent\n"))
        #expect(try bench.platform.ticket(id)?.priority == .urgent)
    }

    /// A branch behind the base (a clone that fetched the base but did not
    /// merge the branch, a branch forked before the last push) holds older
    /// values, not the team's changes: judged from what it last agreed
    /// with, a push sends none of them (only what the team changed), and a
    /// pull brings the newer ones, after which the base agrees with it again.
    @Test func aBranchBehindTheBaseRevertsNothingAndCatchesUp() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let (path, other) = (SampleTickets.path(tickets[0]), SampleTickets.path(tickets[1]))
        let repository = try bench.repository()
        _ = try await pushedThenBehind(
            bench, server, path,
            [("status: pending", "status: in_progress"), ("assignee: null", "assignee: bob@example.com")])
        #expect(try await bench.status() == "")
        let behind = try await push(bench, server)
        #expect(behind.status == 0 && behind.stdout.contains("0 pushed"), "\(behind.stdout)\(behind.stderr)")
        var live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.status == .inProgress && live.assignee == "bob@example.com", "nothing was reverted")

        // What the team changes there is sent, and only that.
        try bench.editTicket(other, [("priority: normal", "priority: high")])
        let changed = try await push(bench, server)
        #expect(
            changed.stdout.contains("pushed \(tickets[1].id)") && changed.stdout.contains("1 pushed"),
            "\(changed.stdout)")
        #expect(try bench.platform.ticket(tickets[1].id)?.priority == .high)
        live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.status == .inProgress && live.assignee == "bob@example.com", "nothing was reverted")

        // A pull brings the newer values, with no conflict.
        let caughtUp = try await pull(bench, server)
        #expect(
            caughtUp.status == 0 && caughtUp.stdout.contains("1 updated") && !caughtUp.stdout.contains("conflict"),
            "\(caughtUp.stdout)\(caughtUp.stderr)")
        let file = try #require(bench.readFile(path))
        #expect(file.contains("status: in_progress\n") && file.contains("assignee: bob@example.com\n"), "\(file)")
        #expect(bench.readFile(other)?.contains("priority: high\n") == true)
        // Holding the base's values again, the branch is named by the base again.
        let base = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
        #expect(try repository.commit(base).trailer("Supportsync-Branch") == tip.hex)
        #expect(try await push(bench, server).stdout.contains("0 pushed"))
        try await bench.expectFsckClean()
    }

    /// Behind the base, a field the branch changed otherwise than the base
    /// since is a conflict, and stays one: a later pull does not make the
    /// base name the branch again while it is open (the branch's side would
    /// then be sent as a plain change), and `resolve` judges it as push does.
    @Test func aConflictOfABranchBehindTheBaseStaysOneUntilResolved() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        let repository = try bench.repository()
        _ = try await pushedThenBehind(
            bench, server, path,
            [("status: pending", "status: in_progress"), ("assignee: null", "assignee: bob@example.com")])
        // Behind, the assignee set otherwise, and the priority (which nobody else changed).
        try bench.editTicket(
            path, [("assignee: null", "assignee: carol@example.com"), ("priority: normal", "priority: high")])
        let first = try await push(bench, server)
        #expect(first.status == 1 && first.stdout.contains("conflict"), "\(first.stdout)\(first.stderr)")
        var live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.assignee == "bob@example.com" && live.priority == .high, "only the priority went: \(live)")

        // A pull brings the status, keeps the conflict, and the base goes on naming the commit it agreed with.
        try await platformPatch(bench, tickets[1].id, TicketPatch(priority: .low))
        #expect(try await pull(bench, server).status == 1)
        let base = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        #expect(
            try repository.commit(base).trailer("Supportsync-Branch") == "none (written by a branch behind the base)")
        let again = try await push(bench, server)
        #expect(again.stdout.contains("conflict") && again.stdout.contains("0 pushed"), "\(again.stdout)")
        live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.assignee == "bob@example.com", "\(live)")

        // Resolved for the platform's value: the branch holds the base's values, and is named again.
        let resolved = try await bench.run(
            ["tickets", "resolve", tickets[0].id, "--keep", "platform", "--commit", "--platform", server.url],
            environment: server.environment)
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        #expect(bench.readFile(path)?.contains("assignee: bob@example.com\n") == true)
        let named = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
        #expect(try repository.commit(named).trailer("Supportsync-Branch") == tip.hex)
        #expect(try await push(bench, server).stdout.contains("0 pushed"))
        try await bench.expectFsckClean()
    }

    /// A branch many base commits behind (six pushes of others since) is
    /// judged from the one it holds, found in one walk of its history: it
    /// sends none of its older values, and its own change goes.
    @Test func aBranchManyPushesBehindTheBaseRevertsNothing() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let repository = try bench.repository()
        let start = try #require(try repository.resolve(reference: "refs/heads/main"))
        let assignees = ["ann", "bob", "cat", "dan", "eve", "fay"]
        var previous = "assignee: null"
        var last = start
        for name in assignees {
            last = try bench.editTicket(SampleTickets.path(tickets[0]), [(previous, "assignee: \(name)@example.com")])
            previous = "assignee: \(name)@example.com"
            #expect(try await push(bench, server).stdout.contains("1 pushed"))
        }
        // Back at the commit before all six, with a change of its own to another ticket.
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: last, new: start, message: "behind")
        ])
        try repository.checkoutPaths([SampleTickets.path(tickets[0])], from: start)
        try bench.editTicket(SampleTickets.path(tickets[1]), [("priority: normal", "priority: urgent")])
        let pushed = try await push(bench, server)
        #expect(pushed.status == 0 && pushed.stdout.contains("1 pushed"), "\(pushed.stdout)\(pushed.stderr)")
        #expect(try bench.platform.ticket(tickets[0].id)?.assignee == "fay@example.com", "nothing reverted")
        #expect(try bench.platform.ticket(tickets[1].id)?.priority == .urgent)
    }

    /// `resolve --keep git` sends git's value from the branch's tip, and the
    /// base it writes names that tip: a branch still at the commit before
    /// (another branch, another clone) holds the older value, which is no
    /// change of its own, and sends nothing back over the resolved one.
    @Test func resolveKeepingGitNamesTheBranchThatSentIt() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let repository = try bench.repository()
        let path = SampleTickets.path(tickets[0])
        let before = try #require(try repository.resolve(reference: "refs/heads/main"))
        try await platformPatch(bench, tickets[0].id, TicketPatch(assignee: .set("plat@example.com")))
        let edited = try bench.editTicket(path, [("assignee: null", "assignee: bob@example.com")])
        #expect(try await push(bench, server).stdout.contains("conflict"))
        #expect(try await resolvedKeepingGit(bench, server, tickets[0].id) == edited.hex)
        // The branch at the commit before the edit: nothing of its own to send.
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: edited, new: before, message: "back")
        ])
        try repository.checkoutPaths([path], from: before)
        let pushed = try await push(bench, server)
        #expect(pushed.stdout.contains("0 pushed"), "\(pushed.stdout)\(pushed.stderr)")
        #expect(try bench.platform.ticket(tickets[0].id)?.assignee == "bob@example.com", "nothing reverted")
    }

    /// A branch whose history was replaced settles its conflict for git's
    /// value: the base names it again, and its next change is sent.
    @Test func aReplacedHistoryResolvedForGitIsNamedAgain() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let repository = try bench.repository()
        let pulled = try #require(try repository.resolve(reference: "refs/heads/main"))
        _ = try replaceHistory(repository, holding: pulled, tip: pulled)
        let edited = try bench.editTicket(
            SampleTickets.path(tickets[0]), [("assignee: null", "assignee: carol@example.com")])
        #expect(try await push(bench, server).stdout.contains("conflict"))
        #expect(try await resolvedKeepingGit(bench, server, tickets[0].id) == edited.hex)
        try bench.editTicket(SampleTickets.path(tickets[1]), [("priority: normal", "priority: urgent")])
        let sent = try await push(bench, server)
        #expect(sent.status == 0 && sent.stdout.contains("1 pushed"), "\(sent.stdout)\(sent.stderr)")
        #expect(try bench.platform.ticket(tickets[1].id)?.priority == .urgent)
    }

    /// `resolve --keep git` behind the base sends the field in conflict,
    /// judged as push judges it, and never a value the branch is behind on.
    @Test func resolveBehindTheBaseSendsOnlyTheFieldInConflict() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        _ = try await pushedThenBehind(
            bench, server, path,
            [("priority: normal", "priority: low"), ("assignee: null", "assignee: ann@example.com")])
        try bench.editTicket(path, [("priority: normal", "priority: high")])
        let pushed = try await push(bench, server)
        #expect(pushed.stdout.contains("priority: was normal, git high, platform low"), "\(pushed.stdout)")
        let resolved = try await bench.run(
            ["tickets", "resolve", tickets[0].id, "--keep", "git", "--platform", server.url],
            environment: server.environment)
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        let live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.priority == .high && live.assignee == "ann@example.com", "\(live)")
    }

    /// A pull onto a branch behind the base writes the platform's newer
    /// values into the base: that base commit agrees with no branch commit,
    /// so a branch at the commit the base named before is still judged from
    /// there, and never sends its older values over the pulled ones.
    @Test func aPullOntoABranchBehindTheBaseNamesNoBranch() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let repository = try bench.repository()
        let pulled = try #require(try repository.resolve(reference: "refs/heads/main"))
        // A side branch with a change of its own, forked at the pull.
        let path = SampleTickets.path(tickets[0])
        let file = try #require(try repository.blob(at: path, in: pulled))
        let side = String(decoding: file, as: UTF8.self).replacingOccurrences(
            of: "priority: normal\n", with: "priority: high\n")
        let sideCommit = try repository.createCommit(
            parent: pulled, treeUpdates: [(path, try repository.writeBlob(Array(side.utf8)))],
            message: "side\n", author: Signature(name: "Ana", email: "ana@example.com")
        ).commit
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/side", expected: nil, new: sideCommit, message: "side")
        ])
        // main works a ticket and pushes; another clone changes another on the platform.
        try bench.editTicket(path, [("assignee: null", "assignee: ann@example.com")])
        #expect(try await push(bench, server).stdout.contains("1 pushed"))
        try await platformPatch(bench, tickets[2].id, TicketPatch(assignee: .set("zed@example.com")))
        // The side branch pulls: behind the base, it writes the new values into it.
        let sidePull = try await bench.run(
            ["tickets", "pull", "--ref", "side", "--platform", server.url], environment: server.environment)
        #expect(sidePull.status == 0, "\(sidePull.stdout)\(sidePull.stderr)")
        let base = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        #expect(
            try repository.commit(base).trailer("Supportsync-Branch") == "none (written by a branch behind the base)")
        // main still holds the older assignee of the other ticket: no change of the team's.
        let pushed = try await push(bench, server)
        #expect(pushed.status == 0 && pushed.stdout.contains("0 pushed"), "\(pushed.stdout)\(pushed.stderr)")
        #expect(try bench.platform.ticket(tickets[2].id)?.assignee == "zed@example.com")
        // And its pull brings the newer one.
        #expect(try await pull(bench, server).status == 0)
        #expect(bench.readFile(SampleTickets.path(tickets[2]))?.contains("assignee: zed@example.com\n") == true)
    }

    /// A branch that holds none of the commits the base names (its history
    /// replaced) is judged from no base: what it holds otherwise is a
    /// conflict, never sent, and a pull never makes the base name it while
    /// one is open. Once resolved, the base names the branch again, and the
    /// team's next change is sent.
    @Test func aBranchHoldingNoCommitTheBaseNamesSendsNothing() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        let repository = try bench.repository()
        let pulled = try #require(try repository.resolve(reference: "refs/heads/main"))
        let worked = try bench.editTicket(path, [("status: pending", "status: in_progress")])
        #expect(try await push(bench, server).stdout.contains("1 pushed"))
        // main replaced by a commit of no history, holding the files of the pull.
        let orphan = try replaceHistory(repository, holding: pulled, tip: worked)
        try repository.checkoutPaths([path], from: orphan)
        let pushed = try await push(bench, server)
        #expect(pushed.stdout.contains("0 pushed"), "\(pushed.stdout)")
        #expect(
            pushed.stderr.contains("refs/heads/main holds none of the commits the platform base"), "\(pushed.stderr)")
        #expect(try bench.platform.ticket(tickets[0].id)?.status == .inProgress)
        try bench.platform.put(SampleTickets.make(7..<8))
        _ = try await pull(bench, server)
        let base = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        #expect(
            try repository.commit(base).trailer("Supportsync-Branch") == "none (written by a branch behind the base)")
        #expect(try await push(bench, server).stdout.contains("0 pushed"))
        #expect(try bench.platform.ticket(tickets[0].id)?.status == .inProgress)

        // The conflict resolved: the base names the branch again, and a change of the team's goes.
        let resolved = try await bench.run(
            ["tickets", "resolve", tickets[0].id, "--keep", "platform", "--commit", "--platform", server.url],
            environment: server.environment)
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        let named = try #require(try repository.resolve(reference: "refs/supportsync/platform"))
        let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
        #expect(try repository.commit(named).trailer("Supportsync-Branch") == tip.hex)
        try bench.editTicket(SampleTickets.path(tickets[1]), [("priority: normal", "priority: high")])
        let sent = try await push(bench, server)
        #expect(sent.status == 0 && sent.stdout.contains("1 pushed"), "\(sent.stdout)\(sent.stderr)")
        #expect(try bench.platform.ticket(tickets[1].id)?.priority == .high)
    }

    /// The sync job's ticket commit replayed on a branch that moved (an
    /// older workflow rebased it): the commit the base names is gone, and the
    /// ticket holds the pulled value and a team edit merged beside it. The
    /// edit is sent; the pulled value is no change; nothing is refused.
    @Test func aReplayedPullCommitWithATeamEditBesideItIsJudgedRightly() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let path = SampleTickets.path(tickets[0])
        let repository = try bench.repository()
        let before = try #require(try repository.resolve(reference: "refs/heads/main"))
        // The platform raises the priority; the pull brings it.
        try await platformPatch(bench, tickets[0].id, TicketPatch(priority: .high))
        #expect(try await pull(bench, server).status == 0)
        let pulledCommit = try #require(try repository.resolve(reference: "refs/heads/main"))
        let pulledFile = try #require(try repository.blob(at: path, in: pulledCommit))
        // The replay: the pulled file with a teammate's assignee beside it, on the commit before the pull.
        let merged = String(decoding: pulledFile, as: UTF8.self).replacingOccurrences(
            of: "assignee: null\n", with: "assignee: bob@example.com\n")
        let cursor = try #require(try repository.blob(at: TicketStore.cursorPath, in: pulledCommit))
        let replayed = try repository.createCommit(
            parent: before,
            treeUpdates: [
                (path, try repository.writeBlob(Array(merged.utf8))),
                (TicketStore.cursorPath, try repository.writeBlob(cursor)),
            ],
            message: "tickets: replayed\n", author: Signature(name: "CI", email: "ci@example.com")
        ).commit
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: pulledCommit, new: replayed, message: "rebased")
        ])
        try repository.checkoutPaths([path, TicketStore.cursorPath], from: replayed)
        let pushed = try await push(bench, server)
        #expect(pushed.status == 0 && pushed.stdout.contains("1 pushed"), "\(pushed.stdout)\(pushed.stderr)")
        let live = try #require(try bench.platform.ticket(tickets[0].id))
        #expect(live.priority == .high && live.assignee == "bob@example.com", "\(live)")
    }

    @Test func aPlatformOnlyChangeArrivesWithThePullAndIsNotRevertedByAPush() async throws {
        let (bench, server, tickets) = try await setUp()
        defer { server.stop() }
        let id = tickets[2].id
        let path = SampleTickets.path(tickets[2])
        // The team raises the priority in git; meanwhile the platform moves
        // the status. Neither side touched the other's field.
        try bench.editTicket(path, [("priority: normal", "priority: high")])
        try await platformPatch(bench, id, TicketPatch(status: .inProgress))

        let pulled = try await pull(bench, server)
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        let text = try await bench.show(path)
        #expect(text.contains("status: in_progress\n") && text.contains("priority: high\n"), "\(text)")
        #expect(try await bench.status() == "")

        let pushed = try await push(bench, server)
        #expect(pushed.status == 0, "\(pushed.stdout)\(pushed.stderr)")
        let live = try #require(try bench.platform.ticket(id))
        #expect(live.status == .inProgress, "the platform's change is not reverted")
        #expect(live.priority == .high, "the team's change is sent")
        #expect(try await push(bench, server).stdout.contains("0 pushed"))
        let tip = try await bench.tip()
        #expect(try await pull(bench, server).status == 0)
        #expect(try await bench.tip() == tip, "the pushed change comes back as no change")
    }
}
