import Foundation
import SupportSync
import TestSupport
import Testing
import VapiProvider

/// Tickets from Vapi end to end: the built executable pulls flagged calls
/// from the fake Vapi into git, reveals, pushes and erases.
@Suite(.serialized) struct VapiTicketCommandTests {
    static func project(seal: String? = nil) -> String {
        """
        platforms:
          production:
            provider: vapi
            url: env/VAPI_URL
            token: env/VAPI_TOKEN
            strict_supports: false
            pull_tickets: true
        default: production
        \(seal.map { "tickets:\n  seal: \($0)\n" } ?? "")
        """
    }

    /// The example agents applied to the fake; returns-chat's assistant id.
    static func applied(_ bench: VapiApplyTests.Bench) async throws -> String {
        let apply = try await bench.run(["apply"])
        try #require(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        return try #require(try await bench.bound()["returns-chat"]?["id"]?.string)
    }

    /// The ticket file of `id` in the working tree.
    static func file(_ bench: VapiApplyTests.Bench, _ id: String) throws -> String {
        let folder = bench.repository.root.appendingPathComponent("tickets")
        let found = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.first {
            $0.hasSuffix("/\(id).yaml")
        }
        let path = try #require(found, "no file for \(id)")
        return try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func pullRevealPushAndErase() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project())
        let start = try #require(try bench.repository.tip())
        let assistant = try await Self.applied(bench)
        let flagged = VapiTicketTests.call(assistant: assistant, flagged: true)
        let id = try #require(flagged["id"]?.string)
        try await bench.fake.call(
            "POST", "/__fake/calls", .array([flagged, VapiTicketTests.call(assistant: assistant, flagged: false)]))

        let pull = try await bench.run(["tickets", "pull"])
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        #expect(pull.stdout.contains("1 new"), "\(pull.stdout)")
        let text = try Self.file(bench, id)
        // Sealing is on and Vapi holds no keys: customer data stays out of git.
        #expect(text.contains("reason: \"withheld:v1\""), "\(text)")
        #expect(text.contains("order_id: \"withheld:v1\""), "\(text)")
        #expect(!text.contains("ana@example.com") && !text.contains("A-1029") && !text.contains("shoes"))
        #expect(text.contains("agent: returns-chat") && text.contains("priority: high"), "\(text)")
        #expect(text.contains("conversation: \(id)"))

        let again = try await bench.run(["tickets", "pull", "--format", "json"])
        #expect(again.status == 0, "\(again.stderr)")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(again.stdout.utf8))
        #expect(document["new"] == .array([]) && document["updated"] == .array([]) && document["commits"] == .array([]))

        let shown = try await bench.run(["tickets", "show", id])
        #expect(shown.status == 0 && !shown.stdout.contains("ana@example.com"))
        let revealed = try await bench.run(["tickets", "show", id, "--reveal"])
        #expect(revealed.status == 0, "\(revealed.stderr)")
        #expect(revealed.stdout.contains("ana@example.com") && revealed.stdout.contains("A-1029"), "\(revealed.stdout)")

