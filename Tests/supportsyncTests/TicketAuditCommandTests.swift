import Foundation
import Git
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// `supportsync audit --base REV [--head REV]` on a pull request's commits,
/// made through the Git module the way a person's commits would be.
@Suite struct TicketAuditCommandTests {
    /// Four pulled tickets on main (the second one closed on the platform),
    /// and a pull-request branch `review` starting at main's tip.
    private func setUp() async throws -> (TicketBench, [Ticket]) {
        let bench = try TicketBench()
        var tickets = SampleTickets.make(1..<5)
        tickets[1].status = .closed
        tickets[1].resolution = "Duplicate of an earlier case"
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/review", expected: nil, new: main, message: "branch")
        ])
        return (bench, tickets)
    }

    /// One commit on `branch` changing files by text (nil deletes), without a checkout.
    @discardableResult
    private func commit(
        _ bench: TicketBench, on branch: String = "refs/heads/review", message: String = "Work tickets",
        _ edits: [String: (String) -> String?]
    ) throws -> ObjectID {
        let repository = try bench.repository()
        let tip = try #require(try repository.resolve(reference: branch))
        var updates: [(path: String, blob: ObjectID?)] = []
        for (path, edit) in edits {
            let text = String(decoding: try #require(try repository.blob(at: path, in: tip)), as: UTF8.self)
            updates.append((path, try edit(text).map { try repository.writeBlob(Array($0.utf8)) }))
        }
        return try repository.commit(
            updating: branch, expectedTip: tip, treeUpdates: updates, message: message,
            author: Signature(name: "Ana", email: "ana@example.com"))
    }

    private func replacing(_ old: String, _ new: String) -> (String) -> String? {
        { text in
            #expect(text.contains(old + "\n"), "the file has \(old)")
            return text.replacingOccurrences(of: old + "\n", with: new + "\n")
        }
    }

    /// The 1-based line of the first line starting with `prefix` in `text`.
    private func line(of prefix: String, in text: String) throws -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.hasPrefix(prefix) }) + 1
    }

    @Test func aPullRequestChangingOnlyTeamFieldsPasses() async throws {
        let (bench, tickets) = try await setUp()
        try commit(
            bench,
            [
                SampleTickets.path(tickets[0]): replacing("status: pending", "status: in_progress"),
                SampleTickets.path(tickets[2]): {
                    self.replacing("assignee: null", "assignee: ana@example.com")(
                        self.replacing("priority: normal", "priority: urgent")($0)!)
                },
            ])
        try commit(
            bench,
            [
                SampleTickets.path(tickets[0]): {
                    self.replacing("resolution: null", "resolution: Refund sent")(
                        self.replacing("status: in_progress", "status: resolved")($0)!)
                }
            ])
        let result = try await bench.run(["audit", "--base", "main", "--head", "review"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.contains("2 commits, 2 touching tickets/"), "\(result.stderr)")
    }

    @Test func aHandEditOfAPlatformFieldAndAClosedTicketReopenedFailAtTheirLines() async throws {
        let (bench, tickets) = try await setUp()
        let edited = SampleTickets.path(tickets[0])
        let reopened = SampleTickets.path(tickets[1])
        try commit(
            bench,
            [
                edited: replacing("  Wants a refund of the second charge.", "  Wants a refund of both charges."),
                reopened: replacing("status: closed", "status: pending"),
            ])
        let editedText = try await bench.show(edited, at: "review")
        let reopenedText = try await bench.show(reopened, at: "review")
        let summaryLine = try line(of: "summary:", in: editedText)
        let statusLine = try line(of: "status:", in: reopenedText)

        let text = try await bench.run(["audit", "--base", "main", "--head", "review"])
        #expect(text.status == 1, "\(text.stdout)\(text.stderr)")
        let errors = text.stdout.split(separator: "\n").filter { $0.contains(": error: ") }.map(String.init)
        #expect(errors.count == 2, "\(text.stdout)")
        #expect(
            errors.contains {
                $0.hasPrefix("\(edited):\(summaryLine):") && $0.hasSuffix("[ticket-platform-field]")
                    && $0.contains("summary")
            }, "\(errors)")
        #expect(
            errors.contains {
                $0.hasPrefix("\(reopened):\(statusLine):") && $0.hasSuffix("[ticket-lifecycle]")
                    && $0.contains("closed")
            }, "\(errors)")

        let json = try await bench.run(["audit", "--base", "main", "--head", "review", "--format", "json"])
        #expect(json.status == 1)
        let report = try ticketJSON(json.stdout)
        #expect(report["errors"] as? Int == 2)
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        #expect(Set(diagnostics.compactMap { $0["rule"] as? String }) == ["ticket-platform-field", "ticket-lifecycle"])
        #expect(diagnostics.contains { $0["file"] as? String == edited && $0["line"] as? Int == summaryLine })
        #expect(
            diagnostics.contains {
                $0["file"] as? String == reopened && $0["line"] as? Int == statusLine
                    && $0["severity"] as? String == "error"
            })

        let github = try await bench.run(["audit", "--base", "main", "--head", "review", "--format", "github"])
        #expect(github.status == 1)
        let annotations = github.stdout.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(annotations.count == 2, "\(github.stdout)")
        #expect(
            annotations.contains {
                $0.hasPrefix("::error file=\(reopened),line=\(statusLine),") && $0.contains("title=ticket-lifecycle::")
            })
        #expect(
            annotations.contains {
                $0.hasPrefix("::error file=\(edited),line=\(summaryLine),")
                    && $0.contains("title=ticket-platform-field::")
            })
    }

    @Test func aDeletedTicketFails() async throws {
        let (bench, tickets) = try await setUp()
        let path = SampleTickets.path(tickets[3])
        try commit(bench, [path: { _ in nil }])
        let result = try await bench.run(["audit", "--base", "main", "--head", "review", "--format", "json"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let diagnostics = try #require(try ticketJSON(result.stdout)["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["rule"] as? String == "ticket-deleted")
        #expect(diagnostics.first?["file"] as? String == path)
    }

    @Test func resolvingWithoutAResolutionFails() async throws {
        let (bench, tickets) = try await setUp()
        let path = SampleTickets.path(tickets[2])
        try commit(bench, [path: replacing("status: pending", "status: resolved")])
        let result = try await bench.run(["audit", "--base", "main", "--head", "review"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("[ticket-resolution]"), "\(result.stdout)")
    }

    /// On the default branch the tool's own commits change platform fields
    /// and the cursor: `--trust-tool-commits` accepts those (and only those).
    @Test func trustToolCommitsAcceptsTheToolsCommitsOnly() async throws {
        let (bench, tickets) = try await setUp()
        let start = try await bench.gitOutput(["rev-list", "--max-parents=0", "main"]).withoutSurroundingSpace
        try bench.platform.change(tickets[0].id) { $0.summary = "Charged twice.\nThe bank reversed one charge.\n" }
        #expect(try await bench.pull().status == 0)

        let strict = try await bench.run(["audit", "--base", start, "--head", "main"])
        #expect(strict.status == 1, "the tool's pull changed a platform field: \(strict.stdout)")
        #expect(strict.stdout.contains("[ticket-platform-field]"), "\(strict.stdout)")
        let trusting = try await bench.run(["audit", "--base", start, "--head", "main", "--trust-tool-commits"])
        #expect(trusting.status == 0, "\(trusting.stdout)\(trusting.stderr)")

        // A person's commit on main is still checked.
        try commit(
            bench, on: "refs/heads/main",
            [SampleTickets.path(tickets[2]): replacing("channel: messages", "channel: calls")])
        let handEdit = try await bench.run(["audit", "--base", start, "--head", "main", "--trust-tool-commits"])
        #expect(handEdit.status == 1, "\(handEdit.stdout)")
        #expect(handEdit.stdout.contains("channel"), "\(handEdit.stdout)")
    }

    /// Bringing main into the pull request with a merge commit takes the
    /// platform's new values from main: a merge is fine where each value
    /// equals one of its parents'.
    @Test func aMergeTakingEachValueFromAParentPasses() async throws {
        let (bench, tickets) = try await setUp()
        let base = try #require(try await bench.tip())
        let path = SampleTickets.path(tickets[0])
        let review = try commit(bench, [path: replacing("status: pending", "status: in_progress")])
        try bench.platform.change(tickets[0].id) { $0.summary = "Charged twice.\nThe bank reversed one charge.\n" }
        #expect(try await bench.pull().status == 0)
        let repository = try bench.repository()
        let main = try #require(try repository.resolve(reference: "refs/heads/main"))

        // The merged file: main's summary, the pull request's status.
        let merged = String(decoding: try #require(try repository.blob(at: path, in: main)), as: UTF8.self)
            .replacingOccurrences(of: "status: pending\n", with: "status: in_progress\n")
        let cursor = try #require(try repository.blob(at: TicketStore.cursorPath, in: main))
        let mergeCommit = try repository.createCommit(
            parent: review, mergedParents: [main],
            treeUpdates: [
                (path, try repository.writeBlob(Array(merged.utf8))),
                (TicketStore.cursorPath, try repository.writeBlob(cursor)),
            ],
            message: "Merge main into review", author: Signature(name: "Ana", email: "ana@example.com")
        ).commit
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/review", expected: review, new: mergeCommit, message: "merge")
        ])

        let result = try await bench.run([
            "audit", "--base", base.withoutSurroundingSpace, "--head", "review", "--trust-tool-commits",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        // Without the main side, the same summary change is a hand edit.
        let squashed = try repository.createCommit(
            parent: review, treeUpdates: [(path, try repository.writeBlob(Array(merged.utf8)))],
            message: "Edit by hand", author: Signature(name: "Ana", email: "ana@example.com")
        ).commit
        let hand = try await bench.run(["audit", "--base", base, "--head", squashed.hex])
        #expect(hand.status == 1 && hand.stdout.contains("[ticket-platform-field]"), "\(hand.stdout)")
        try await bench.expectFsckClean()
    }
}
