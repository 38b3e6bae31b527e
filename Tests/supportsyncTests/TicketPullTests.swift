import Foundation
import Git
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// `supportsync tickets pull` as a user runs it: the built executable, a
/// real repository, a real local platform file; `git` reads the result.
@Suite struct TicketPullTests {
    @Test func onePullIsOneCommitOfTheTicketsAndTheCursor() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<4)
        try bench.platform.put(tickets)
        let before = try #require(try await bench.tip())

        let result = try await bench.pull(["--author", "Rita Ops <rita@example.com>"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 new, 0 updated in 1 commit"), "\(result.stdout)")

        #expect(try await bench.commits().count == 2, "exactly one commit on top of the first")
        #expect(try await bench.gitOutput(["rev-parse", "main~1"]).hasPrefix(before))
        #expect(try await bench.gitOutput(["log", "-1", "--format=%s"]) == "tickets: 3 new, 0 updated\n")
        #expect(
            try await bench.gitOutput(["log", "-1", "--format=%an <%ae>|%cn <%ce>"])
                == "Rita Ops <rita@example.com>|Rita Ops <rita@example.com>\n")
        let body = try await bench.gitOutput(["log", "-1", "--format=%b"])
        for ticket in tickets { #expect(body.contains(ticket.id), "the body names \(ticket.id): \(body)") }
        let instance = try bench.platform.instance
        #expect(
            try await bench.gitOutput(["log", "-1", "--format=%(trailers:key=Supportsync-Cursor,valueonly)"])
                .withoutSurroundingSpace == "\(instance) 3")

        // Exactly the tickets and the cursor, in that one commit.
        let changed = try await bench.gitOutput(["show", "--format=", "--name-only", "main"]).split(separator: "\n")
            .map(String.init)
        #expect(changed.sorted() == (tickets.map(SampleTickets.path) + [TicketStore.cursorPath]).sorted())
        let cursor = try await bench.show(TicketStore.cursorPath)
        #expect(cursor.contains(instance) && cursor.contains("\"3\""), "\(cursor)")

        // The working tree and index followed, for exactly those files.
        for ticket in tickets {
            #expect(bench.readFile(SampleTickets.path(ticket)) == (try await bench.show(SampleTickets.path(ticket))))
        }
        #expect(try await bench.status() == "", "git status is clean after a pull")
        try await bench.expectFsckClean()

        // One new and one changed on the platform: the next commit says so.
        try bench.platform.change(tickets[1].id) { $0.summary = "Charged twice.\nRefund sent by bank transfer.\n" }
        let fourth = SampleTickets.make(4)
        try bench.platform.put([fourth])
        let second = try await bench.pull()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try await bench.gitOutput(["log", "-1", "--format=%s"]) == "tickets: 1 new, 1 updated\n")
        let secondBody = try await bench.gitOutput(["log", "-1", "--format=%b"])
        #expect(secondBody.contains("New: \(fourth.id)"), "\(secondBody)")
        #expect(secondBody.contains("Updated: \(tickets[1].id)"), "\(secondBody)")
        let secondChanged = try await bench.gitOutput(["show", "--format=", "--name-only", "main"]).split(
            separator: "\n"
        )
        .map(String.init)
        #expect(
            secondChanged.sorted()
                == [SampleTickets.path(tickets[1]), SampleTickets.path(fourth), TicketStore.cursorPath].sorted())
        #expect(bench.readFile(SampleTickets.path(tickets[1]))?.contains("Refund sent by bank transfer.") == true)
        #expect(try await bench.status() == "")
        try await bench.expectFsckClean()
    }

    @Test func aPullThatBringsNothingMakesNoCommit() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<6)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let tip = try await bench.tip()

        let again = try await bench.pull()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("nothing new"), "\(again.stdout)")
        #expect(try await bench.tip() == tip)

        // The platform touches every ticket without changing what a file
        // holds (a new version, a new sequence): still no commit.
        try bench.platform.put(
            tickets.map {
                var ticket = $0
                ticket.updatedAt = "2026-12-01T00:00:00Z"
                return ticket
            })
        let touched = try await bench.pull()
        #expect(touched.status == 0, "\(touched.stderr)")
        #expect(try await bench.tip() == tip, "a re-pull of unchanged tickets is a no-op")
        #expect(try await bench.status() == "")
    }

    /// SPEC section 4's example ticket, written exactly in its form.
    @Test func ticketFilesAreWrittenByteForByteInTheSpecForm() async throws {
        let bench = try TicketBench()
        let example = TicketSamples.ticket(version: "0")
        var tricky = SampleTickets.make(2)
        tricky.fields = ["order_id": "0123", "answer": "yes", "note": "null", "when": "2026-11-24"]
        tricky.customer = Customer(name: "Zoë", email: nil, phone: "0034600000000")
        try bench.platform.put([example, tricky])
        #expect(try await bench.pull().status == 0)

        let expected = TicketSamples.text
        #expect(try await bench.show("tickets/2026/11/T-8F3A2C91.yaml") == expected)
        #expect(bench.readFile("tickets/2026/11/T-8F3A2C91.yaml") == expected)

        // Strings that a YAML 1.1 or 1.2 reader would take for something
        // else are quoted; keys of `fields` are sorted; a missing detail is null.
        let text = try await bench.show(SampleTickets.path(tricky))
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in [
            "fields:", "  answer: \"yes\"", "  note: \"null\"", "  order_id: \"0123\"", "  when: \"2026-11-24\"",
            "  name: Zoë", "  email: null", "  phone: \"0034600000000\"",
        ] {
            #expect(lines.contains(line), "\(line) in\n\(text)")
        }
        #expect(text.range(of: "answer")!.lowerBound < text.range(of: "order_id")!.lowerBound)
        #expect(!text.contains("\\u"), "UTF-8 as is")
    }

    /// The same platform pulled into two repositories, one in-process and one
    /// over HTTP, gives the same blobs; a change is a one-line diff.
    @Test func theSameTicketsGiveTheSameBytesEverywhere() async throws {
        let local = try TicketBench()
        let tickets = SampleTickets.make(1..<40)
        try local.platform.put(tickets)
        #expect(try await local.pull().status == 0)

        let remote = try TicketBench()
        let database = local.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        let served = try await remote.run(
            ["tickets", "pull", "--platform", server.url], environment: server.environment)
        #expect(served.status == 0, "\(served.stderr)")
        let localTree = try await local.gitOutput(["ls-tree", "-r", "main", "--", "tickets/2026"])
        #expect(!localTree.isEmpty)
        #expect(try await remote.gitOutput(["ls-tree", "-r", "main", "--", "tickets/2026"]) == localTree)

        try local.platform.change(tickets[4].id) { $0.status = .inProgress }
        #expect(try await local.pull().status == 0)
        let numstat = try await local.gitOutput([
            "show", "--format=", "--numstat", "main", "--", SampleTickets.path(tickets[4]),
        ])
        #expect(numstat.hasPrefix("1\t1\t"), "one line changed: \(numstat)")
        let diff = try await local.gitOutput(["show", "--format=", "-U0", "main", "--", SampleTickets.path(tickets[4])])
        #expect(diff.contains("\n-status: pending\n+status: in_progress\n"), "\(diff)")
    }

    @Test func theAuthorComesFromTheFlagThenGitConfigThenTheDefault() async throws {
        let bench = try TicketBench()
        try bench.platform.put([SampleTickets.make(1)])
        #expect(try await bench.pull().status == 0)
        #expect(
            try await bench.gitOutput(["log", "-1", "--format=%an <%ae>"]) == "supportsync <supportsync@localhost>\n")

        // The repository's own configuration, as `git config` would write it.
        let config = bench.root.appendingPathComponent(".git/config")
        let handle = try FileHandle(forWritingTo: config)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("[user]\n\tname = Config Person\n\temail = config@example.com\n".utf8))
        try handle.close()
        try bench.platform.put([SampleTickets.make(2)])
        #expect(try await bench.pull().status == 0)
        #expect(
            try await bench.gitOutput(["log", "-1", "--format=%an <%ae>"]) == "Config Person <config@example.com>\n")

        try bench.platform.put([SampleTickets.make(3)])
        #expect(try await bench.pull(["--author", "Flag Person <flag@example.com>"]).status == 0)
        #expect(try await bench.gitOutput(["log", "-1", "--format=%an <%ae>"]) == "Flag Person <flag@example.com>\n")

        let bad = try await bench.pull(["--author", "no email here"])
        #expect(bad.status == 64, "\(bad.stderr)")
    }

    @Test func aLargePullCommitsInBatchesEachWithItsCursor() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(0..<10))
        let result = try await bench.pull(["--batch", "3"])
        #expect(result.status == 0, "\(result.stderr)")

        let commits = try await bench.commits().dropLast()  // the first commit is the README
        #expect(commits.count == 4, "10 tickets by 3: four commits")
        let instance = try bench.platform.instance
        for (commit, (expected, new)) in zip(commits.reversed(), [(3, 3), (6, 3), (9, 3), (10, 1)]) {
            #expect(
                try await bench.gitOutput([
                    "log", "-1", "--format=%(trailers:key=Supportsync-Cursor,valueonly)", commit,
                ])
                .withoutSurroundingSpace == "\(instance) \(expected)")
            // Atomic: each commit holds as many tickets as its cursor has passed.
            #expect(try await bench.ticketPaths(at: commit).count == expected)
            #expect(try await bench.show(TicketStore.cursorPath, at: commit).contains("\"\(expected)\""))
            #expect(
                try await bench.gitOutput(["log", "-1", "--format=%s", commit]) == "tickets: \(new) new, 0 updated\n")
        }
        #expect(try await bench.status() == "")
        try await bench.expectFsckClean()
    }

    @Test func refCommitsToAnotherBranchWithoutTouchingTheWorkingTree() async throws {
        let bench = try TicketBench()
        // An existing branch, made from main through the Git module.
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/inbox", expected: nil, new: main, message: "branch")
        ])
        let tickets = SampleTickets.make(1..<5)
        try bench.platform.put(tickets)

        let result = try await bench.pull(["--ref", "inbox"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await bench.tip() == main.hex, "main did not move")
        #expect(
            try await bench.gitOutput(["rev-parse", "inbox~1"]).hasPrefix(main.hex), "the commit sits on inbox's tip")
        #expect(try await bench.ticketPaths(at: "inbox").sorted() == tickets.map(SampleTickets.path).sorted())
        #expect(!FileManager.default.fileExists(atPath: bench.root.appendingPathComponent("tickets").path))
        #expect(try await bench.status() == "", "neither the working tree nor the index changed")

        // A branch that does not exist yet is created.
        let fresh = try await bench.pull(["--ref", "refs/heads/elsewhere"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(try await bench.ticketPaths(at: "elsewhere").count == 4)
        #expect(try await bench.status() == "")
        try await bench.expectFsckClean()
    }

    /// A branch checked out in another worktree is that worktree's: moving
    /// it would leave its index behind, and its next commit would undo the
    /// pull. Refused, as git refuses, with nothing written.
    @Test func refRefusesABranchCheckedOutInAnotherWorktree() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<3))
        let other = bench.folder.url.appendingPathComponent("other")
        // The team's own git makes the second worktree.
        try WitnessGit.run(["worktree", "add", "-q", "-b", "side", other.path], in: bench.root)
        let before = try await bench.tip()
        let environment = bench.environment
        let database = bench.database
        let fromOther = try await TicketBench.offload {
            try Executable.run(
                ["tickets", "pull", "--db", database, "--ref", "main"], in: other, environment: environment)
        }
        #expect(fromOther.status == 64, "\(fromOther.stdout)\(fromOther.stderr)")
        #expect(
            fromOther.stderr.contains("refs/heads/main is checked out in a worktree"), "\(fromOther.stderr)")
        #expect(try await bench.tip() == before, "main did not move")
        // The same from the main worktree, for the side branch; then each in its own worktree works.
        let fromMain = try await bench.pull(["--ref", "side"])
        #expect(fromMain.status == 64, "\(fromMain.stderr)")
        let own = try await bench.pull()
        #expect(own.status == 0, "\(own.stderr)")
        #expect(try await bench.status() == "")
    }

    /// A branch being rebased is checked out, as git counts it (its HEAD is
    /// detached meanwhile): `--ref` refuses to move it, which would fail the
    /// rebase's end. A merge in progress takes no ticket commit (it would
    /// carry what the merge brought): said, nothing committed. The states
    /// are git's own files, written as git writes them.
    @Test func aBranchBeingRebasedOrMidMergeTakesNoTicketCommit() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        try bench.platform.put(SampleTickets.make(3..<4))
        let git = bench.root.appendingPathComponent(".git")
        let tip = try #require(try await bench.tip())
        let headFile = git.appendingPathComponent("HEAD")
        let attached = try String(contentsOf: headFile, encoding: .utf8)
        try FileManager.default.createDirectory(
            at: git.appendingPathComponent("rebase-merge"), withIntermediateDirectories: true)
        try Data("refs/heads/main\n".utf8).write(to: git.appendingPathComponent("rebase-merge/head-name"))
        try Data("\(tip)\n".utf8).write(to: headFile)
        let rebasing = try await bench.pull(["--ref", "main"])
        #expect(rebasing.status == 64, "\(rebasing.stdout)\(rebasing.stderr)")
        #expect(rebasing.stderr.contains("being rebased or bisected"), "\(rebasing.stderr)")
        #expect(try await bench.tip() == tip)

        try FileManager.default.removeItem(at: git.appendingPathComponent("rebase-merge"))
        try Data(attached.utf8).write(to: headFile)
        try Data("\(tip)\n".utf8).write(to: git.appendingPathComponent("MERGE_HEAD"))
        let set = try await bench.run(["tickets", "set", tickets[0].id, "--priority", "urgent", "--commit"])
        #expect(set.status == 1, "\(set.stdout)\(set.stderr)")
        #expect(set.stderr.contains("a merge is in progress in this working tree"), "\(set.stderr)")
        #expect(try await bench.status() == "", "the file is left as it was")
        let merging = try await bench.pull()
        #expect(merging.status == 1, "\(merging.stdout)\(merging.stderr)")
        #expect(merging.stderr.contains("a merge is in progress"), "\(merging.stdout)\(merging.stderr)")
        #expect(try await bench.tip() == tip)
        try FileManager.default.removeItem(at: git.appendingPathComponent("MERGE_HEAD"))
        #expect(try await bench.pull().status == 0)
        #expect(try await bench.tip() != tip)
    }

    /// A bare repository's own HEAD is checked out nowhere, but a linked
    /// worktree may have that branch: then it is the worktree's.
    @Test func aBareRepositorysBranchCheckedOutInAWorktreeIsRefused() async throws {
        let bench = try TicketBench(bare: true)
        try bench.platform.put(SampleTickets.make(1..<3))
        #expect(try await bench.pull().status == 0)
        try bench.platform.put(SampleTickets.make(3..<4))
        let worktree = bench.folder.url.appendingPathComponent("worktree")
        try WitnessGit.run(["worktree", "add", "-q", worktree.path, "main"], in: bench.root)
        let before = try await bench.tip()
        let refused = try await bench.pull()
        #expect(refused.status == 64, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("refs/heads/main is checked out in a worktree"), "\(refused.stderr)")
        #expect(try await bench.tip() == before)
    }

    @Test func aBareRepositoryWorks() async throws {
        let bench = try TicketBench(bare: true)
        let tickets = SampleTickets.make(1..<8)
        try bench.platform.put(tickets)
        let result = try await bench.pull()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await bench.ticketPaths().sorted() == tickets.map(SampleTickets.path).sorted())
        #expect(try await bench.gitOutput(["log", "-1", "--format=%s"]) == "tickets: 7 new, 0 updated\n")
        try await bench.expectFsckClean()

        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        for ticket in tickets { #expect(list.stdout.contains(ticket.id)) }
        let show = try await bench.run(["tickets", "show", tickets[2].id])
        #expect(show.status == 0 && show.stdout.contains("id: \(tickets[2].id)"), "\(show.stdout)\(show.stderr)")
    }

    /// A bare repository (a mirror a job pulls into) has no working tree:
    /// its `supportsync.yaml` is the one committed at HEAD, which here keeps
    /// customer data plain. Read from nowhere, it sealed everything.
    @Test func aBareRepositoryReadsTheProjectFileItsHeadHolds() async throws {
        let bench = try TicketBench(bare: true)
        #expect(!FileManager.default.fileExists(atPath: bench.root.appendingPathComponent(ProjectFile.path).path))
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        let result = try await bench.pull()
        #expect(result.status == 0, "\(result.stderr)")
        let file = try await bench.show(SampleTickets.path(tickets[0]), at: "main")
        #expect(file.contains("email: \(tickets[0].customer.email!)"), "stored plain, as committed: \(file)")
        #expect(!file.contains(SealedValue.prefix), "\(file)")
    }

    /// A ticket committed under another case of tickets/ (`Tickets/`),
    /// which a case-insensitive checkout folds into tickets/, is named by
    /// list and pull from the branch's tree, never passed over.
    /// `Tickets/`, and `ticketſ/` (long s), which APFS folds into tickets/ too.
    @Test(arguments: ["Tickets", "ticket\u{17F}"])
    func aTicketUnderAnotherCaseOfTicketsIsReportedFromTheTree(folder: String) async throws {
        let bench = try TicketBench(bare: true)
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let repository = try bench.repository()
        let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let text = try #require(try repository.blob(at: path, in: tip))
        let place = folder + path.dropFirst("tickets".count).replacingOccurrences(of: tickets[0].id, with: "T-OTHER")
        _ = try repository.commit(
            updating: "refs/heads/main", expectedTip: tip, treeUpdates: [(place, try repository.writeBlob(text))],
            message: "A ticket in another case", author: Signature(name: "Team", email: "team@example.com"))
        for result in [try await bench.run(["tickets", "list"]), try await bench.pull()] {
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(
                (result.stdout + result.stderr).contains("\(place):1:1: error: \(place) is not a ticket path"),
                "\(result.stdout)\(result.stderr)")
        }
    }

    @Test func aShallowCloneIsRefusedWithAMessageToFetchFullHistory() async throws {
        let bench = try TicketBench()
        let repository = try bench.repository()
        let first = try #require(try repository.resolve(reference: "refs/heads/main"))
        let blob = try repository.writeBlob(Array("more\n".utf8))
        let second = try repository.commit(
            updating: "refs/heads/main", expectedTip: first, treeUpdates: [("NOTES.md", blob)], message: "More",
            author: Signature(name: "Team", email: "team@example.com"))
        try repository.checkoutPaths(["NOTES.md"], from: second)
        // What `git clone --depth 1` leaves: the boundary commit in .git/shallow.
        try Data("\(second.hex)\n".utf8).write(to: bench.root.appendingPathComponent(".git/shallow"))
        #expect(try await bench.gitOutput(["rev-parse", "--is-shallow-repository"]) == "true\n")
        try bench.platform.put(SampleTickets.make(1..<3))

        for command in [["tickets", "pull", "--db", bench.database], ["audit", "--base", "HEAD"]] {
            let result = try await bench.run(command)
            #expect(result.status == 64, "\(command): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("shallow") && result.stderr.contains("git fetch --unshallow"), "\(result.stderr)"
            )
        }
        #expect(try await bench.tip() == second.hex, "nothing was committed")
        #expect(!FileManager.default.fileExists(atPath: bench.root.appendingPathComponent("tickets").path))
    }

    @Test func listAndShowReadAShallowCloneHistoryAndAuditRefuseIt() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<4))
        #expect(try await bench.pull().status == 0)
        let tip = try #require(try await bench.tip())
        try Data("\(tip)\n".utf8).write(to: bench.root.appendingPathComponent(".git/shallow"))
        #expect(try await bench.gitOutput(["rev-parse", "--is-shallow-repository"]) == "true\n")
        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 0 && list.stdout.contains(SampleTickets.id(2)), "\(list.stdout)\(list.stderr)")
        let show = try await bench.run(["tickets", "show", SampleTickets.id(2)])
        #expect(show.status == 0 && show.stdout.contains("id: \(SampleTickets.id(2))"), "\(show.stderr)")
        let history = try await bench.run(["tickets", "history", SampleTickets.id(2)])
        #expect(history.status == 64 && history.stderr.contains("git fetch --unshallow"))
    }

    @Test(arguments: [
        ["tickets", "pull"], ["tickets", "push"], ["tickets", "list"], ["tickets", "show", "T-1"],
        ["tickets", "history", "T-1"], ["audit", "--base", "HEAD"],
    ])
    func outsideAGitRepositoryTicketCommandsExit64(_ command: [String]) async throws {
        let folder = try TemporaryFolder()
        let database = folder.url.appendingPathComponent("platform.sqlite").path
        let platform = try TicketPlatformFile(path: database)
        try platform.put(SampleTickets.make(1..<3))
        let extra = command.first == "tickets" && ["pull", "push"].contains(command[1]) ? ["--db", database] : []
        let url = folder.url
        let result = try await TicketBench.offload {
            try Executable.run(command + extra + ["--repo", url.path], in: url)
        }
        #expect(result.status == 64, "\(command): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("not in a git repository"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("tickets").path))
    }
}
