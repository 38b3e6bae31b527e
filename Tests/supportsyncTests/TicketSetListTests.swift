import Foundation
import SupportSync
import TestSupport
import Testing
import YAML

/// `tickets set` (every transition, allowed and refused, written as the
/// pull writes it), `tickets list` filters and sorts on a set with known
/// answers, and reports that name at most 20 ids.
@Suite("tickets set and list, end to end")
struct TicketSetListTests {
    /// A repository holding `count` pulled tickets, plain.
    func bench(_ tickets: [Ticket]) async throws -> TicketBench {
        let bench = try TicketBench()
        try bench.platform.put(tickets)
        let pulled = try await bench.pull()
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        return bench
    }

    static let transitions: [(from: TicketStatus, to: TicketStatus, allowed: Bool)] = TicketStatus.allCases.flatMap {
        from in
        TicketStatus.allCases.filter { $0 != from }.map { (from, $0, from.canMove(to: $0)) }
    }

    /// A customer part nobody collected is null in the JSON commands print
    /// (README "JSON"), as in the file; the platform's API leaves it out.
    @Test func anUnknownCustomerPartIsNullInTheCommandsJSON() async throws {
        var ticket = SampleTickets.make(1)
        ticket.record.report.customer.phone = nil
        let bench = try await bench([ticket])
        let email = try #require(ticket.record.report.customer.email)
        for command in [
            ["tickets", "show", ticket.id], ["tickets", "list"],
            ["tickets", "find", "--customer", email, "--db", bench.database],
        ] {
            let result = try await bench.run(command + ["--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let shown = (document["tickets"] as? [[String: Any]])?.first ?? document["ticket"] as? [String: Any] ?? [:]
            let customer = try #require(shown["customer"] as? [String: Any], "\(result.stdout)")
            #expect(customer.keys.sorted() == ["email", "name", "phone"], "\(command): \(result.stdout)")
            #expect(customer["phone"] is NSNull)
        }
        // The API keeps its own shape: the part is left out.
        let wire = String(decoding: try JSONEncoder().encode(ticket), as: UTF8.self)
        #expect(!wire.contains("phone"), "\(wire)")
    }

    @Test func everyTransitionIsCheckedAsAuditChecksIt() async throws {
        let tickets = Self.transitions.indices.map { index in
            SampleTickets.make(index + 1, status: Self.transitions[index].from)
        }
        let bench = try await bench(tickets)
        for (index, transition) in Self.transitions.enumerated() {
            let id = SampleTickets.id(index + 1)
            let result = try await bench.run([
                "tickets", "set", id, "--status", transition.to.rawValue, "--resolution", "Refunded the charge",
                "--commit",
            ])
            if transition.allowed {
                #expect(result.status == 0, "\(transition): \(result.stderr)")
                let path = SampleTickets.path(tickets[index])
                let text = try #require(bench.readFile(path))
                #expect(text.contains("\nstatus: \(transition.to.rawValue)\n"))
                // Byte for byte what a pull writes for the same record.
                var record = TicketRecord(tickets[index])
                record.team.status = transition.to
                record.team.resolution = "Refunded the charge"
                #expect(text == TicketFile.text(record))
            } else {
                #expect(result.status == 1, "\(transition) was allowed")
                #expect(result.stderr.contains("cannot move to \(transition.to.rawValue)"))
            }
        }
        // Each allowed change is one commit, and audit accepts them all.
        let commits = try await bench.commits()
        #expect(commits.count == 2 + Self.transitions.count { $0.allowed })
        #expect(try await bench.status() == "")
        let audit = try await bench.run(["audit", "--base", "HEAD~\(Self.transitions.count { $0.allowed })"])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        try await bench.expectFsckClean()
    }

    /// A ticket the platform closed without a resolution reads, lists and
    /// takes a team edit of another field; audit accepts that edit.
    @Test func aTicketClosedWithoutAResolutionOnThePlatformIsWorkable() async throws {
        var closed = SampleTickets.make(1, status: .closed)
        closed.record.team.resolution = nil
        let bench = try await bench([closed])
        let id = SampleTickets.id(1)
        let list = try await bench.run(["tickets", "list", "--status", "closed"])
        #expect(list.status == 0 && list.stdout.contains(id), "\(list.stdout)\(list.stderr)")
        let start = try await bench.gitOutput(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let edit = try await bench.run(["tickets", "set", id, "--assignee", "ana", "--commit"])
        #expect(edit.status == 0, "\(edit.stdout)\(edit.stderr)")
        let audit = try await bench.run(["audit", "--base", start])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        // Emptying a resolution the team wrote is still refused.
        let blank = try await bench.run(["tickets", "set", id, "--resolution", " "])
        #expect(blank.status == 1, "\(blank.stdout)\(blank.stderr)")
    }

    /// A change that would take a ticket file over the size limit is
    /// refused, saying the values set are what to shorten: the rest of the
    /// file is the platform's. The file is left as it was.
    @Test func aChangeOverTheSizeLimitIsRefusedAndSaysWhatToShorten() async throws {
        var ticket = SampleTickets.make(1)
        let bench = try await bench([ticket])
        let path = SampleTickets.path(ticket)
        // A summary that takes the file to 20 bytes under the limit, found in two pulls.
        let limit = YAMLLimits.default.maxBytes
        var length = limit - 1000
        for _ in 0..<2 {
            ticket.record.report.summary = String(repeating: "a", count: length)
            try bench.platform.put([ticket])
            #expect(try await bench.pull().status == 0)
            length += limit - 20 - (try #require(bench.readFile(path)).utf8.count)
        }
        let before = try #require(bench.readFile(path))
        #expect(before.utf8.count == limit - 20)
        let refused = try await bench.run([
            "tickets", "set", ticket.id, "--assignee", String(repeating: "l", count: 60),
        ])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "byte limit of a ticket file; the platform's fields fill most of it, so set shorter values"),
            "\(refused.stderr)")
        #expect(bench.readFile(path) == before)
    }

    @Test func aResolutionIsRequiredAndOnlyTeamFieldsChange() async throws {
        let bench = try await bench([SampleTickets.make(1)])
        let id = SampleTickets.id(1)
        let refused = try await bench.run(["tickets", "set", id, "--status", "resolved"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs a resolution"))
        #expect(try await bench.status() == "")

        let edit = try await bench.run([
            "tickets", "set", id, "--assignee", "luis@example.com", "--priority", "urgent", "--format", "json",
        ])
        #expect(edit.status == 0, "\(edit.stderr)")
        let document = try ticketJSON(edit.stdout)
        #expect(document["commit"] is NSNull)
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect(changes.compactMap { $0["field"] as? String } == ["priority", "assignee"])
        // Left in the working tree: the change is the file's only difference.
        #expect(try await bench.status().contains("M \(SampleTickets.path(SampleTickets.make(1)))"))
        // Asked again with --commit: what the branch lacks is committed, the
        // priority edit left in the tree too, and the message says so.
        let again = try await bench.run([
            "tickets", "set", id, "--assignee", "luis@example.com", "--commit", "--author", "Eva <eva@example.com>",
        ])
        #expect(again.status == 0 && again.stdout.contains("committed"), "\(again.stdout)")
        let message = try await bench.gitOutput(["log", "-1", "--format=%an|%s"])
        #expect(message.contains("Eva|tickets: \(id) priority normal -> urgent, assignee null -> luis@example.com"))
        let nothing = try await bench.run(["tickets", "set", id, "--assignee", "luis@example.com", "--commit"])
        #expect(nothing.stdout.hasPrefix("\(id): nothing to change"))

        let unknown = try await bench.run(["tickets", "set", "T-NOPE", "--status", "closed"])
        #expect(unknown.status == 1)
        #expect(try await bench.run(["tickets", "set", id]).status == 64)
        #expect(try await bench.run(["tickets", "set", id, "--assignee", "a", "--unassign"]).status == 64)
    }

    @Test func setCommitsOnlyTeamChangesAndAgainWithCommitCommitsTheEarlierEdit() async throws {
        let bench = try await bench([SampleTickets.make(1)])
        let id = SampleTickets.id(1)
        let path = SampleTickets.path(SampleTickets.make(1))
        #expect(try await bench.run(["tickets", "set", id, "--status", "in_progress"]).status == 0)
        // The same change again, now with --commit: the earlier edit is committed.
        let again = try await bench.run(["tickets", "set", id, "--status", "in_progress", "--commit"])
        #expect(again.status == 0 && again.stdout.contains("committed"), "\(again.stdout)")
        #expect(try await bench.status() == "")
        // A hand edit of a platform-owned field is never committed by set.
        let text = try #require(bench.readFile(path))
        try bench.writeFile(path, text.replacingOccurrences(of: "conversation: conv_1", with: "conversation: conv_x"))
        let refused = try await bench.run(["tickets", "set", id, "--priority", "low", "--commit"])
        #expect(
            refused.status == 1 && refused.stderr.contains("uncommitted changes to conversation"), "\(refused.stderr)")
        let tip = try await bench.gitOutput(["log", "-1", "--format=%s"])
        #expect(tip.contains("status pending -> in_progress"))
    }

    @Test func filtersFindFilesWrittenByHand() async throws {
        let bench = try await bench(SampleTickets.make(1..<3))
        let path = SampleTickets.path(SampleTickets.make(1))
        let text = try #require(bench.readFile(path))
        // Quoted, and with CRLF line ends (a Windows checkout).
        try bench.writeFile(
            path,
            text.replacingOccurrences(of: "assignee: null", with: "assignee: \"dave\"")
                .replacingOccurrences(of: "\n", with: "\r\n"))
        let byAssignee = try await bench.run(["tickets", "list", "--assignee", "dave"])
        #expect(byAssignee.stdout.contains(SampleTickets.id(1)), "\(byAssignee.stdout)\(byAssignee.stderr)")
        let byAgent = try await bench.run(["tickets", "list", "--agent", "billing-line"])
        #expect(byAgent.stdout.contains(SampleTickets.id(1)) && byAgent.stdout.contains(SampleTickets.id(2)))
    }

    /// Ticket-like files at no ticket's path, at any depth under tickets/
    /// or under another case of it (`Tickets/`), and two files with one id, are reported by the working tree's list
    /// as by a bare repository's, never listed as tickets or passed over.
    @Test func listReportsMisplacedFilesAtAnyDepthAndTwins() async throws {
        let bench = try await bench(SampleTickets.make(1..<3))
        let path = SampleTickets.path(SampleTickets.make(1))
        let text = try #require(bench.readFile(path))
        let other = SampleTickets.make(9)
        let misplaced = [
            "tickets/T-00000009.yaml", "tickets/2026/T-0000000A.yaml", "tickets/2026/2/T-0000000B.yaml",
            "tickets/2026/02/deeper/T-0000000C.yaml", "tickets/2026/02/T-0000000D.yml",
            "Tickets/2026/02/T-0000000E.yaml",
        ]
        for (index, place) in misplaced.enumerated() {
            let id = TicketPaths.id(ofPath: place).replacingOccurrences(of: ".yml", with: "")
            try bench.writeFile(
                place, text.replacingOccurrences(of: SampleTickets.id(1), with: index == 4 ? other.id : String(id)))
        }
        let twin = "tickets/2025/01/\(SampleTickets.id(1).lowercased()).yaml"
        try bench.writeFile(twin, text)
        // Links the walk must not follow: back to the folder itself, and to the root.
        let folder = bench.root.appendingPathComponent("tickets/2026/02").path
        try FileManager.default.createSymbolicLink(atPath: folder + "/loop", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: folder + "/everything", withDestinationPath: "/")
        let listed = try await bench.run(["tickets", "list"])
        #expect(listed.status == 1, "\(listed.stdout)\(listed.stderr)")
        for place in misplaced {
            #expect(listed.stderr.contains("\(place):1:1: error: \(place) is not a ticket path"), "\(listed.stderr)")
        }
        for id in ["T-00000009", "T-0000000A", "T-0000000B", "T-0000000C", "T-0000000E"] {
            #expect(!listed.stdout.contains(id), "\(listed.stdout)")
        }
        #expect(listed.stderr.contains("\(path):1:1: error: another ticket file has this id"), "\(listed.stderr)")
        #expect(listed.stderr.contains("\(twin):1:1: error: another ticket file has this id"), "\(listed.stderr)")
        #expect(listed.stderr.contains("8 ticket files with a problem"), "\(listed.stderr)")
        #expect(!listed.stderr.contains("/loop/") && !listed.stderr.contains("/everything/"), "\(listed.stderr)")
    }

    @Test func listFiltersAndSortsWithKnownAnswers() async throws {
        // 48 tickets: status by number % 4, assigned when number % 3 == 0,
        // channel calls when even, priority urgent when number % 5 == 0.
        var tickets: [Ticket] = []
        for number in 1...48 {
            var ticket = SampleTickets.make(
                number, status: TicketStatus.allCases[number % 4], assignee: number % 3 == 0 ? "luis" : nil,
                month: number % 12 + 1)
            if number % 5 == 0 { ticket.record.team.priority = .urgent }
            if number % 7 == 0 { ticket.record.report.tags = ["vip"] }
            tickets.append(ticket)
        }
        let bench = try await bench(tickets)
        func ids(_ arguments: [String]) async throws -> [String] {
            let result = try await bench.run(["tickets", "list", "--format", "json"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let list = try jsonList(result.stdout, "tickets")
            for entry in list {
                let path = try #require(entry["path"] as? String)
                #expect(
                    path
                        == "tickets/\((entry["created_at"] as! String).prefix(4))/\((entry["created_at"] as! String).dropFirst(5).prefix(2))/\(entry["id"] as! String).yaml"
                )
            }
            return list.compactMap { $0["id"] as? String }
        }
        func expected(_ include: (Ticket) -> Bool) -> Set<String> { Set(tickets.filter(include).map(\.id)) }

        #expect(Set(try await ids(["--assignee", "luis"])) == expected { $0.record.assignee == "luis" })
        #expect(Set(try await ids(["--unassigned"])) == expected { $0.record.assignee == nil })
        #expect(Set(try await ids(["--priority", "urgent"])) == expected { $0.record.priority == .urgent })
        #expect(Set(try await ids(["--tag", "vip"])) == expected { $0.record.report.tags.contains("vip") })
        #expect(Set(try await ids(["--channel", "calls"])) == expected { $0.record.report.channel == .calls })
        #expect(
            Set(try await ids(["--since", "2026-03-01", "--until", "2026-05-31"]))
                == expected { ("2026-03-01"..."2026-05-31T99").contains($0.record.createdAt) })
        #expect(
            Set(try await ids(["--status", "pending", "--unassigned", "--channel", "calls"]))
                == expected {
                    $0.record.status == .pending && $0.record.assignee == nil && $0.record.report.channel == .calls
                })
        let byPriority = try await ids(["--sort", "priority"])
        let urgent = expected { $0.record.priority == .urgent }
        #expect(Set(byPriority.prefix(urgent.count)) == urgent)
        let byStatus = try await ids(["--sort", "status"])
        let statuses = byStatus.map { id in tickets.first { $0.id == id }!.record.status }
        #expect(
            statuses
                == statuses.sorted {
                    TicketStatus.allCases.firstIndex(of: $0)! < TicketStatus.allCases.firstIndex(of: $1)!
                })
        #expect(try await bench.run(["tickets", "list", "--until", "May"]).status == 64)
    }

    @Test func theJobSummaryIsATableOfTicketsCappedAtTwenty() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<26))
        let summary = bench.folder.url.appendingPathComponent("summary.md").path
        let sync = try await bench.run(["sync", "--db", bench.database, "--summary-file", summary])
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        let text = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(text.contains("| ticket | agent | status | changed |"))
        #expect(text.contains("| `\(SampleTickets.id(1))` | billing-line | pending | new |"), "\(text)")
        #expect(text.contains("… and 5 more"))
        #expect(text.components(separatedBy: "| billing-line |").count - 1 == 20)
        #expect(text.contains("and 5 more") && !text.contains(SampleTickets.id(25)))
    }

    @Test func reportsNameTwentyIdsAndCountTheRest() async throws {
        let bench = try await bench(SampleTickets.make(1..<31))
        let message = try await bench.gitOutput(["log", "-1", "--format=%B"])
        #expect(message.contains("and 10 more"))
        #expect(message.contains(SampleTickets.id(20)) && !message.contains(SampleTickets.id(21)))
        try bench.platform.put(SampleTickets.make(31..<56))
        let pulled = try await bench.pull()
        #expect(pulled.stdout.contains("and 5 more"))
        let json = try await bench.run(["tickets", "list", "--format", "json"])
        #expect(try jsonList(json.stdout, "tickets").count == 55)
    }

    @Test func auditOfTheToolsOwnCommitOnTheDefaultBranchPointsAtTrustToolCommits() async throws {
        let bench = try await bench(SampleTickets.make(1..<3))
        let hinted = try await bench.run(["audit", "--base", "HEAD~1"])
        #expect(hinted.status == 1)
        #expect(hinted.stdout.contains("is supportsync's own pull, already on main"), "\(hinted.stdout)")
        #expect(try await bench.run(["audit", "--base", "HEAD~1", "--trust-tool-commits"]).status == 0)
        // A pull commit on another branch (a pull request's) gets no such hint.
        try bench.platform.put(SampleTickets.make(3..<4))
        #expect(try await bench.pull(["--ref", "other"]).status == 0)
        let other = try await bench.run(["audit", "--base", "main", "--head", "other"])
        #expect(other.status == 1)
        #expect(!other.stdout.contains("--trust-tool-commits"), "\(other.stdout)")
        // Nor with that branch checked out, as its author would audit it:
        // every commit of it is "on" it.
        #expect(try await bench.git(["switch", "-q", "other"]).status == 0)
        let checkedOut = try await bench.run(["audit", "--base", "main"])
        #expect(checkedOut.status == 1)
        #expect(!checkedOut.stdout.contains("--trust-tool-commits"), "\(checkedOut.stdout)")
    }
}

