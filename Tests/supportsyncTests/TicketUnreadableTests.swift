import Foundation
import Git
import SupportSync
import TestSupport
import Testing

/// No ticket file is skipped without a word: `tickets list`, `show`, `push`
/// and `pull` each report an unreadable file at its place and exit 1, and
/// the readable tickets are still listed, pushed and pulled.
@Suite("unreadable ticket files are reported, never skipped")
struct TicketUnreadableTests {
    @Test func everyCommandReportsTheFileAndExitsOne() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<4)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let broken = SampleTickets.path(tickets[0])
        let good = SampleTickets.path(tickets[1])
        // A hand edit that breaks the YAML, and a legal edit of another ticket.
        try bench.writeFile(
            broken,
            try #require(bench.readFile(broken)).replacingOccurrences(of: "tags: [billing]", with: "tags: [billing"))
        try bench.editTicket(good, [("assignee: null", "assignee: ana")], message: "Take it")
        try bench.commitWorkingFiles([broken], message: "Break a ticket")
        let located = "\(broken):17:9: "

        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 1)
        #expect(list.stderr.contains(located) && list.stderr.contains("[yaml-syntax]"), "\(list.stderr)")
        #expect(list.stdout.contains(tickets[1].id) && list.stdout.contains(tickets[2].id))

        let show = try await bench.run(["tickets", "show", tickets[0].id])
        #expect(show.status == 1)
        #expect(show.stderr.contains(located), "\(show.stderr)")

        // In JSON, standard output holds one document that says where.
        func diagnostics(_ command: [String]) async throws -> [[String: Any]] {
            let result = try await bench.run(command + ["--format", "json"])
            #expect(result.status == 1, "\(command): \(result.stdout)\(result.stderr)")
            let document = try ticketJSON(result.stdout)
            let found = try #require(document["diagnostics"] as? [[String: Any]], "\(command): \(result.stdout)")
            #expect(found.first?["file"] as? String == broken, "\(command): \(found)")
            #expect(found.first?["line"] as? Int == 17, "\(command): \(found)")
            return found
        }
        #expect(try await diagnostics(["tickets", "list"]).count == 1)
        #expect(try await diagnostics(["tickets", "show", tickets[0].id]).count == 1)
        #expect(try await diagnostics(["tickets", "set", tickets[0].id, "--status", "in_progress"]).count == 1)
        let listed = try ticketJSON(try await bench.run(["tickets", "list", "--format", "json"]).stdout)
        #expect((listed["tickets"] as? [[String: Any]])?.count == 2, "\(listed)")

        let push = try await bench.push()
        #expect(push.status == 1, "\(push.stdout)\(push.stderr)")
        #expect(push.stdout.contains(located), "\(push.stdout)")
        #expect(push.stdout.contains("pushed \(tickets[1].id)"))
        #expect(try bench.platform.ticket(tickets[1].id)?.assignee == "ana")

        // The platform changes the broken ticket: pull says where the file is broken.
        try bench.platform.change(tickets[0].id) { $0.record.team.priority = .high }
        let pull = try await bench.pull()
        #expect(pull.status == 1)
        #expect(pull.stdout.contains("skipped \(tickets[0].id): \(broken):17:9: did not find"), "\(pull.stdout)")

        // A file that reads but does not validate: the ticket, and why.
        let invalid = SampleTickets.path(tickets[2])
        let text = try #require(bench.readFile(invalid))
        let agentLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("agent: ") })
        try bench.writeFile(invalid, text.replacingOccurrences(of: agentLine, with: "agent: Billing_Line"))
        let shown = try await bench.run(["tickets", "show", tickets[2].id, "--format", "json"])
        #expect(shown.status == 1, "\(shown.stdout)\(shown.stderr)")
        let document = try ticketJSON(shown.stdout)
        #expect((document["ticket"] as? [String: Any])?["id"] as? String == tickets[2].id, "\(document)")
        let why = try #require(document["diagnostics"] as? [[String: Any]], "\(document)")
        #expect(why.first?["file"] as? String == invalid && why.first?["line"] as? Int == 2, "\(why)")
    }

    /// The platform's change to a ticket whose file is broken in git waits
    /// with its batch (the cursor stays) until the file is mended: nothing
    /// the platform sent is lost.
    @Test func aBrokenFileHoldsItsBatchAndLosesNothing() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let broken = SampleTickets.path(tickets[0])
        let original = try #require(bench.readFile(broken))
        try bench.writeFile(broken, original.replacingOccurrences(of: "tags: [billing]", with: "tags: [billing"))
        try bench.commitWorkingFiles([broken], message: "Break a ticket")
        try bench.platform.change(tickets[0].id) { $0.record.team.priority = .high }
        let later = SampleTickets.make(3..<4)
        try bench.platform.put(later)
        for _ in 0..<2 {
            let pull = try await bench.pull()
            #expect(pull.status == 1, "\(pull.stdout)")
            #expect(pull.stdout.contains("skipped \(tickets[0].id): \(broken):17:9:"), "\(pull.stdout)")
            #expect(pull.stdout.contains("the cursor stayed"), "\(pull.stdout)")
            // Not "nothing new": the platform's change waits.
            #expect(
                pull.stdout.contains("tickets pull: 0 new, 0 updated, 1 skipped in 0 commits (nothing committed)"),
                "\(pull.stdout)")
            #expect(bench.readFile(SampleTickets.path(later[0])) == nil, "the batch waits whole")
        }
        try bench.writeFile(broken, original)
        try bench.commitWorkingFiles([broken], message: "Mend the ticket")
        let mended = try await bench.pull()
        #expect(mended.status == 0, "\(mended.stdout)")
        #expect(try #require(bench.readFile(broken)).contains("priority: high"), "the platform's change arrived")
        #expect(bench.readFile(SampleTickets.path(later[0])) != nil)
        try await bench.expectFsckClean()
    }

    /// A broken file whose ticket the platform does not send is reported by
    /// every pull too, and so is a ticket-like file nothing reads; `list`
    /// reports them and a copy under another name, and lists each ticket once.
    @Test func pullAndListReportFilesThePlatformDoesNotTouch() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let broken = SampleTickets.path(tickets[0])
        let text = try #require(bench.readFile(broken))
        try bench.writeFile(broken, text.replacingOccurrences(of: "tags: [billing]", with: "tags: [billing"))
        let good = SampleTickets.path(tickets[1])
        let other = try #require(bench.readFile(good))
        let yml = good.replacingOccurrences(of: ".yaml", with: ".yml")
        let copy = good.replacingOccurrences(of: tickets[1].id, with: "copy of \(tickets[1].id)")
        try bench.writeFile(yml, other)
        try bench.writeFile(copy, other)
        try bench.commitWorkingFiles([broken, yml, copy], message: "Break and copy")
        for _ in 0..<2 {
            let pull = try await bench.pull()
            #expect(pull.status == 1, "\(pull.stdout)")
            #expect(pull.stdout.contains("\(broken):17:9: error:"), "\(pull.stdout)")
            #expect(
                pull.stdout.contains("\(yml):1:1: error:") && pull.stdout.contains("[ticket-path]"), "\(pull.stdout)")
            #expect(pull.stdout.contains("0 new, 0 updated"), "\(pull.stdout)")
        }
        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 1)
        #expect(list.stderr.contains("\(broken):17:9:") && list.stderr.contains("\(yml):1:1:"), "\(list.stderr)")
        #expect(list.stderr.contains("\(copy):"), "\(list.stderr)")
        #expect(list.stdout.components(separatedBy: tickets[1].id).count == 2, "listed once: \(list.stdout)")
    }

    /// A second file for one ticket (another month, other values): pull
    /// and push name both with audit's error and exit 1; push sends the
    /// ticket from neither, with no false conflict or note.
    @Test func twoFilesForOneTicketAreReportedByPullAndPush() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let path = SampleTickets.path(tickets[0])
        // A conflict recorded before the copy is made.
        try bench.editTicket(path, [("assignee: null", "assignee: luis")])
        try bench.platform.change(tickets[0].id) { $0.record.team.assignee = "eva" }
        #expect(try await bench.pull().status == 1)
        let twin = "tickets/2025/01/\(tickets[0].id).yaml"
        let text = try #require(bench.readFile(path))
        try bench.writeFile(
            twin,
            text.replacingOccurrences(of: "status: pending\n", with: "status: resolved\n")
                .replacingOccurrences(of: "resolution: null\n", with: "resolution: dup\n"))
        try bench.commitWorkingFiles([twin], message: "A second file")
        let push = try await bench.push()
        #expect(push.status == 1, "\(push.stdout)\(push.stderr)")
        let output = push.stdout + push.stderr
        #expect(output.contains("\(twin):1:1: error:") && output.contains("[ticket-duplicate]"), "\(output)")
        #expect(
            !output.contains("conflict \(tickets[0].id)") && !output.contains("no platform base")
                && output.contains("0 pushed, 0 conflicts, 0 failed"), "\(output)")
        #expect(try bench.platform.ticket(tickets[0].id)?.record.team.status == .pending)
        // Not merged, so its recorded conflict stays.
        let conflicts = try await bench.run(["tickets", "list", "--conflicts"])
        #expect(conflicts.stdout.contains(tickets[0].id), "\(conflicts.stdout)\(conflicts.stderr)")
        let pull = try await bench.pull()
        #expect(pull.status == 1, "\(pull.stdout)")
        #expect(
            pull.stdout.contains("\(path):1:1: error:") && pull.stdout.contains("[ticket-duplicate]"), "\(pull.stdout)")
    }

    /// A commit's author and message are anybody's text: `tickets history`
    /// escapes them, so they cannot recolour the terminal or forge a line.
    @Test func historyEscapesAuthorsAndMessages() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<2)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let path = SampleTickets.path(tickets[0])
        try bench.writeFile(
            path, try #require(bench.readFile(path)).replacingOccurrences(of: "assignee: null", with: "assignee: ana"))
        try bench.commitWorkingFiles(
            [path], message: "take it\u{1B}[31m red\rforged",
            author: Signature(name: "ev\u{1B}[31mil", email: "e@example.com"))
        let history = try await bench.run(["tickets", "history", tickets[0].id])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(!history.stdout.contains("\u{1B}") && !history.stdout.contains("\r"), "\(history.stdout)")
        #expect(history.stdout.contains(#"Author: ev\u{1B}[31mil <e@example.com>"#), "\(history.stdout)")
        #expect(history.stdout.contains(#"take it\u{1B}[31m red\rforged"#), "\(history.stdout)")
    }

    @Test func aFIFOOrALinkOutOfTheRepositoryIsReportedNotRead() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<3)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let fifo = SampleTickets.path(tickets[0])
        try FileManager.default.removeItem(at: bench.root.appendingPathComponent(fifo))
        #expect(mkfifo(bench.root.appendingPathComponent(fifo).path, 0o600) == 0)
        let outside = try TemporaryFolder(["elsewhere.yaml": "id: SECRET-VALUE\n"])
        let linked = SampleTickets.path(tickets[1])
        try FileManager.default.removeItem(at: bench.root.appendingPathComponent(linked))
        try FileManager.default.createSymbolicLink(
            atPath: bench.root.appendingPathComponent(linked).path,
            withDestinationPath: outside.url.appendingPathComponent("elsewhere.yaml").path)

        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 1)
        #expect(list.stderr.contains("\(fifo):1:1: error: the path is a FIFO (named pipe), not a regular file"))
        #expect(
            list.stderr.contains("\(linked):1:1: error: the file is a symbolic link to a place outside the repository"))
        #expect(!list.stdout.contains("SECRET") && !list.stderr.contains("SECRET"))
        let show = try await bench.run(["tickets", "show", tickets[1].id])
        #expect(show.status == 1 && !show.stdout.contains("SECRET"))
    }
}