        // The team works the ticket in git; Vapi keeps no status.
        let set = try await bench.run(["tickets", "set", id, "--status", "in_progress", "--assignee", "lu", "--commit"])
        #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
        try await bench.fake.clearRequests()
        let push = try await bench.run(["tickets", "push"])
        #expect(push.status == 0, "\(push.stdout)\(push.stderr)")
        #expect(push.stdout.contains("nothing was sent"), "\(push.stdout)")
        let writes = try await bench.fake.requests().filter { $0["method"]?.string != "GET" }
        #expect(writes.isEmpty, "\(writes)")
        // A later update of the call keeps git's team fields.
        var updated = flagged
        updated["analysis"] = .object(["summary": .string("Wants a refund, not an exchange.")])
        try await bench.fake.call("POST", "/__fake/calls", .array([updated]))
        let third = try await bench.run(["tickets", "pull"])
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        let after = try Self.file(bench, id)
        #expect(after.contains("status: in_progress") && after.contains("assignee: lu"), "\(after)")
        // An access request lists the ticket with git's team fields, not Vapi's none.
        let found = try await bench.run(["tickets", "find", "--customer", "ana@example.com"])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.contains("ana@example.com"), "\(found.stdout)")
        #expect(
            found.stdout.contains("status: in_progress") && found.stdout.contains("assignee: lu"), "\(found.stdout)")

        // A reason holding the customer's e-mail address deletes nothing.
        let leak = try await bench.run(["tickets", "erase", id, "--reason", "asked by Ana@Example.com"])
        #expect(leak.status == 1 && leak.stderr.contains("the customer's e-mail address"), "\(leak.stderr)")
        #expect(!leak.stderr.contains("xample.com"), "\(leak.stderr)")
        let kept = try await bench.fake.call("GET", "/__fake/state")["calls"]?.array ?? []
        #expect(kept.contains { $0["id"]?.string == id })

        // Erasing deletes the call and commits the erasure at once.
        let erase = try await bench.run(["tickets", "erase", id, "--reason", "REQ-12", "--by", "privacy"])
        #expect(erase.status == 0, "\(erase.stdout)\(erase.stderr)")
        #expect(erase.stderr.contains("the erasure is committed"), "\(erase.stderr)")
        let calls = try await bench.fake.call("GET", "/__fake/state")["calls"]?.array ?? []
        #expect(!calls.contains { $0["id"]?.string == id })
        let erased = try Self.file(bench, id)
        #expect(!erased.contains("withheld:v1") && erased.contains("reason: REQ-12"), "\(erased)")
        let gone = try await bench.run(["tickets", "show", id, "--reveal"])
        #expect(gone.status == 0 && !gone.stdout.contains("ana@example.com"))

        // Every commit the tool made passes the audit; git agrees the repository is sound.
        let audit = try await bench.run(["audit", "--base", start.hex, "--trust-tool-commits"])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        _ = try WitnessGit.run(["fsck", "--strict"], in: bench.repository.root)
        #expect(try await bench.fake.failures().isEmpty)
    }

    /// A flagged call whose id is not a UUID (as Vapi's are) is no ticket,
    /// since it could be neither read back nor erased, and the pull says so.
    @Test func aFlaggedCallWithAnOddIDIsLeftOutAndSaid() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project())
        let assistant = try await Self.applied(bench)
        let good = VapiTicketTests.call(assistant: assistant, flagged: true)
        let odd = VapiTicketTests.call(assistant: assistant, flagged: true, id: "../not-a-uuid")
        try await bench.fake.call("POST", "/__fake/calls", .array([good, odd]))
        let pull = try await bench.run(["tickets", "pull"])
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        #expect(pull.stdout.contains("1 new"), "\(pull.stdout)")
        #expect(pull.stderr.contains("flagged calls whose id is not a UUID"), "\(pull.stderr)")
        #expect(pull.stderr.contains("../not-a-uuid"), "\(pull.stderr)")
    }

    /// A `flag_webhook` whose variable is unset stops what writes agents
    /// (it would remove the flag tool), not a ticket command, which never
    /// uses it: a pull job needs no webhook variable.
    @Test func aTicketPullNeedsNoFlagWebhookVariable() async throws {
        let project = Self.project().replacingOccurrences(
            of: "    pull_tickets: true\n",
            with: "    pull_tickets: true\n    flag_webhook: env/SUPPORTSYNC_TEST_UNSET_HOOK\n")
        let bench = try VapiApplyTests.Bench(project: project)
        let plan = try await bench.run(["plan"])
        #expect(plan.status == 64, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stderr.contains("flag_webhook"), "\(plan.stderr)")
        let pull = try await bench.run(["tickets", "pull"])
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
    }

    /// `sync` on Vapi: agents applied, tickets pulled, nothing pushed, and
    /// retention choosing closed tickets from git, since Vapi has no status.
    @Test func syncErasesClosedTicketsChosenFromGit() async throws {
        let project = Self.project().replacingOccurrences(
            of: "default: production\n", with: "default: production\ntickets:\n  erase_closed_after: 30d\n")
        let bench = try VapiApplyTests.Bench(project: project)
        let assistant = try await Self.applied(bench)
        let old = VapiTicketTests.call(
            assistant: assistant, flagged: true, at: ("2026-01-05T09:00:00.000Z", "2026-01-05T09:10:00.000Z"))
        let open = VapiTicketTests.call(
            assistant: assistant, flagged: true, email: "bo@example.com",
            at: ("2026-01-06T09:00:00.000Z", "2026-01-06T09:10:00.000Z"))
        let (oldID, openID) = (try #require(old["id"]?.string), try #require(open["id"]?.string))
        try await bench.fake.call("POST", "/__fake/calls", .array([old, open]))
        let first = try await bench.run(["sync"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("the platform keeps no ticket status"), "\(first.stdout)")
        let close = try await bench.run([
            "tickets", "set", oldID, "--status", "closed", "--resolution", "Refunded", "--commit",
        ])
        #expect(close.status == 0, "\(close.stdout)\(close.stderr)")

        let second = try await bench.run(["sync"])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let calls = try await bench.fake.call("GET", "/__fake/state")["calls"]?.array ?? []
        #expect(calls.compactMap { $0["id"]?.string } == [openID])
        let erased = try Self.file(bench, oldID)
        #expect(erased.contains("erasure:") && erased.contains("status: closed"), "\(erased)")
        #expect(!(try Self.file(bench, openID)).contains("erasure:"))
        #expect(try await bench.fake.failures().isEmpty)
    }

    /// Calls nobody flagged move the cursor too: when a thousand or more of
    /// them fall out of the window and there is no ticket, the pull commits
    /// the cursor alone, so the next pull does not list them again.
    @Test func manyCallsNobodyFlaggedAreNotReadAgain() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project())
        let assistant = try await Self.applied(bench)
        let first = VapiTicketTests.call(
            assistant: assistant, flagged: true, at: ("2026-12-01T07:00:00.000Z", "2026-12-01T07:00:00.000Z"))
        try await bench.fake.call("POST", "/__fake/calls", .array([first]))
        #expect(try await bench.run(["tickets", "pull"]).status == 0)
        // An hour of calls nobody flagged, 2.4 s apart: 1,250 of them before
        // the last ten minutes, which every pull reads again anyway.
        let quiet = (0..<1_500).map { index in
            let milliseconds = index * 2_400
            let time = String(
                format: "2026-12-01T08:%02d:%02d.%03dZ", milliseconds / 60_000, milliseconds / 1_000 % 60,
                milliseconds % 1_000)
            return VapiTicketTests.call(assistant: assistant, flagged: false, at: (time, time))
        }
        try await bench.fake.call("POST", "/__fake/calls", .array(quiet))
        let pull = try await bench.run(["tickets", "pull"])
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        #expect(pull.stdout.contains("0 new, 0 updated in 1 commit"), "\(pull.stdout)")
        let cursor = try String(
            contentsOf: bench.repository.root.appendingPathComponent("tickets/.supportsync-cursor/v2"), encoding: .utf8)
        // The window now starts ten minutes before the newest call listed.
        #expect(cursor.contains("vapi1/2026-12-01T08:49:"), "\(cursor)")
        try await bench.fake.clearRequests()
        #expect(try await bench.run(["tickets", "pull"]).status == 0)
        let lists = try await bench.fake.requests().filter { $0["path"]?.string == "/call" }
        // The last ten minutes' 250 calls, 100 a page, then the page that
        // brings nothing new; not the 1,500.
        #expect(lists.count == 4, "\(lists.count)")
        #expect(lists.allSatisfy { $0["query"]?["updatedAtGe"]?.string?.hasPrefix("2026-12-01T08:49:") == true })
    }

    /// A ticket's call that no longer reads as flagged (its extraction ran
    /// again) is still the ticket's call: erasing deletes it.
    @Test func erasingDeletesTheCallEvenWhenItIsNoLongerFlagged() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project())
        let assistant = try await Self.applied(bench)
        let flagged = VapiTicketTests.call(assistant: assistant, flagged: true)
        let id = try #require(flagged["id"]?.string)
        try await bench.fake.call("POST", "/__fake/calls", .array([flagged]))
        #expect(try await bench.run(["tickets", "pull"]).status == 0)
        let unflagged = VapiTicketTests.call(assistant: assistant, flagged: false, id: id)
        try await bench.fake.call("POST", "/__fake/calls", .array([unflagged]))
        let erase = try await bench.run(["tickets", "erase", id, "--reason", "REQ-5"])
        #expect(erase.status == 0, "\(erase.stdout)\(erase.stderr)")
        let calls = try await bench.fake.call("GET", "/__fake/state")["calls"]?.array ?? []
        #expect(calls.isEmpty)
        #expect(try Self.file(bench, id).contains("reason: REQ-5"))
        // Erased again: git holds the erasure, the call is gone: nothing to do, said so.
        let again = try await bench.run(["tickets", "erase", id, "--reason", "REQ-5"])
        #expect(again.status == 1, "\(again.stdout)\(again.stderr)")
    }

    /// Mid-merge, the erasure's commit would be refused: so the call is not
    /// deleted either (Vapi forgets it, and git would never learn of it).
    @Test func anErasureMidMergeDeletesNothing() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project())
        let assistant = try await Self.applied(bench)
        let flagged = VapiTicketTests.call(assistant: assistant, flagged: true)
        let id = try #require(flagged["id"]?.string)
        try await bench.fake.call("POST", "/__fake/calls", .array([flagged]))
        #expect(try await bench.run(["tickets", "pull"]).status == 0)
        let git = bench.repository.root.appendingPathComponent(".git")
        let tip = try #require(try bench.repository.tip())
        try Data("\(tip.hex)\n".utf8).write(to: git.appendingPathComponent("MERGE_HEAD"))
        let erase = try await bench.run(["tickets", "erase", id, "--reason", "REQ-6"])
        #expect(erase.status == 1, "\(erase.stdout)\(erase.stderr)")
        #expect(erase.stderr.contains("a merge is in progress"), "\(erase.stderr)")
        let calls = try await bench.fake.call("GET", "/__fake/state")["calls"]?.array ?? []
        #expect(calls.count == 1, "the call is still on Vapi")
    }

    /// A call Vapi no longer has is gone, and its ticket is erased in git,
    /// only when the key sees the environment's assistants: a key of another
    /// organization (or the wrong URL) sees no call and none of them, and
    /// must not have a ticket whose call still exists marked erased.
    @Test func aCallThisKeyCannotSeeIsNotTakenForGone() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project())
        let assistant = try await Self.applied(bench)
        let calls = [
            VapiTicketTests.call(assistant: assistant, flagged: true),
            VapiTicketTests.call(assistant: assistant, flagged: true),
        ]
        let ids = try calls.map { try #require($0["id"]?.string) }
        try await bench.fake.call("POST", "/__fake/calls", .array(calls))
        #expect(try await bench.run(["tickets", "pull"]).status == 0)
        // Deleted on Vapi's side: gone, and erased in git.
        _ = try await bench.fake.call("DELETE", "/call/\(ids[0])", token: true)
        let gone = try await bench.run(["tickets", "erase", ids[0], "--reason", "REQ-7"])
        #expect(gone.status == 0, "\(gone.stdout)\(gone.stderr)")
        #expect(try Self.file(bench, ids[0]).contains("reason: REQ-7"))
        // The key sees none of the environment's assistants (another
        // organization's): the ticket is not erased.
        for assistant in try await bench.fake.state().assistants {
            let id = try #require(assistant["id"]?.string)
            _ = try await bench.fake.call("POST", "/__fake/assistants/\(id)/edit", .object(["metadata": .object([:])]))
        }
        _ = try await bench.fake.call("DELETE", "/call/\(ids[1])", token: true)
        let unseen = try await bench.run(["tickets", "erase", ids[1], "--reason", "REQ-8"])
        #expect(unseen.status == 3, "\(unseen.stdout)\(unseen.stderr)")
        #expect(unseen.stderr.contains("this key sees none of environment production's assistants"), "\(unseen.stderr)")
        #expect(!unseen.stderr.contains("the erasure is committed"), "\(unseen.stderr)")
        #expect(!(try Self.file(bench, ids[1]).contains("erasure:")))
        // Another Vapi (another URL) with the environment's assistants: git's
        // tickets did not come from it, so a call it lacks is not gone.
        let other = try FakeVapi()
        #expect(try await bench.run(["apply"], url: other.url).status == 0)
        let elsewhere = try await bench.run(["tickets", "erase", ids[1], "--reason", "REQ-9"], url: other.url)
        #expect(elsewhere.status == 3, "\(elsewhere.stdout)\(elsewhere.stderr)")
        #expect(elsewhere.stderr.contains("but git's tickets came from vapi:production@"), "\(elsewhere.stderr)")
        #expect(!(try Self.file(bench, ids[1]).contains("erasure:")))
    }

    @Test func sealNothingStoresPlainTextWithTheWarning() async throws {
        let bench = try VapiApplyTests.Bench(project: Self.project(seal: "[]"))
        let assistant = try await Self.applied(bench)
        let flagged = VapiTicketTests.call(assistant: assistant, flagged: true)
        let id = try #require(flagged["id"]?.string)
        try await bench.fake.call("POST", "/__fake/calls", .array([flagged]))
        let validate = try await bench.run(["validate"])
        #expect(validate.stderr.contains("plain text") || validate.stdout.contains("plain text"))
        let pull = try await bench.run(["tickets", "pull"])
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        let text = try Self.file(bench, id)
        #expect(text.contains("email: ana@example.com") && !text.contains("withheld"), "\(text)")
        // Erased: the plain copy in git is emptied in the same run.
        let erase = try await bench.run(["tickets", "erase", "--customer", "ANA@example.com", "--reason", "REQ-3"])
        #expect(erase.status == 0, "\(erase.stdout)\(erase.stderr)")
        #expect(!(try Self.file(bench, id)).contains("ana@example.com"))
    }
}