/// Every `--format json` document is an object with `format_version` 1 and
/// JSON values, not YAML text.
@Suite("JSON documents, typed and versioned")
struct JSONDocumentTests {
    @Test func everyDocumentCarriesItsFormatVersion() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<3))
        let id = SampleTickets.id(1)
        var commands: [[String]] = [
            ["tickets", "pull", "--db", bench.database], ["tickets", "list"], ["tickets", "show", id],
            ["tickets", "history", id], ["tickets", "diff", "--base", "HEAD~1"],
            ["tickets", "set", id, "--priority", "high"], ["tickets", "push", "--db", bench.database],
            ["audit", "--base", "HEAD~1"], ["validate"], ["test"], ["sync", "--db", bench.database],
        ]
        try bench.writeFile(
            "config/agents/a.yaml",
            "agent: a\nname: A\nchannels: [calls]\nsupport:\n  mode: escalate\n  escalate:\n    destinations: [{name: desk, number: \"+34910000000\"}]\n    ring_timeout: 25\n"
        )
        commands += [
            ["plan", "--db", bench.database], ["apply", "--db", bench.database], ["explain", "a"],
            ["explain", "a", "--at", "2026-12-07T10:00Z"], ["import", "--db", bench.database],
            ["platform", "simulate", "--db", bench.database, "--conversations", "3", "--seed", "1"],
            ["init", "--check"],
        ]
        for command in commands {
            let result = try await bench.run(command + ["--format", "json"])
            let document = try ticketJSON(result.stdout)
            #expect(document["format_version"] as? Int == 1, "\(command): \(result.stdout)\(result.stderr)")
        }
    }

    @Test func planValuesAreJSONValues() async throws {
        let bench = try TicketBench()
        try bench.writeFile(
            "config/agents/a.yaml",
            "agent: a\nname: A\nchannels: [calls]\nsupport:\n  mode: escalate\n  escalate:\n    destinations: [{name: desk, number: \"+34910000000\"}]\n    ring_timeout: 25\n  flag: {tags: [returns]}\n"
        )
        let plan = try await bench.run(["plan", "--db", bench.database, "--format", "json"])
        let document = try ticketJSON(plan.stdout)
        // The platform it talked to, as stderr named it.
        #expect((document["platform"] as? String)?.hasPrefix("local (") == true, "\(plan.stdout)")
        let agents = try #require(document["agents"] as? [[String: Any]])
        let changes = try #require(agents.first?["changes"] as? [[String: Any]])
        func new(_ field: String) -> Any? { changes.first { $0["field"] as? String == field }?["new"] }
        #expect(new("support.escalate.ring_timeout") as? Int == 25)
        #expect(new("support.escalate.summary") as? Bool == true)
        #expect(new("support.flag.tags") as? [String] == ["returns"])
        #expect(new("channels") as? [String] == ["calls"])
        // A saved plan with typed values applies.
        let out = bench.root.appendingPathComponent("plan.json").path
        #expect(try await bench.run(["plan", "--db", bench.database, "--out", out]).status == 0)
        #expect(try await bench.run(["apply", "--db", bench.database, "--plan", out]).status == 0)
    }

    @Test func auditNamesTheCommitAsFields() async throws {
        let bench = try TicketBench()
        try bench.platform.put(SampleTickets.make(1..<2))
        #expect(try await bench.pull().status == 0)
        let path = SampleTickets.path(SampleTickets.make(1))
        let commit = try bench.editTicket(path, [("priority: normal", "priority: nonsense")])
        let audit = try await bench.run(["audit", "--base", "HEAD~1", "--format", "json"])
        let diagnostics = try jsonList(audit.stdout, "diagnostics")
        let found = try #require(diagnostics.first?["commit"] as? [String: Any])
        #expect(found["id"] as? String == commit.hex)
        #expect(found["author"] as? String == "Ana" && found["email"] as? String == "ana@example.com")
        #expect((found["date"] as? String)?.hasSuffix("Z") == true)
    }
}
