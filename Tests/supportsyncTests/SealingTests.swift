import Foundation
import Git
import SupportSync
import SupportSyncGit
import TestSupport
import Testing

/// Customer data sealed in git (issue: sealed customer data): pulled sealed
/// through a served platform with scoped tokens, found nowhere in plain
/// text, revealed only with the reveal scope, erased for good.
@Suite(.serialized, .exclusive) struct SealingTests {
    /// A ticket whose every piece of customer data is a marker of its own.
    static func marked(_ number: Int) -> (ticket: Ticket, markers: [String]) {
        var ticket = SampleTickets.make(number)
        let tag = "MK\(number)X"
        ticket.record.report.customer = Customer(
            name: "name-\(tag)", email: "mail-\(tag)@example.com", phone: "+3460\(String(number).zeroPadded(7))")
        ticket.record.report.summary = "summary-\(tag)\nsecond line"
        ticket.record.report.reason = "reason-\(tag)"
        ticket.record.report.fields = ["order_id": "field-\(tag)"]
        return (
            ticket,
            [
                "name-\(tag)", "mail-\(tag)", "summary-\(tag)", "reason-\(tag)", "field-\(tag)",
                "3460\(String(number).zeroPadded(7))",
            ]
        )
    }

    /// A quoted sealed value with one base64 character in the middle changed.
    static func flipped(_ quoted: String) -> String {
        var characters = Array(quoted)
        let middle = characters.count / 2
        characters[middle] = characters[middle] == "A" ? "B" : "A"
        return String(characters)
    }

    /// The agent the sample tickets come from, committed, so `sync` applies it.
    static func addAgent(_ bench: TicketBench) throws {
        let path = "config/agents/billing-line.yaml"
        try bench.writeFile(
            path, "agent: billing-line\nname: Billing\nchannels: [calls, messages]\nsupport:\n  mode: flag\n")
        try bench.commitWorkingFiles([path], message: "The billing line")
    }