extension TicketUnreadableTests {
    /// The list cache answers for unchanged files only: an edit of the same
    /// size right after a list, a file broken after it was cached, and a file
    /// removed are all seen by the next list.
    @Test func theListCacheNeverHidesAChange() async throws {
        let bench = try TicketBench()
        let tickets = SampleTickets.make(1..<4)
        try bench.platform.put(tickets)
        #expect(try await bench.pull().status == 0)
        let first = try await bench.run(["tickets", "list"])
        #expect(first.status == 0)
        #expect(
            FileManager.default.fileExists(
                atPath: bench.root.appendingPathComponent(".git/supportsync/list-cache").path))
        #expect(try await bench.run(["tickets", "list"]).stdout == first.stdout, "the cached answer is the same")

        // Same size, same second: the cache must not answer for it.
        let edited = SampleTickets.path(tickets[0])
        try bench.writeFile(
            edited,
            try #require(bench.readFile(edited)).replacingOccurrences(of: "assignee: null", with: "assignee: anaa"))
        let second = try await bench.run(["tickets", "list", "--assignee", "anaa"])
        #expect(second.status == 0 && second.stdout.contains(tickets[0].id), "\(second.stdout)")

        let broken = SampleTickets.path(tickets[1])
        try bench.writeFile(broken, "status: [")
        try FileManager.default.removeItem(at: bench.root.appendingPathComponent(SampleTickets.path(tickets[2])))
        let third = try await bench.run(["tickets", "list"])
        #expect(third.status == 1)
        #expect(third.stderr.contains("\(broken):2:1: error:"))
        #expect(third.stdout.contains(tickets[0].id) && !third.stdout.contains(tickets[2].id))
        let json = try await bench.run(["tickets", "list", "--format", "json"])
        #expect(json.stdout.contains("\"summary\""), "JSON lists whole tickets")
    }

