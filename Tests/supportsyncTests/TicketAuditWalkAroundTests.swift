import Foundation
import Git
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// The ways around audit that each commit alone would not show: the net
/// change of a merge, a ticket added by hand, ticket-like files audit used
/// to ignore, stray files, aliases, and two files with one id.
@Suite struct TicketAuditWalkAroundTests {
    static let ana = Signature(name: "Ana", email: "ana@example.com")

    /// Two tickets pulled on main; `base` is main before the pull.
    func setUp() async throws -> (bench: TicketBench, tickets: [Ticket], beforePull: ObjectID) {
        let bench = try TicketBench()
        let repository = try bench.repository()
        let beforePull = try #require(try repository.resolve(reference: "refs/heads/main"))
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        return (bench, tickets, beforePull)
    }

    func audit(_ bench: TicketBench, base: String, head: String) async throws -> Executable.Result {
        try await bench.run(["audit", "--base", base, "--head", head])
    }

    @Test func aBranchForkedBeforeATicketCannotForgeItThroughAMerge() async throws {
        let (bench, tickets, beforePull) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let real = String(decoding: try #require(try repository.blob(at: path, in: main)), as: UTF8.self)
        let forged = real.replacingOccurrences(of: "agent: billing-line\n", with: "agent: forged-desk\n")
        #expect(forged != real)
        // The branch adds the same path with a forged platform-owned field...
        let added = try repository.createCommit(
            parent: beforePull, treeUpdates: [(path, try repository.writeBlob(Array(forged.utf8)))],
            message: "Add a ticket", author: Self.ana
        ).commit
        // ...and merges main, keeping its own side (what -X theirs/ours would give).
        let merge = try repository.createCommit(
            parent: added, mergedParents: [main], treeUpdates: [], message: "Merge main", author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: merge.hex)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("\(path):1:1: error: the ticket file is added outside tickets pull"),
            "\(result.stdout)")
        #expect(
            result.stdout.contains(
                "agent is owned by the platform, and the net change from the merge base \(main.hex.prefix(8))"),
            "\(result.stdout)")
        #expect(result.stdout.contains("[ticket-platform-field]"))
    }

    /// A pull request's branch with a commit of its own, then main moving
    /// on: the platform changes a platform-owned field of the first ticket
    /// and sends a third, and the team closes the second.
    func setUpBehindMain() async throws -> (
        bench: TicketBench, tickets: [Ticket], side: ObjectID, main: ObjectID, later: Ticket
    ) {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let forked = try #require(try repository.resolve(reference: "refs/heads/main"))
        let side = try repository.createCommit(
            parent: forked, treeUpdates: [("notes.txt", try repository.writeBlob(Array("work\n".utf8)))],
            message: "Work of the pull request", author: Self.ana
        ).commit
        try bench.platform.change(tickets[0].id) { $0.record.report.agent = "other-desk" }
        let later = SampleTickets.make(3..<4)[0]
        try bench.platform.put([later])
        #expect(try await bench.pull().status == 0)
        let closed = try await bench.run([
            "tickets", "set", tickets[1].id, "--status", "closed", "--resolution", "Refunded", "--commit",
        ])
        #expect(closed.status == 0, "\(closed.stdout)\(closed.stderr)")
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        return (bench, tickets, side, main, later)
    }

    /// The tool never writes a merge: a merge with a trailer typed by hand
    /// is judged as anybody's, and a ticket it adds is caught.
    @Test func aMergeWithATypedTrailerIsNoPull() async throws {
        let (bench, tickets, side, main, _) = try await setUpBehindMain()
        let repository = try bench.repository()
        var record = TicketRecord(tickets[0])
        record.id = "T-FORGED01"
        let folder = SampleTickets.path(tickets[0]).split(separator: "/").dropLast().joined(separator: "/")
        let forged = folder + "/T-FORGED01.yaml"
        // What `git merge main` gives (main's side of tickets/), plus the forged file.
        let taken = try repository.files(under: "tickets", in: main).map { ($0.path, Optional($0.blob)) }
        let merge = try repository.createCommit(
            parent: side, mergedParents: [main],
            treeUpdates: taken + [(forged, try repository.writeBlob(Array(TicketFile.text(record).utf8)))],
            message: "Merge main\n\n\(TicketStore.trailer): local 99\n", author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: merge.hex)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(
            result.stdout.contains("\(forged):1:1: error: the ticket file is added outside tickets pull"),
            "\(result.stdout)")
        // Main's own tickets, taken as main has them, are no violation.
        #expect(!result.stdout.contains(SampleTickets.path(tickets[0])), "\(result.stdout)")
    }

    /// `git merge -s ours main` changes nothing against its first parent,
    /// and takes back all that main changed: the net change shows it.
    @Test func aMergeKeepingItsOwnSideCannotUndoMain() async throws {
        let (bench, _, side, main, later) = try await setUpBehindMain()
        let repository = try bench.repository()
        let merge = try repository.createCommit(
            parent: side, mergedParents: [main], treeUpdates: [], message: "Merge main, keeping ours",
            author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: merge.hex)
        #expect(result.status == 1, "\(result.stdout)")
        let out = result.stdout
        #expect(out.contains("\(SampleTickets.path(later)):1:1: error: ticket '\(later.id)'"), "\(out)")
        #expect(out.contains("[ticket-deleted]"), "\(out)")
        #expect(out.contains("agent is owned by the platform, and the net change"), "\(out)")
        #expect(out.contains("a closed ticket is final") && out.contains("[ticket-lifecycle]"), "\(out)")
        #expect(out.contains("changes the pull cursor to one no tickets pull in the range wrote"), "\(out)")
        // The honest merge of the same two sides passes.
        let taken = try repository.files(under: "tickets", in: main).map { ($0.path, Optional($0.blob)) }
        let honest = try repository.createCommit(
            parent: side, mergedParents: [main], treeUpdates: taken, message: "Merge main", author: Self.ana
        ).commit
        let clean = try await audit(bench, base: main.hex, head: honest.hex)
        #expect(clean.status == 0, "\(clean.stdout)")
    }

    /// A ticket's path turned into a folder, and back into a file: each is
    /// reported as a change, not an error reading git.
    @Test func aTicketPathTurnedIntoAFolderIsReported() async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let bytes = try #require(try repository.blob(at: path, in: main))
        let folder = try repository.createCommit(
            parent: main, treeUpdates: [(path, nil), (path + "/inside.yaml", try repository.writeBlob(bytes))],
            message: "A folder", author: Self.ana
        ).commit
        let file = try repository.createCommit(
            parent: folder, treeUpdates: [(path + "/inside.yaml", nil), (path, try repository.writeBlob(bytes))],
            message: "A file again", author: Self.ana
        ).commit
        for head in [folder, file] {
            let result = try await audit(bench, base: main.hex, head: head.hex)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("[ticket-deleted]"), "\(result.stdout)")
        }
    }

    /// The tool's erasure commit (a platform that forgets erased tickets)
    /// keeps the cursor: it is the tool's only when it erases and nothing else.
    @Test func aTrailerOnlyCoversAnErasureThatErasesAndNothingMore() async throws {
        let (bench, tickets, beforePull) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let bytes = try #require(try repository.blob(at: path, in: main))
        let record = try #require(TicketCodec().decode(bytes, path: path).record)
        let erased = Erasure(at: "2026-12-01T10:00:00Z", by: "privacy", reason: "REQ-1").applied(to: record)
        /// `written` committed on main with the tool's trailer and no cursor change, audited trusting tool commits.
        func audited(_ written: TicketRecord) async throws -> Executable.Result {
            let commit = try repository.createCommit(
                parent: main, treeUpdates: [(path, try repository.writeBlob(Array(TicketFile.text(written).utf8)))],
                message: "tickets: 0 new, 1 updated\n\n\(TicketStore.trailer): local 2\n", author: Self.ana
            ).commit
            return try await bench.run([
                "audit", "--base", beforePull.hex, "--head", commit.hex, "--trust-tool-commits",
            ])
        }
        let trusted = try await audited(erased)
        #expect(trusted.status == 0, "\(trusted.stdout)")
        // The same commit with the agent changed too is no erasure: checked, and refused.
        var forged = erased
        forged.report.agent = "forged-desk"
        let refused = try await audited(forged)
        #expect(refused.status == 1, "\(refused.stdout)")
        #expect(refused.stdout.contains("agent is owned by the platform"), "\(refused.stdout)")
    }

    /// A ticket file replaced by a symbolic link (its bytes are where it
    /// points) or made executable is said to be that, not parsed as a ticket.
    @Test(arguments: ["executable", "symbolic link"])
    func aTicketThatIsNoPlainFileIsSaidAsSuch(how: String) async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        // What a hostile branch does with git itself.
        if how == "executable" {
            try WitnessGit.run(["update-index", "--chmod=+x", path], in: bench.root)
        } else {
            let file = bench.root.appendingPathComponent(path)
            try FileManager.default.removeItem(at: file)
            try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: "/etc/passwd")
            try WitnessGit.run(["add", path], in: bench.root)
        }
        try WitnessGit.run(["commit", "-q", "-m", "Change \(how)"], in: bench.root)
        let head = try WitnessGit.run(["rev-parse", "HEAD"], in: bench.root)
        let result = try await audit(bench, base: main.hex, head: head.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(result.status == 1, "\(result.stdout)")
        #expect(
            result.stdout.contains("\(path):1:1: error: \(path) is a symbolic link or an executable file"),
            "\(result.stdout)")
        #expect(!result.stdout.contains("[not-a-mapping]"), "\(result.stdout)")
    }

    /// A commit with the tool's trailer that changes only the cursor's mode
    /// (made executable, or a symbolic link to the same bytes) moves no
    /// cursor: it is no pull, and the ticket it adds is caught.
    @Test(arguments: ["executable", "symbolic link"])
    func aCursorChangedOnlyInModeMakesNoPull(how: String) async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        var record = TicketRecord(tickets[0])
        record.id = "T-FORGED02"
        let folder = SampleTickets.path(tickets[0]).split(separator: "/").dropLast().joined(separator: "/")
        let forged = folder + "/T-FORGED02.yaml"
        try Data(TicketFile.text(record).utf8).write(to: bench.root.appendingPathComponent(forged))
        // What a hostile branch does with git itself.
        try WitnessGit.run(["add", forged], in: bench.root)
        let cursor = TicketStore.cursorPath
        if how == "executable" {
            try WitnessGit.run(["update-index", "--chmod=+x", cursor], in: bench.root)
        } else {
            let blob = try WitnessGit.run(["rev-parse", "HEAD:\(cursor)"], in: bench.root)
            try WitnessGit.run(["update-index", "--cacheinfo", "120000,\(blob),\(cursor)"], in: bench.root)
        }
        try WitnessGit.run(
            ["commit", "-q", "-m", "tickets: 1 new, 0 updated", "-m", "\(TicketStore.trailer): local 99"],
            in: bench.root)
        let head = try WitnessGit.run(["rev-parse", "HEAD"], in: bench.root)
        let result = try await audit(bench, base: main.hex, head: head)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(
            result.stdout.contains("\(forged):1:1: error: the ticket file is added outside tickets pull"),
            "\(result.stdout)")
        #expect(result.stdout.contains("edits the pull cursor, which only supportsync writes"), "\(result.stdout)")
    }

    /// A ticket file that does not read on main (written by an old version,
    /// or broken by a commit audit never saw) is judged, when repaired,
    /// against the last version of it that read: a repair cannot forge.
    @Test func aRepairOfAnUnreadableTicketIsJudgedByItsLastReadableVersion() async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let pulled = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let good = String(decoding: try #require(try repository.blob(at: path, in: pulled)), as: UTF8.self)
        let broken = good.replacingOccurrences(of: "status: pending\n", with: "status: [pending\n")
        #expect(broken != good)
        let main = try repository.createCommit(
            parent: pulled, treeUpdates: [(path, try repository.writeBlob(Array(broken.utf8)))],
            message: "Straight to main", author: Self.ana
        ).commit
        func repaired(_ text: String) async throws -> Executable.Result {
            let commit = try repository.createCommit(
                parent: main, treeUpdates: [(path, try repository.writeBlob(Array(text.utf8)))], message: "Repair",
                author: Self.ana
            ).commit
            return try await audit(bench, base: main.hex, head: commit.hex)
        }
        let forged = try await repaired(
            good.replacingOccurrences(of: "agent: billing-line\n", with: "agent: forged-desk\n"))
        #expect(forged.status == 1, "\(forged.stdout)")
        #expect(forged.stdout.contains("agent is owned by the platform"), "\(forged.stdout)")
        let honest = try await repaired(good)
        #expect(honest.status == 0, "\(honest.stdout)")

        // However long ago it last read: 600 commits (the sync job's pulls
        // among them, in a busy repository) do not hide that version.
        var tip = main
        for number in 0..<600 {
            tip = try repository.createCommit(
                parent: tip, treeUpdates: [("notes.txt", try repository.writeBlob(Array("\(number)\n".utf8)))],
                message: "Work \(number)", author: Self.ana
            ).commit
        }
        let late = try repository.createCommit(
            parent: tip,
            treeUpdates: [
                (
                    path,
                    try repository.writeBlob(
                        Array(good.replacingOccurrences(of: "agent: billing-line\n", with: "agent: forged-desk\n").utf8)
                    )
                )
            ],
            message: "Repair", author: Self.ana
        ).commit
        let lateForged = try await audit(bench, base: tip.hex, head: late.hex)
        #expect(lateForged.status == 1, "\(lateForged.stdout)")
        #expect(lateForged.stdout.contains("agent is owned by the platform"), "\(lateForged.stdout)")

        // A file no version of which ever read (an early version's pull
        // wrote it so) has nothing to be judged against: its repair passes
        // with a warning that says so, for a person to check.
        let other = SampleTickets.path(tickets[1])
        let otherGood = String(decoding: try #require(try repository.blob(at: other, in: pulled)), as: UTF8.self)
        let neverRead = try repository.createCommit(
            parent: try repository.commit(pulled).parents[0],
            treeUpdates: [(other, try repository.writeBlob(Array(("status: [pending\n" + otherGood).utf8)))],
            message: "An early pull", author: Self.ana
        ).commit
        let unjudged = try repository.createCommit(
            parent: neverRead, treeUpdates: [(other, try repository.writeBlob(Array(otherGood.utf8)))],
            message: "Repair", author: Self.ana
        ).commit
        let warned = try await audit(bench, base: neverRead.hex, head: unjudged.hex)
        #expect(warned.status == 0, "\(warned.stdout)")
        #expect(
            warned.stdout.contains(
                "\(other):1:1: warning: the ticket file did not read before this commit, and no version of it ever did"),
            "\(warned.stdout)")
    }

    /// A criss-cross merge (each side merged the other) has two merge
    /// bases. Judged only from the one git picks (the newer by a date the
    /// author sets: the pull request's own commit), a merge taking back what
    /// main gained shows no net change; judged from each, it does.
    @Test func aCrissCrossMergeIsJudgedFromEveryMergeBase() async throws {
        let (bench, tickets, side, main, later) = try await setUpBehindMain()
        let repository = try bench.repository()
        // Main merged the pull request's first commit (dated later, so git
        // picks it as the merge base)...
        let future = Signature(name: "Ana", email: "ana@example.com", date: Date().addingTimeInterval(86_400 * 365))
        let work = try repository.createCommit(
            parent: side, treeUpdates: [("notes.txt", try repository.writeBlob(Array("more work\n".utf8)))],
            message: "More work", author: future, committer: future
        ).commit
        let mainMerged = try repository.createCommit(
            parent: main, mergedParents: [work],
            treeUpdates: [("notes.txt", try repository.writeBlob(Array("more work\n".utf8)))],
            message: "Merge the pull request's work", author: Self.ana
        ).commit
        // ...and the pull request merged main, keeping its own side.
        let ours = try repository.createCommit(
            parent: work, mergedParents: [main], treeUpdates: [], message: "Merge main, keeping ours",
            author: Self.ana
        ).commit
        #expect(try repository.mergeBases(mainMerged, ours).count == 2)
        #expect(try repository.mergeBase(mainMerged, ours) == work, "the newer merge base is git's pick")
        let result = try await audit(bench, base: mainMerged.hex, head: ours.hex)
        #expect(result.status == 1, "\(result.stdout)")
        let out = result.stdout
        #expect(out.contains("\(SampleTickets.path(later)):1:1: error: ticket '\(later.id)'"), "\(out)")
        #expect(out.contains("a closed ticket is final") && out.contains("[ticket-lifecycle]"), "\(out)")
        #expect(
            out.contains(
                "agent is owned by the platform, and the net change from the merge base \(main.hex.prefix(8))"),
            "\(out)")
        #expect(!out.contains(SampleTickets.path(tickets[0]) + ":1:1: warning"), "\(out)")

        // The honest merge of the same sides passes: main's pull, reachable
        // from one merge base and not the other, counts as pulled.
        let taken = try repository.files(under: "tickets", in: main).map { ($0.path, Optional($0.blob)) }
        let honest = try repository.createCommit(
            parent: work, mergedParents: [main], treeUpdates: taken, message: "Merge main", author: Self.ana
        ).commit
        #expect(try repository.mergeBases(mainMerged, honest).count == 2)
        let clean = try await audit(bench, base: mainMerged.hex, head: honest.hex)
        #expect(clean.status == 0, "\(clean.stdout)")
    }

    @Test func aTicketAddedByHandFails() async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        var record = TicketRecord(tickets[0])
        record.id = "T-HANDMADE"
        let path =
            "tickets/\(SampleTickets.path(tickets[0]).split(separator: "/")[1])/\(SampleTickets.path(tickets[0]).split(separator: "/")[2])/T-HANDMADE.yaml"
        let commit = try repository.createCommit(
            parent: main, treeUpdates: [(path, try repository.writeBlob(Array(TicketFile.text(record).utf8)))],
            message: "Add a ticket by hand", author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: commit.hex)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(path):1:1: error: the ticket file is added outside tickets pull"))
        #expect(result.stdout.contains("[ticket-added]"))
        // A trailer typed by hand does not make a pull: a pull moves the cursor too.
        let forged = try repository.createCommit(
            parent: main, treeUpdates: [(path, try repository.writeBlob(Array(TicketFile.text(record).utf8)))],
            message: "tickets: 1 new, 0 updated\n\n\(TicketStore.trailer): local 99\n", author: Self.ana
        ).commit
        let forgedAudit = try await audit(bench, base: main.hex, head: forged.hex)
        #expect(forgedAudit.status == 1 && forgedAudit.stdout.contains("[ticket-added]"), "\(forgedAudit.stdout)")
        let trusted = try await bench.run(["audit", "--base", main.hex, "--head", forged.hex, "--trust-tool-commits"])
        #expect(trusted.status == 1, "--trust-tool-commits trusts pulls, not trailers: \(trusted.stdout)")
        // The tool's own pull adding tickets adds them as a pull does (its
        // cursor edit is what --trust-tool-commits is for).
        let ownPull = try await audit(bench, base: "HEAD~1", head: "HEAD")
        #expect(!ownPull.stdout.contains("[ticket-added]"), "\(ownPull.stdout)")
        #expect(ownPull.stdout.contains("edits the pull cursor"))
        // A cursor edited alone is a file checked, and counted.
        let cursorOnly = try repository.createCommit(
            parent: main,
            treeUpdates: [(TicketStore.cursorPath, try repository.writeBlob(Array("cursor: \"9999\"\n".utf8)))],
            message: "Move the cursor", author: Self.ana
        ).commit
        let cursorAudit = try await audit(bench, base: main.hex, head: cursorOnly.hex)
        #expect(
            cursorAudit.status == 1 && cursorAudit.stdout.contains("edits the pull cursor"), "\(cursorAudit.stdout)")
        #expect(cursorAudit.stderr.contains("1 error, 0 warnings in 1 file\n"), "\(cursorAudit.stderr)")
    }

    @Test(arguments: [
        ("tickets/2026/02/T-00000001.yml", "ticket-path"), ("Tickets/2026/02/T-00000009.yaml", "ticket-path"),
        ("tickets/2026/02/T-00000009.YAML", "ticket-path"), ("tickets/notes.txt", "ticket-stray"),
        ("TICKETS/readme.md", "ticket-stray"), ("tickets/2026/02/.gitkeep", "ticket-stray"),
    ])
    func fileUnderAnyCaseOfTicketsAreChecked(_ path: String, _ rule: String) async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let text = TicketFile.text(TicketRecord(tickets[0]))
        let commit = try repository.createCommit(
            parent: main, treeUpdates: [(path, try repository.writeBlob(Array(text.utf8)))], message: "Add a file",
            author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: commit.hex)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("\(path):1:1: error:") && result.stdout.contains("[\(rule)]"), "\(result.stdout)")
        // A .gitkeep is welcome.
        let keep = try repository.createCommit(
            parent: main, treeUpdates: [("tickets/.gitkeep", try repository.writeBlob([]))], message: "Keep",
            author: Self.ana
        ).commit
        #expect(try await audit(bench, base: main.hex, head: keep.hex).status == 0)
    }

    /// A `.gitattributes` that makes git rewrite ticket files on checkout
    /// (another encoding, a filter, `$Id$`) breaks every later sync once
    /// merged: said, with how many files it reaches. Line endings, which
    /// the tool reads either way, and attributes of other files pass.
    @Test func attributesThatRewriteTicketFilesAreReported() async throws {
        let (bench, _, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        func audited(_ attributes: String) async throws -> Executable.Result {
            let commit = try repository.createCommit(
                parent: main, treeUpdates: [(".gitattributes", try repository.writeBlob(Array(attributes.utf8)))],
                message: "Attributes", author: Self.ana
            ).commit
            return try await audit(bench, base: main.hex, head: commit.hex)
        }
        let encoded = try await audited("*.png binary\ntickets/** working-tree-encoding=UTF-16\n*.yaml ident\n")
        #expect(encoded.status == 1, "\(encoded.stdout)")
        #expect(
            encoded.stdout.contains(
                "give 2 ticket files working-tree-encoding=UTF-16 (tickets/2026/02/T-00000001.yaml among them)"),
            "\(encoded.stdout)")
        #expect(encoded.stdout.contains("give 2 ticket files ident ("), "\(encoded.stdout)")
        #expect(encoded.stdout.contains("[ticket-stray]"), "\(encoded.stdout)")
        let lfs = try await audited("tickets/2026/02/T-00000001.yaml filter=lfs diff=lfs merge=lfs -text\n")
        #expect(lfs.status == 1 && lfs.stdout.contains("give 1 ticket file filter=lfs"), "\(lfs.stdout)")
        let harmless = try await audited("*.png binary\ntickets/** text eol=lf\n*.yaml -ident\n")
        #expect(harmless.status == 0, "\(harmless.stdout)")
        // Read as .gitattributes only where names ignore case: said, whatever it holds.
        let twin = try repository.createCommit(
            parent: main, treeUpdates: [("docs/.GitAttributes", try repository.writeBlob(Array("*.md text\n".utf8)))],
            message: "Attributes", author: Self.ana
        ).commit
        let cased = try await audit(bench, base: main.hex, head: twin.hex)
        #expect(cased.status == 1, "\(cased.stdout)")
        #expect(
            cased.stdout.contains(
                "docs/.GitAttributes:1:1: error: docs/.GitAttributes is read as .gitattributes where file names ignore case"
            ) && cased.stdout.contains("[ticket-stray]"), "\(cased.stdout)")
    }

    @Test func anAliasInATicketFileIsAnError() async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let text = String(decoding: try #require(try repository.blob(at: path, in: main)), as: UTF8.self)
            .replacingOccurrences(of: "assignee: null\n", with: "assignee: &who null\n")
            .replacingOccurrences(of: "resolution: null\n", with: "resolution: *who\n")
        let commit = try repository.createCommit(
            parent: main, treeUpdates: [(path, try repository.writeBlob(Array(text.utf8)))], message: "Alias",
            author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: commit.hex)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("a ticket file holds no anchors or aliases")
                && result.stdout.contains("[yaml-alias]"))
    }

    @Test func twoFilesWithOneIdAreBothFlagged() async throws {
        let (bench, tickets, _) = try await setUp()
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        let path = SampleTickets.path(tickets[0])
        let twin = path.replacingOccurrences(of: "T-0000000", with: "t-0000000")
        let bytes = try #require(try repository.blob(at: path, in: main))
        let commit = try repository.createCommit(
            parent: main, treeUpdates: [(twin, try repository.writeBlob(bytes))], message: "Twin", author: Self.ana
        ).commit
        let result = try await audit(bench, base: main.hex, head: commit.hex)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(path):1:1: error: another ticket file has this id"), "\(result.stdout)")
        #expect(result.stdout.contains("\(twin):1:1: error: another ticket file has this id"))
        // Twins already at the merge base are not a later change's doing.
        let later = try repository.createCommit(
            parent: commit, treeUpdates: [("tickets/.gitkeep", try repository.writeBlob([]))], message: "Keep",
            author: Self.ana
        ).commit
        let after = try await audit(bench, base: commit.hex, head: later.hex)
        #expect(!after.stdout.contains("[ticket-duplicate]"), "\(after.stdout)")
    }
}