    /// Every file under `folder`, read as bytes, with the paths holding `marker`.
    static func hits(of markers: [String], under folder: URL) -> [String] {
        var hits: [String] = []
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var contents: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            contents.append((url.path, String(decoding: data, as: UTF8.self)))
        }
        for marker in markers {
            for (path, text) in contents where text.contains(marker) { hits.append("\(marker) in \(path)") }
        }
        return hits
    }

    @Test func twoHundredTicketsPullSealedAndNoMarkerIsAnywhereInPlainText() async throws {
        let bench = try TicketBench(sealed: true)
        try Self.addAgent(bench)
        let marked = (1...200).map(Self.marked)
        try bench.platform.put(marked.map(\.ticket))
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        let summary = bench.folder.url.appendingPathComponent("summary.md")
        let platform = ["--platform", server.url]

        // The sync token pulls; the first pull is the whole report, in text and JSON.
        let pulled = try await bench.run(
            ["tickets", "pull"] + platform, environment: server.environment("sync"))
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stdout.contains("200 new"), "\(pulled.stdout)")
        let bytesAfterFirst = try await bench.gitOutput(["rev-parse", "HEAD"])
        let pulledTip = bytesAfterFirst.withoutSurroundingSpace
        let again = try await bench.run(
            ["tickets", "pull", "--format", "json"] + platform, environment: server.environment("sync"))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await bench.gitOutput(["rev-parse", "HEAD"]) == bytesAfterFirst, "nothing new: no commit")
        // Audited without trusting the tool's commits, so every ticket file is read and checked.
        let audit = try await bench.run(["audit", "--base", "HEAD~1", "--format", "github"])
        #expect(audit.stdout.contains("pull cursor"), "the audit looked at the pull: \(audit.stdout)")
        #expect(!audit.stdout.contains("ticket-sealed"), "every sealed value is well formed: \(audit.stdout)")
        let sync = try await bench.run(
            ["sync", "--format", "json", "--summary-file", summary.path] + platform,
            environment: server.environment("sync"))
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(FileManager.default.fileExists(atPath: summary.path), "the job summary was written")
        // The pull-request comment: the tickets a branch changes, with a team edit and a hand edit.
        let edited = SampleTickets.path(marked[0].ticket)
        try bench.writeFile(
            edited,
            try #require(bench.readFile(edited)).replacingOccurrences(of: "assignee: null", with: "assignee: ana"))
        try bench.commitWorkingFiles([edited], message: "Ana takes it")
        let comment = try await bench.run(["tickets", "diff", "--base", pulledTip, "--format", "markdown"])
        #expect(comment.status == 0 && comment.stdout.contains("assignee"), "\(comment.stdout)")

        let every = marked.flatMap(\.markers)
        // Every git object, through the witness.
        let objects = try await bench.gitOutput(["cat-file", "--batch-all-objects", "--batch"])
        #expect(!objects.isEmpty)
        let inObjects = every.filter { objects.contains($0) }
        #expect(inObjects.isEmpty, "in git objects: \(inObjects.prefix(5))")
        // .git/, the working tree and .supportsync/ (the repository folder), as bytes.
        let inFiles = Self.hits(of: every, under: bench.root)
        #expect(inFiles.isEmpty, "\(inFiles.prefix(5))")
        // Every report: pull text and JSON, audit, sync text and JSON, the Markdown summary.
        let reports =
            [
                pulled.stdout, pulled.stderr, again.stdout, audit.stdout, audit.stderr, sync.stdout, sync.stderr,
                comment.stdout,
            ]
            + [(try? String(contentsOf: summary, encoding: .utf8)) ?? ""]
        let inReports = every.filter { marker in reports.contains { $0.contains(marker) } }
        #expect(inReports.isEmpty, "in reports: \(inReports.prefix(5))")

        // Reveal: the reveal token opens each value; the sync token opens none.
        for (ticket, markers) in marked.prefix(5) {
            let revealed = try await bench.run(
                ["tickets", "show", ticket.id, "--reveal"] + platform, environment: server.environment("reveal"))
            #expect(revealed.status == 0, "\(revealed.stderr)")
            for marker in markers { #expect(revealed.stdout.contains(marker), "\(marker) revealed") }
            let refused = try await bench.run(
                ["tickets", "show", ticket.id, "--reveal"] + platform, environment: server.environment("sync"))
            #expect(refused.status == 0, "sealed values print sealed, not as an error: \(refused.stderr)")
            #expect(refused.stderr.contains("reveal scope"))
            for marker in markers { #expect(!refused.stdout.contains(marker)) }
            #expect(refused.stdout.contains(SealedValue.prefix))
        }
    }

    /// In a plain repository erasure cannot reach git's history, but no
    /// command prints the erased data again: `tickets history` shows the
    /// customer data of the versions before the erasure by kind only.
    /// A ticket another program wrote into the local platform's database
    /// has no key until it is read; a change to it before any read gives it
    /// one then, and answers sealed (it failed with a database error).
    @Test func aTicketWrittenWithoutAKeyCanBeChangedBeforeItIsRead() async throws {
        let folder = try TemporaryFolder()
        let file = try TicketPlatformFile(path: folder.url.appendingPathComponent("platform.sqlite").path)
        let (ticket, markers) = Self.marked(1)
        try file.put([ticket])
        let platform = try file.local()
        #expect(try await platform.ticketKey(id: ticket.id) == nil)
        let changed = try await platform.patchTicket(
            id: ticket.id, TicketPatch(assignee: .set("luis")), expecting: nil, sealing: .all)
        #expect(changed.assignee == "luis")
        #expect(try await platform.ticketKey(id: ticket.id) != nil)
        let answer = String(decoding: try JSONEncoder().encode(changed), as: UTF8.self)
        for marker in markers { #expect(!answer.contains(marker), "\(marker) in plain text: \(answer)") }
        // Unchanged by a second, equal change: the same key opens both answers.
        let again = try await platform.patchTicket(
            id: ticket.id, TicketPatch(assignee: .set("luis")), expecting: nil, sealing: .all)
        #expect(again.record.report == changed.record.report)
    }

    @Test func historyOfAnErasedTicketShowsItsEarlierCustomerDataByKindOnly() async throws {
        let bench = try TicketBench()
        let ticket = SampleTickets.make(1)
        try bench.platform.put([ticket, SampleTickets.make(2)])
        #expect(try await bench.pull().status == 0)
        let before = try await bench.run(["tickets", "history", ticket.id])
        #expect(before.stdout.contains("ana@example.com"), "plain, and not erased: \(before.stdout)")
        // The list cache keeps the first characters of a reason not sealed.
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        let cache = bench.root.appendingPathComponent(".git/supportsync/list-cache").path
        let cached = { FileManager.default.contents(atPath: cache).map { String(decoding: $0, as: UTF8.self) } }
        #expect(cached()?.contains("double charge on order A-1\n") == true, "\(cached() ?? "no cache")")
        let erased = try await bench.run(["tickets", "erase", ticket.id, "--reason", "request", "--db", bench.database])
        #expect(erased.status == 0, "\(erased.stderr)")
        #expect(erased.stderr.contains("the earlier versions in git's history still hold it"), "\(erased.stderr)")
        #expect(erased.stdout == "erased: 1 \(ticket.id)\n", "\(erased.stdout)")
        #expect(try await bench.pull().status == 0)
        // The pull that brought the erasure leaves no cached reason behind;
        // the other tickets' rows stay.
        #expect(cached()?.contains("double charge on order A-1\n") == false, "\(cached() ?? "no cache")")
        #expect(cached()?.contains("double charge on order A-2\n") == true, "\(cached() ?? "no cache")")
        // Erasing it again changes nothing, and says so.
        let again = try await bench.run(["tickets", "erase", ticket.id, "--reason", "request", "--db", bench.database])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "erased: 0\nalready erased: 1 \(ticket.id)\n", "\(again.stdout)")
        #expect(again.stderr.contains("git holds its erasure already: nothing changed"), "\(again.stderr)")
        #expect(!again.stderr.contains("next tickets pull"), "\(again.stderr)")
        let json = try await bench.run([
            "tickets", "erase", ticket.id, "--reason", "request", "--db", bench.database, "--format", "json",
        ])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["erased"] as? [String] == [] && document["already_erased"] as? [String] == [ticket.id])
        #expect(try await bench.pull().stdout.contains("nothing new"))
        // Git's record decides, not a working copy changed since.
        let erasedText = try #require(bench.readFile(SampleTickets.path(ticket)))
        try bench.writeFile(
            SampleTickets.path(ticket), erasedText.replacingOccurrences(of: "erasure:", with: "erased:"))
        let fromGit = try await bench.run([
            "tickets", "erase", ticket.id, "--reason", "request", "--db", bench.database,
        ])
        #expect(fromGit.stdout == "erased: 0\nalready erased: 1 \(ticket.id)\n", "\(fromGit.stdout)")
        try bench.writeFile(SampleTickets.path(ticket), erasedText)
        for format in ["text", "json"] {
            let history = try await bench.run(["tickets", "history", ticket.id, "--format", format])
            #expect(history.status == 0, "\(history.stderr)")
            #expect(
                !history.stdout.contains("ana@example.com") && !history.stdout.contains("Ana Garc"), "\(history.stdout)"
            )
            #expect(!history.stdout.contains("double charge"), "the reason is customer data too")
            #expect(history.stdout.contains("(a value in plain text)"), "\(history.stdout)")
            if format == "text" {
                // What the erasure left is shown as it is: it holds nothing.
                #expect(history.stdout.contains("reason: (a value in plain text) -> \"\"\n"), "\(history.stdout)")
            }
            #expect(history.stdout.contains("status"), "team fields are shown as ever: \(history.stdout)")
        }
        // The table says the ticket is erased where its reason was, built
        // afresh and read back from the list cache alike.
        for _ in 0..<2 {
            let list = try await bench.run(["tickets", "list"])
            let row = list.stdout.split(separator: "\n").first { $0.hasPrefix(ticket.id) }
            #expect(row?.hasSuffix("  (erased)") == true, "\(list.stdout)")
        }
        // `tickets diff` of the erasure's pull prints no more of it, JSON included.
        for format in ["text", "json", "markdown"] {
            let diff = try await bench.run(["tickets", "diff", "--base", "HEAD~1", "--format", format])
            #expect(diff.status == 0, "\(diff.stderr)")
            #expect(diff.stdout.contains(ticket.id), "\(diff.stdout)")
            #expect(
                !diff.stdout.contains("ana@example.com") && !diff.stdout.contains("Ana Garc")
                    && !diff.stdout.contains("double charge"), "\(format): \(diff.stdout)")
        }
        // A later commit that drops the erasure record (by mistake or not)
        // does not unmask the versions before it.
        let path = SampleTickets.path(ticket)
        let text = try #require(bench.readFile(path))
        var kept: [Substring] = []
        var inErasure = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("erasure:") {
                inErasure = true
            } else if inErasure, !line.hasPrefix(" ") {
                inErasure = false
            }
            if !inErasure { kept.append(line) }
        }
        #expect(kept.count < text.split(separator: "\n", omittingEmptySubsequences: false).count, "\(text)")
        try bench.writeFile(path, kept.joined(separator: "\n"))
        try bench.commitWorkingFiles(
            [path], message: "Drop the erasure record", author: Signature(name: "Team", email: "team@example.com"))
        for format in ["text", "json"] {
            let after = try await bench.run(["tickets", "history", ticket.id, "--format", format])
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.stdout.contains("Drop the erasure record"), "\(after.stdout)")
            #expect(
                !after.stdout.contains("ana@example.com") && !after.stdout.contains("double charge"), "\(after.stdout)")
        }
    }

    @Test func erasingOneTicketReachesThePlatformGitAndAFreshCloneAndNoOther() async throws {
        let bench = try TicketBench(sealed: true)
        let marked = (1...6).map(Self.marked)
        try bench.platform.put(marked.map(\.ticket))
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        let platform = ["--platform", server.url]
        #expect(
            try await bench.run(["tickets", "pull"] + platform, environment: server.environment("sync")).status == 0)
        let (victim, victimMarkers) = marked[0]
        let sealedBefore = try #require(bench.readFile(SampleTickets.path(victim)))

        // The sync token may not erase (exit 3, as for a wrong token); an unknown id exits 1.
        let refused = try await bench.run(
            ["tickets", "erase", victim.id, "--reason", "request 2026-114"] + platform,
            environment: server.environment("sync"))
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("erase scope"))
        // Nor find a customer's tickets: exit 3 too, and nothing printed.
        let notFound = try await bench.run(
            ["tickets", "find", "--customer", victim.customer.email!] + platform,
            environment: server.environment("sync"))
        #expect(notFound.status == 3, "\(notFound.stderr)")
        #expect(notFound.stderr.contains("reveal scope") && notFound.stdout.isEmpty, "\(notFound.stderr)")
        // Neither an id nor --customer: said as such (not "not both").
        let neither = try await bench.run(["tickets", "erase", "--reason", "request 2026-115"] + platform)
        #expect(
            neither.status == 64 && neither.stderr.contains("give a ticket id or --customer\n"), "\(neither.stderr)")
        let unknown = try await bench.run(
            ["tickets", "erase", "T-DEADBEEF", "--reason", "request 2026-115"] + platform,
            environment: server.environment("erase"))
        #expect(unknown.status == 1, "\(unknown.stderr)")
        // A reason or author holding the customer's details would put them
        // into git in plain text: refused (exit 1), the detail named by kind
        // only, nothing erased.
        let email = victim.customer.email!.uppercased()
        let phone = "+34 60 000 00 01"  // the victim's number, written with spaces
        let leaks: [([String], String)] = [
            (["--reason", "asked by \(email)"], "reason holds the customer's e-mail address of ticket \(victim.id)"),
            (["--reason", "call back on \(phone)"], "reason holds the customer's phone number"),
            (["--reason", "request", "--by", "Name-MK1X"], "by holds the customer's name"),
        ]
        for (arguments, said) in leaks {
            let leak = try await bench.run(
                ["tickets", "erase", victim.id] + arguments + platform, environment: server.environment("erase"))
            #expect(leak.status == 1, "\(leak.stderr)")
            #expect(leak.stderr.contains(said) && leak.stderr.contains("nothing was erased"), "\(leak.stderr)")
            #expect(!leak.stderr.contains("MK1X") && !leak.stderr.contains("00 01"), "\(leak.stderr)")
        }
        let leakByCustomer = try await bench.run(
            ["tickets", "erase", "--customer", victim.customer.email!, "--reason", "for \(victim.customer.email!)"]
                + platform, environment: server.environment("erase"))
        #expect(
            leakByCustomer.status == 1 && leakByCustomer.stderr.contains("e-mail address"), "\(leakByCustomer.stderr)")
        // A name that is only part of a word, and other digits, are no detail.
        #expect(
            Erasure.customerDetail(
                of: Customer(name: "Ana", phone: "+34600000001"), in: "Banana request 2026-114, ticket 60000") == nil)
        // Lookalikes of each detail are that detail: full-width forms, an
        // invisible character inside, spacing, no accents, another order.
        let customer = Customer(name: "José Núñez", email: "hannah.berg@example.com", phone: "+34 600 000 001")
        for (text, detail) in [
            ("ref hannah.berg＠example.com", "e-mail address"),
            ("ref hannah.berg\u{200B}@example.com", "e-mail address"),
            ("ref HANNAH.BERG @ EXAMPLE.COM", "e-mail address"), ("call ６００ ０００ ００１", "phone number"),
            ("re Jose Nunez", "name"), ("re josé  núñez", "name"), ("re Núñez, José", "name"),
            ("re J\u{200D}osé Núñez", "name"), ("re ｊｏｓｅ ｎｕｎｅｚ", "name"),
            // Run together, spaced out, reversed; digits between other marks; an address written out.
            ("re JoseNunez", "name"), ("re J o s e  N u ñ e z", "name"), ("re NunezJose", "name"),
            ("call 600_000_001", "phone number"), ("call 600,000,001", "phone number"),
            ("ref hannah.berg(at)example(dot)com", "e-mail address"),
            // A national form beside a date or another number.
            ("Call on 2026-01-01: 600 000 001", "phone number"), ("callback 600 000 001, 2026-03-01", "phone number"),
            ("ref 4471; 600000001", "phone number"),
        ] {
            #expect(Erasure.customerDetail(of: customer, in: text) == detail, "\(text)")
        }
        for text in [
            "request 2026-114 by Josefina", "nunezco audit", "hannah.berg at the desk", "jose asked; nunez agreed",
        ] {
            #expect(Erasure.customerDetail(of: customer, in: text) == nil, "\(text)")
        }
        // A name of common words is that name only where its words stand together.
        #expect(Erasure.customerDetail(of: Customer(name: "He An"), in: "Request 42: he asked for an erasure") == nil)
        #expect(Erasure.customerDetail(of: Customer(name: "Will May"), in: "we will erase as agreed in May") == nil)
        #expect(Erasure.customerDetail(of: Customer(name: "Will May"), in: "for May, Will") == "name")
        // Run together only as a word of its own, spaced out only a letter a word.
        for (name, text) in [
            ("Justin", "erased just in time"), ("Sandra", "asked by Alexandra"), ("Martin", "by l.martinez"),
            ("Lucas Martin", "lucas martinez asked"),
        ] {
            #expect(Erasure.customerDetail(of: Customer(name: name), in: text) == nil, "\(name): \(text)")
        }
        #expect(Erasure.customerDetail(of: Customer(name: "Justin"), in: "for j u s t i n") == "name")
        // Beside digits, inside a handle, and with an honorific written straight after it.
        for (name, text) in [
            ("Hannah Berg", "by Hannah Berg1990"), ("Hannah Berg", "from @HannahBergOfficial"),
            ("タナカ ハナコ", "タナカハナコ様からの削除依頼"), ("タナカ ハナコ", "タナカ ハナコ様からの削除依頼"),
        ] {
            #expect(Erasure.customerDetail(of: Customer(name: name), in: text) == "name", "\(name): \(text)")
        }

        let erased = try await bench.run(
            ["tickets", "erase", victim.id, "--reason", "request 2026-114", "--by", "dpo"] + platform,
            environment: server.environment("erase"))
        #expect(erased.status == 0, "\(erased.stderr)")
        #expect(erased.stdout.contains(victim.id))
        #expect(!erased.stderr.contains("plain text"), "sealed, so nothing plain is left: \(erased.stderr)")
        #expect(
            try await bench.run(["tickets", "pull"] + platform, environment: server.environment("sync")).status == 0)
        let file = try #require(bench.readFile(SampleTickets.path(victim)))
        #expect(
            file.contains("erasure:\n  at:") && file.contains("reason: request 2026-114") && file.contains("by: dpo"))
        #expect(!file.contains(SealedValue.prefix))
        // The erasure's diff names what it emptied as sealed, never as plain text, in every format.
        for format in ["text", "markdown", "json"] {
            let diff = try await bench.run(["tickets", "diff", "--base", "HEAD~1", "--format", format])
            #expect(diff.status == 0 && diff.stdout.contains("(sealed)"), "\(format): \(diff.stdout)\(diff.stderr)")
            #expect(!diff.stdout.contains("plain text"), "\(format): \(diff.stdout)")
        }

        // The platform: its API, and its SQLite file and write-ahead log.
        let plainFromAPI = try await bench.run(
            ["tickets", "find", "--customer", victim.customer.email!] + platform,
            environment: server.environment("reveal"))
        #expect(plainFromAPI.status == 0, "\(plainFromAPI.stderr)")
        #expect(!plainFromAPI.stdout.contains(victim.id), "the erased ticket has no customer any more")
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: bench.database + suffix) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self)
            for marker in victimMarkers { #expect(!text.contains(marker), "\(marker) in platform.sqlite\(suffix)") }
        }
        // Git's history still holds the sealed values; with the key gone,
        // no copy opens. A fresh clone with full history, through the witness.
        let clone = bench.folder.url.appendingPathComponent("clone")
        let (source, parent) = (bench.root.path, bench.folder.url)
        _ = try await TicketBench.offload {
            try WitnessGit.run(["clone", "--quiet", "--no-local", source, clone.path], in: parent)
        }
        // The sealed file from before the erasure, put back in the working tree, no longer opens.
        try bench.writeFile(SampleTickets.path(victim), sealedBefore)
        let old = try await bench.run(
            ["tickets", "show", victim.id, "--reveal"] + platform, environment: server.environment("reveal"))
        #expect(old.status == 0, "\(old.stderr)")
        #expect(old.stderr.contains("erased"), "\(old.stderr)")
        #expect(old.stdout.contains(SealedValue.prefix))
        for marker in victimMarkers { #expect(!old.stdout.contains(marker)) }
        try bench.writeFile(SampleTickets.path(victim), file)
        let history = try await TicketBench.offload { try WitnessGit.run(["log", "-p", "--all"], in: clone) }
        for marker in victimMarkers { #expect(!history.contains(marker)) }
        // The others still reveal.
        for (ticket, markers) in marked.dropFirst() {
            let shown = try await bench.run(
                ["tickets", "show", ticket.id, "--reveal"] + platform, environment: server.environment("reveal"))
            #expect(markers.allSatisfy { shown.stdout.contains($0) }, "\(ticket.id) still reveals")
        }

        // Erasing by customer reaches exactly that customer's tickets.
        var twin = Self.marked(40).ticket
        twin.record.report.customer.email = marked[1].ticket.customer.email!.uppercased()
        try bench.platform.put([twin])
        let byCustomer = try await bench.run(
            ["tickets", "erase", "--customer", marked[1].ticket.customer.email!, "--reason", "request 2026-116"]
                + platform, environment: server.environment("erase"))
        #expect(byCustomer.status == 0, "\(byCustomer.stderr)")
        let ids = Set(byCustomer.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        #expect(ids.isSuperset(of: [marked[1].ticket.id, twin.id]))
        #expect(ids.isDisjoint(with: marked.dropFirst(2).map(\.ticket.id)))
        // A customer the platform holds no ticket of (a typo, most often): exit 1, said.
        let nobody = try await bench.run(
            ["tickets", "erase", "--customer", "nobody@example.con", "--reason", "request 2026-117"] + platform,
            environment: server.environment("erase"))
        #expect(nobody.status == 1, "\(nobody.stdout)\(nobody.stderr)")
        #expect(nobody.stdout.isEmpty, "never an erasure of none: \(nobody.stdout)")
        #expect(nobody.stderr.contains("no ticket of that customer: nothing was erased"), "\(nobody.stderr)")
        #expect(!nobody.stderr.contains("next tickets pull"), "\(nobody.stderr)")
    }

    @Test func tamperedSealedValuesAndAHandWrittenErasureAreCaughtByAudit() async throws {
        let bench = try TicketBench(sealed: true)
        let marked = (1...2).map(Self.marked)
        try bench.platform.put(marked.map(\.ticket))
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        #expect(
            try await bench.run(["tickets", "pull", "--platform", server.url], environment: server.environment("sync"))
                .status == 0)
        let base = try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace
        let first = SampleTickets.path(marked[0].ticket)
        let second = SampleTickets.path(marked[1].ticket)
        let one = try #require(bench.readFile(first))
        let two = try #require(bench.readFile(second))
        func value(_ key: String, in text: String) -> String {
            let line = text.split(separator: "\n").first { $0.hasPrefix(key + ": ") }!
            return String(line.dropFirst(key.count + 2))
        }
        let cases: [(String, String, String)] = [
            // Moved between tickets: sealed with another ticket's key.
            (
                "between tickets", first,
                one.replacingOccurrences(of: value("reason", in: one), with: value("reason", in: two))
            ),
            // Moved between fields of one ticket: a platform-owned change.
            (
                "between fields", first,
                one.replacingOccurrences(of: value("summary", in: one), with: value("reason", in: one))
            ),
            // A flipped character in the middle of the ciphertext: well formed, but it does not open.
            (
                "flipped byte", first,
                one.replacingOccurrences(of: value("reason", in: one), with: Self.flipped(value("reason", in: one)))
            ),
            // An erasure record written by hand.
            (
                "hand-written erasure", second,
                two + "erasure:\n  at: \"2026-12-01T10:00:00Z\"\n  by: me\n  reason: because\n"
            ),
        ]
        for (name, path, text) in cases {
            let before = try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace
            let original = try #require(bench.readFile(path))
            #expect(text != original, "\(name) changes the file")
            try bench.writeFile(path, text)
            try bench.commitWorkingFiles([path], message: "tamper: \(name)")
            let audit = try await bench.run(["audit", "--base", before])
            #expect(audit.status == 1, "\(name) is caught: \(audit.stdout)")
            #expect(audit.stdout.contains(path), "\(name) at its file: \(audit.stdout)")
            if name == "between tickets" {
                #expect(audit.stdout.contains("[ticket-sealed]"), "sealed with another ticket's key: \(audit.stdout)")
            }
            if name != "hand-written erasure" {
                // Revealing it is a clear error naming the field, never plain text.
                let id = path.split(separator: "/").last!.dropLast(5)
                let shown = try await bench.run(
                    ["tickets", "show", String(id), "--reveal", "--platform", server.url],
                    environment: server.environment("reveal"))
                #expect(shown.status == 1, "\(name): \(shown.stdout)\(shown.stderr)")
                #expect(shown.stderr.contains("cannot be opened"), "\(name): \(shown.stderr)")
            }
            try bench.writeFile(path, original)
            try bench.commitWorkingFiles([path], message: "restore after \(name)")
        }
        _ = base
    }

    @Test func retentionErasesClosedTicketsCreatedLongAgoOnSync() async throws {
        let bench = try TicketBench(sealed: true)
        try bench.writeFile(ProjectFile.path, "tickets:\n  erase_closed_after: 30d\n")
        try bench.writeFile(
            "config/agents/billing-line.yaml",
            "agent: billing-line\nname: Billing\nchannels: [calls]\nsupport:\n  mode: flag\n")
        try bench.commitWorkingFiles([ProjectFile.path, "config/agents/billing-line.yaml"], message: "retention")
        let old = SampleTickets.make(1, status: .closed, month: 2)
        let open = SampleTickets.make(2, status: .pending, month: 3)
        let later = SampleTickets.make(3, status: .pending, month: 3)
        try bench.platform.put([old, open, later])
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        // The sync token may not erase: said, nothing erased, the rest of the sync done.
        let refused = try await bench.run(["sync", "--platform", server.url], environment: server.environment("sync"))
        #expect(refused.stdout.contains("erased nothing"), "\(refused.stdout)\(refused.stderr)")
        #expect(bench.readFile(SampleTickets.path(old))?.contains("erasure:") == false)
        // A dry run says what retention would erase, and erases nothing; with the sync token, nothing.
        let dryRefused = try await bench.run(
            ["sync", "--dry-run", "--platform", server.url], environment: server.environment("sync"))
        #expect(
            dryRefused.stdout.contains(
                "warning: retention (30 days) would erase nothing: the token lacks the erase scope"),
            "\(dryRefused.stdout)")
        // The platform decides by its own status: a ticket closed in the
        // working tree alone is not erased by the run; one closed on the
        // platform since the last pull is.
        let openPath = SampleTickets.path(open)
        let openText = try #require(bench.readFile(openPath))
        try bench.writeFile(
            openPath,
            openText.replacingOccurrences(of: "status: pending\n", with: "status: closed\n")
                .replacingOccurrences(of: "resolution: null\n", with: "resolution: Done\n"))
        try bench.platform.change(later.id) {
            $0.record.team.status = .closed
            $0.record.team.resolution = "Done"
        }
        let dry = try await bench.run(
            ["sync", "--dry-run", "--platform", server.url, "--format", "json"], environment: server.environment)
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let retention = try #require(try ticketJSON(dry.stdout)["retention"] as? [String: Any], "\(dry.stdout)")
        #expect(retention["would_erase"] as? [String] == [old.id, later.id].sorted(), "\(dry.stdout)")
        let dryText = try await bench.run(
            ["sync", "--dry-run", "--platform", server.url], environment: server.environment)
        #expect(
            dryText.stdout.contains(
                "tickets retention would erase (closed, created over 30 days ago): 2: \([old.id, later.id].sorted().joined(separator: ", "))"
            ),
            "\(dryText.stdout)")
        try bench.writeFile(openPath, openText)
        // A clone that did not fetch the platform base: git's closed tickets stand in.
        let ref = bench.root.appendingPathComponent(".git/refs/supportsync/platform")
        let kept = try Data(contentsOf: ref)
        try FileManager.default.removeItem(at: ref)
        let noBase = try await bench.run(
            ["sync", "--dry-run", "--platform", server.url, "--format", "json"], environment: server.environment)
        let guessed = try #require(try ticketJSON(noBase.stdout)["retention"] as? [String: Any], "\(noBase.stdout)")
        #expect(guessed["would_erase"] as? [String] == [old.id, later.id].sorted(), "\(noBase.stdout)")
        try kept.write(to: ref)
        #expect(try bench.platform.ticket(old.id)?.erasure == nil)
        let synced = try await bench.run(["sync", "--platform", server.url], environment: server.environment)
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
        #expect(synced.stdout.contains("erased by retention"), "\(synced.stdout)")
        #expect(bench.readFile(SampleTickets.path(old))?.contains("erasure:") == true)
        #expect(bench.readFile(SampleTickets.path(later))?.contains("erasure:") == true)
        #expect(bench.readFile(SampleTickets.path(open))?.contains("erasure:") == false)
    }

    @Test func sealingAPlainRepositoryTakesTicketsSealNotAConfigEditAlone() async throws {
        let bench = try TicketBench(sealed: true)
        // A customer whose name starts like a sealed value: text in a plain repository.
        var odd = Self.marked(3).ticket
        odd.record.report.customer.name = "sealed:v1:nope"
        try bench.platform.put([Self.marked(1).ticket, odd])
        // A plain repository's pull first, then sealing turned on: refused until `tickets seal`.
        try bench.writeFile(ProjectFile.path, "tickets:\n  seal: []\n")
        try bench.commitWorkingFiles([ProjectFile.path], message: "plain for now")
        #expect(try await bench.pull().status == 0)
        // The list cache keeps the first characters of a reason not sealed.
        #expect(try await bench.run(["tickets", "list"]).status == 0)
        let cache = bench.root.appendingPathComponent(".git/supportsync/list-cache").path
        let cached = { FileManager.default.contents(atPath: cache).map { String(decoding: $0, as: UTF8.self) } }
        #expect(cached()?.contains("reason-MK1X") == true, "\(cached() ?? "no cache")")
        try bench.writeFile(ProjectFile.path, "tickets:\n  seal: [customer, summary, fields, reason]\n")
        try bench.commitWorkingFiles([ProjectFile.path], message: "seal")
        try bench.platform.put([Self.marked(2).ticket])
        let refused = try await bench.pull()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("supportsync tickets seal"), "\(refused.stderr)")
        let sealed = try await bench.run(["tickets", "seal", "--db", bench.database])
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let file = try #require(bench.readFile(SampleTickets.path(Self.marked(1).ticket)))
        #expect(!file.contains("MK1X") && file.contains(SealedValue.prefix))
        #expect(cached()?.contains("reason-MK1X") != true, "sealed, and not kept in the cache")
        #expect(bench.readFile(SampleTickets.path(odd))?.contains("sealed:v1:nope") == false)
        #expect(try await bench.pull().status == 0)
        #expect(bench.readFile(SampleTickets.path(Self.marked(2).ticket))?.contains(SealedValue.prefix) == true)
        #expect(try await bench.run(["audit", "--base", "HEAD~3", "--trust-tool-commits"]).status == 0)

        // One place taken out of the list: the commit says it unsealed,
        // though the others stay sealed.
        try bench.writeFile(ProjectFile.path, "tickets:\n  seal: [customer, summary, fields]\n")
        try bench.commitWorkingFiles([ProjectFile.path], message: "reasons in plain text")
        let unsealed = try await bench.run(["tickets", "unseal", "--db", bench.database])
        #expect(unsealed.status == 0, "\(unsealed.stderr)")
        let subject = try await bench.gitOutput(["log", "-1", "--format=%s"]).withoutSurroundingSpace
        #expect(subject.hasPrefix("tickets: unsealed "), "\(subject)")
    }

    /// A seal that meets a ticket erased on the platform since the last pull
    /// writes it erased (never its plain data again), and says so: in its
    /// output, its JSON and its commit, not as one more ticket sealed.
    @Test func aSealSaysWhichTicketsItWroteErased() async throws {
        let bench = try TicketBench(sealed: true)
        let (kept, gone) = (Self.marked(1).ticket, Self.marked(2).ticket)
        try bench.platform.put([kept, gone])
        try bench.writeFile(ProjectFile.path, "tickets:\n  seal: [customer]\n")
        try bench.commitWorkingFiles([ProjectFile.path], message: "seal the customer")
        #expect(try await bench.pull().status == 0)
        let erased = try await bench.run(
            ["tickets", "erase", gone.id, "--reason", "request 2026-9", "--db", bench.database])
        #expect(erased.status == 0, "\(erased.stderr)")
        try bench.writeFile(ProjectFile.path, "tickets:\n  seal: [customer, summary]\n")
        try bench.commitWorkingFiles([ProjectFile.path], message: "seal summaries too")
        let sealed = try await bench.run(["tickets", "seal", "--db", bench.database, "--format", "json"])
        #expect(sealed.status == 0, "\(sealed.stdout)\(sealed.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(sealed.stdout.utf8)) as? [String: Any], "\(sealed.stdout)")
        #expect(Set(document["rewritten"] as? [String] ?? []) == [kept.id, gone.id], "\(sealed.stdout)")
        #expect(document["erased"] as? [String] == [gone.id], "\(sealed.stdout)")
        let message = try await bench.gitOutput(["log", "-1", "--format=%B"])
        #expect(message.contains("Erased on the platform since the last pull: \(gone.id)"), "\(message)")
        #expect(bench.readFile(SampleTickets.path(gone))?.contains("erasure:") == true)
    }

    /// `tickets seal` writes the platform's instance into its commit's
    /// trailer, as a pull does: checked the same way, so no trailer of the
    /// platform's making gets in.
    @Test func sealRefusesAnInstanceThatWouldAddATrailer() async throws {
        let bench = try TicketBench(sealed: true)
        try bench.platform.setInstance("inst-1\n\nCo-authored-by: x <x@example.com>")
        let before = try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace
        let sealed = try await bench.run(["tickets", "seal", "--db", bench.database])
        #expect(sealed.status != 0, "\(sealed.stdout)")
        #expect(sealed.stderr.contains("instance id"), "\(sealed.stderr)")
        #expect(try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace == before)
        #expect(!(try await bench.gitOutput(["log", "--format=%B"])).contains("Co-authored-by"))
    }

    /// One ticket the platform does not have stops the whole rewrite (one
    /// format per repository): the report says nothing was written, and
    /// counts no ticket as sealed, in text and JSON.
    @Test func aSealThatSkipsATicketCountsNoneAsSealed() async throws {
        let bench = try TicketBench(sealed: true)
        let known = Self.marked(1)
        try bench.platform.put([known.ticket])
        let stray = SampleTickets.make(99)
        var paths: [String] = []
        for ticket in [known.ticket, stray] {
            paths.append(SampleTickets.path(ticket))
            try bench.writeFile(SampleTickets.path(ticket), TicketFile.text(ticket.record))
        }
        try bench.commitWorkingFiles(paths, message: "tickets by hand")
        let before = try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace
        let sealed = try await bench.run(["tickets", "seal", "--db", bench.database])
        #expect(sealed.status == 1, "\(sealed.stdout)\(sealed.stderr)")
        #expect(sealed.stdout.contains("nothing was written") && sealed.stdout.contains("skipped \(stray.id)"))
        #expect(!sealed.stdout.contains("sealed: "), "\(sealed.stdout)")
        let json = try await bench.run(["tickets", "seal", "--db", bench.database, "--format", "json"])
        #expect(json.status == 1)
        #expect((try ticketJSON(json.stdout)["rewritten"] as? [String]) == [], "\(json.stdout)")
        #expect(try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace == before)
    }

    @Test func aRepository01LeftIsSealedOnceAndItsCursorBecomesTheNewOne() async throws {
        let bench = try TicketBench(sealed: true)
        // What 0.1 left: a plain ticket file and its cursor file.
        let old = Self.marked(1)
        try bench.platform.put([old.ticket])
        let path = SampleTickets.path(old.ticket)
        try bench.writeFile(path, TicketFile.text(old.ticket.record))
        try bench.writeFile(
            TicketStore.legacyCursorPath, "instance: \(try bench.platform.instance)\ncursor: \"1\"\n")
        try bench.commitWorkingFiles([path, TicketStore.legacyCursorPath], message: "tickets: 1 new, 0 updated")
        let before = try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace

        // Sealing is on (the default) and the files are plain: pull says what to run.
        let refused = try await bench.pull()
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("supportsync tickets seal"), "\(refused.stderr)")
        #expect(try await bench.gitOutput(["rev-parse", "HEAD"]).withoutSurroundingSpace == before)

        let sealed = try await bench.run(["tickets", "seal", "--db", bench.database])
        #expect(sealed.status == 0, "\(sealed.stdout)\(sealed.stderr)")
        let files = try await bench.gitOutput(["ls-tree", "-r", "--name-only", "main", "tickets"])
        #expect(files.contains(TicketStore.cursorPath + "\n"), "\(files)")
        #expect(!files.contains(TicketStore.legacyCursorPath + "\n"), "\(files)")
        let file = try #require(bench.readFile(path))
        #expect(file.contains(SealedValue.prefix) && old.markers.allSatisfy { !file.contains($0) })

        // From then on, pulls write sealed files; the tool's commits audit clean.
        let next = Self.marked(2)
        try bench.platform.put([next.ticket])
        #expect(try await bench.pull().status == 0)
        #expect(bench.readFile(SampleTickets.path(next.ticket))?.contains(SealedValue.prefix) == true)
        #expect(try await bench.run(["audit", "--base", before, "--trust-tool-commits"]).status == 0)
        // Unsealing takes the list changed first, and the command by name.
        let unsealRefused = try await bench.run(["tickets", "unseal", "--db", bench.database])
        #expect(unsealRefused.status == 64, "\(unsealRefused.stderr)")
        try await bench.expectFsckClean()
    }

    /// `sync --dry-run` with a token that may only read exits 3, as the run
    /// would, saying what the run would be refused.
    static func expectDryRunRefused(_ bench: TicketBench, _ server: TicketServer, saying said: String) async throws {
        let dry = try await bench.run(
            ["sync", "--platform", server.url, "--dry-run"], environment: server.environment("read"))
        #expect(dry.status == 3, "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains(said), "\(dry.stdout)")
    }

    /// A dry run with a token that may only read exits as the run would
    /// when the run would push a team's change.
    @Test func aDryRunForetellsAPushTheTokenMayNotMake() async throws {
        let bench = try TicketBench(sealed: true)
        let ticket = SampleTickets.make(1)
        try bench.platform.put([ticket])
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        let pulled = try await bench.run(
            ["tickets", "pull", "--platform", server.url], environment: server.environment("sync"))
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        let set = try await bench.run(["tickets", "set", ticket.id, "--priority", "high", "--commit"])
        #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
        try await Self.expectDryRunRefused(
            bench, server, saying: "the token lacks the sync scope: the run's push would be refused for 1 ticket")
        let run = try await bench.run(["sync", "--platform", server.url], environment: server.environment("read"))
        #expect(run.status == 3, "the run: \(run.stdout)\(run.stderr)")
    }

    /// A token that may only read: the one agent write fails, and sync says
    /// every write failed (not that the platform failed for every agent).
    @Test func aSyncWhoseEveryWriteFailsSaysSoAndStopsBeforeTheTickets() async throws {
        let bench = try TicketBench(sealed: true)
        let agent = "agent: desk\nname: Desk\nchannels: [messages]\nsupport:\n  mode: flag\n"
        try bench.writeFile("config/agents/desk.yaml", agent)
        try bench.commitWorkingFiles(["config/agents/desk.yaml"], message: "desk")
        let database = bench.database
        let server = try await TicketBench.offload { try TicketServer(database: database) }
        defer { server.stop() }
        let result = try await bench.run(["sync", "--platform", server.url], environment: server.environment("read"))
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let said = result.stdout + result.stderr
        #expect(said.contains("every write to the platform failed (1 agent)"), "\(said)")
        #expect(said.contains("tickets were not pulled or pushed"))
        // Why, as apply says it, in the output CI shows (not only in a log).
        #expect(result.stdout.contains("failed desk: "), "\(result.stdout)")
        #expect(!result.stdout.contains("failed desk: agent desk:"), "named once: \(result.stdout)")
        #expect(result.stdout.contains("sync scope"), "\(result.stdout)")
        let json = try await bench.run(
            ["sync", "--platform", server.url, "--format", "json"], environment: server.environment("read"))
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(document["tickets_pulled"] as? Bool == false, "\(json.stdout)")
        let reasons = (document["agents"] as? [String: Any])?["reasons"] as? [[String: String]]
        #expect(reasons?.map { $0["id"] } == ["desk"], "\(json.stdout)")
        #expect(reasons?.first?["reason"]?.contains("sync scope") == true, "\(json.stdout)")
        // The dry run exits as the run would: the platform says what the token may do.
        try await Self.expectDryRunRefused(
            bench, server, saying: "the token lacks the sync scope: the run would be refused writing 1 agent (desk)")
        let allowed = try await bench.run(
            ["sync", "--platform", server.url, "--dry-run"], environment: server.environment("sync"))
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
    }
}