    /// In a repository without sealing, a customer who writes their name as
    /// `sealed:v1:...` gets a ticket like any other: pulled, listed, set,
    /// audited. Only where the platform seals is such a value checked.
    @Test func textThatStartsLikeASealedValueIsTheCustomersText() async throws {
        let bench = try TicketBench()
        var ticket = SampleTickets.make(1)
        ticket.record.report.customer.name = "sealed:v1:nope"
        ticket.record.report.reason = "sealed:v1:0123456789abcdef:QUJD"
        ticket.record.report.summary = "sealed:v1:fedcba9876543210:QUJD"
        try bench.platform.put([ticket])
        let pull = try await bench.pull()
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        let start = try await bench.gitOutput(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let list = try await bench.run(["tickets", "list"])
        #expect(list.status == 0 && list.stdout.contains(ticket.id), "\(list.stdout)\(list.stderr)")
        let set = try await bench.run(["tickets", "set", ticket.id, "--status", "in_progress", "--commit"])
        #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
        let audit = try await bench.run(["audit", "--base", start])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        let show = try await bench.run(["tickets", "show", ticket.id])
        #expect(show.status == 0 && show.stdout.contains("sealed:v1:nope"), "\(show.stdout)\(show.stderr)")
        // Nothing to open: the text is shown as it is, not refused as a broken seal.
        let revealed = try await bench.run(["tickets", "show", ticket.id, "--reveal", "--db", bench.database])
        #expect(
            revealed.status == 0 && revealed.stdout.contains("sealed:v1:nope"), "\(revealed.stdout)\(revealed.stderr)")
        #expect(!revealed.stderr.contains("note:"), "no seal to open, no key to miss: \(revealed.stderr)")

        // Files are read as they were written (the cursor says how), not as
        // supportsync.yaml says now: a seal list turned on before `tickets
        // seal`, or a broken file, changes nothing for the reading commands.
        for config in ["tickets:\n  seal: [customer, summary, fields, reason]\n", "tickets:\n  seal: [\n"] {
            try bench.writeFile(ProjectFile.path, config)
            let listed = try await bench.run(["tickets", "list"])
            #expect(
                listed.status == 0 && listed.stdout.contains(ticket.id), "\(config): \(listed.stdout)\(listed.stderr)")
            let audited = try await bench.run(["audit", "--base", start])
            #expect(audited.status == 0, "\(config): \(audited.stdout)\(audited.stderr)")
        }
    }
}
