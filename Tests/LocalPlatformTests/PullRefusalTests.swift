import Foundation
import Git
import TestSupport
import Testing
import YAML

@testable import SupportSync
@testable import SupportSyncGit

/// A pull never writes what cannot be read back, never moves a ticket, and
/// refuses, with a reason on every pull, the tickets no file can hold:
/// reserved names, case twins, files over the size limit. The others land.
@Suite struct PullRefusalTests {
    /// A platform that serves exactly the tickets a test gives it, in the
    /// order they were last changed; hostile on purpose.
    final class ScriptedSource: TicketSource, @unchecked Sendable {
        private let lock = NSLock()
        private var changes: [(seq: Int, ticket: Ticket)] = []
        /// Tickets sent as JSON that does not decode, by id.
        private var broken: [(seq: Int, id: String, json: String)] = []
        /// Called after each page is made, with how many pages were made:
        /// the platform changing while a pull reads it.
        var afterPage: ((Int) -> Void)?
        /// The page (1-based, counted over the source's life) answered with a server error.
        var failingPage: Int?
        private var calls = 0
        private var pages = 0
        private var seq = 0
        let instance: String
        /// Appended to every cursor the platform hands out.
        let cursorSuffix: String

        init(instance: String = "scripted-1", cursorSuffix: String = "") {
            self.instance = instance
            self.cursorSuffix = cursorSuffix
        }

        /// The platform sends ticket `id` as `json`, which does not decode;
        /// its pages then go through the JSON decoder, as a client's do.
        func putBroken(_ id: String, json: String) {
            lock.withLock {
                seq += 1
                changes.removeAll { $0.ticket.id == id }
                broken.removeAll { $0.id == id }
                broken.append((seq, id, json))
            }
        }

        func put(_ record: TicketRecord) {
            lock.withLock {
                seq += 1
                broken.removeAll { $0.id == record.id }
                changes.removeAll { $0.ticket.id == record.id }
                changes.append(
                    (
                        seq,
                        Ticket(record: record, stamp: PlatformStamp(version: String(seq), updatedAt: record.createdAt))
                    ))
            }
        }

        func info() async throws(PlatformError) -> PlatformInfo { PlatformInfo(instance: instance) }

        func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
            let call = lock.withLock {
                calls += 1
                return calls
            }
            if call == failingPage { throw PlatformError.failed("HTTP 500: the platform failed") }
            defer {
                afterPage?(
                    lock.withLock {
                        pages += 1
                        return pages
                    })
            }
            let (page, brokenOnes, end, more) = lock.withLock {
                let after = cursor.flatMap { Int($0.prefix(while: \.isNumber)) } ?? 0
                let all =
                    (changes.map { ($0.seq, $0.ticket as Ticket?, nil as String?) }
                    + broken.map { ($0.seq, nil, $0.json) })
                    .sorted { $0.0 < $1.0 }
                let page = all.filter { $0.0 > after }.prefix(limit)
                let end = page.last.map { String($0.0) + cursorSuffix } ?? cursor
                let more = all.contains { $0.0 > (page.last?.0 ?? after) }
                return (page, broken, end, more)
            }
            guard !brokenOnes.isEmpty else {
                return TicketPage(tickets: page.compactMap(\.1), nextCursor: more ? end : nil, cursor: end)
            }
            let items = page.map { _, ticket, json in
                json ?? String(decoding: try! JSONCoding.encoder().encode(ticket!), as: UTF8.self)
            }
            let next = (more ? end : nil).map { "\"\($0)\"" } ?? "null"
            let text =
                #"{"tickets":["# + items.joined(separator: ",") + #"],"next_cursor":\#(next),"cursor":"\#(end ?? "")"}"#
            do {
                return try JSONDecoder().decode(TicketPage.self, from: Data(text.utf8))
            } catch {
                throw PlatformError.failed("the page does not decode: \(error)")
            }
        }

        func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
            lock.withLock { changes.first { $0.ticket.id == id }?.ticket }
        }

        func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            throw PlatformError.invalid(field: nil, message: "read-only")
        }
    }

    static func record(_ id: String, createdAt: String = "2026-11-24T10:02:11Z", summary: String = "Case")
        -> TicketRecord
    {
        TicketRecord(
            id: id, agent: "desk", channel: .calls, conversation: "conv_\(id)", createdAt: createdAt, reason: "Case",
            summary: summary, customer: Customer(name: "Ana"), tags: ["billing"])
    }

    final class Bench {
        let root: URL
        let repository: Repository

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "supportsync-refusal-\(UUID().uuidString)")
            repository = try Repository.create(at: root.path, initialBranch: "main")
            let readme = try repository.writeBlob(Array("# support\n".utf8))
            let first = try repository.commit(
                updating: "refs/heads/main", expectedTip: nil, treeUpdates: [("README.md", readme)], message: "Start",
                author: TicketSyncLibraryTests.author)
            try repository.checkoutPaths(["README.md"], from: first)
        }

        func pull(_ source: any TicketSource, batch: Int = 5_000, pageSize: Int = 1_000) async throws
            -> TicketPuller.Report
        {
            var store = try TicketStore(root: root)
            store.sealing = .none
            var options = TicketPuller.Options(author: TicketSyncLibraryTests.author)
            (options.batch, options.pageSize) = (batch, pageSize)
            return try await TicketPuller(tickets: store, platform: source).pull(options)
        }

        func files() throws -> [String: String] {
            let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
            var files: [String: String] = [:]
            for file in try repository.files(under: "tickets", in: tip) where file.path.hasSuffix(".yaml") {
                files[file.path] = String(decoding: try repository.blob(file.blob), as: UTF8.self)
            }
            return files
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    @Test("an erased ticket sent again without its erasure is refused, and its file stays erased")
    func unerasedTicket() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        var record = Self.record("T-1")
        record.report.customer = Customer(name: "Ana", email: "ana@example.com")
        source.put(record)
        #expect(try await bench.pull(source).new == ["T-1"])
        source.put(Erasure(at: "2026-12-01T10:00:00Z", by: "privacy", reason: "REQ-1").applied(to: record))
        let erased = try await bench.pull(source)
        #expect(erased.skipped.isEmpty && erased.updated == ["T-1"])
        let path = "tickets/2026/11/T-1.yaml"
        let afterErasure = try #require(try bench.files()[path])
        #expect(afterErasure.contains("erasure:") && !afterErasure.contains("ana@example.com"))
        // Restored from a backup, say: the same ticket, customer data and all.
        source.put(record)
        let report = try await bench.pull(source)
        #expect(report.skipped.map(\.id) == ["T-1"])
        #expect(report.skipped.first?.reason.contains("an erasure is final") == true, "\(report.skipped)")
        #expect(try bench.files()[path] == afterErasure, "the file stays as erased")
        // Reported on the next pull too, until the platform sends it erased again.
        let again = try await bench.pull(source)
        #expect(again.skipped.map(\.id) == ["T-1"], "\(again.skipped)")
        #expect(try bench.files()[path] == afterErasure)
    }

    @Test("a ticket whose values are sealed with two keys is refused, named, and the others land")
    func aValueSealedWithAnotherTicketsKeyIsRefused() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        func sealed(_ id: String, key: (SealedPlace) -> String) -> TicketRecord {
            var record = Self.record(id)
            record.report.customer = Customer(name: "Ana", email: "ana@example.com")
            for place in Sealing.all.places(in: record) {
                let payload = [UInt8](repeating: 7, count: SealedValue.bucket + SealedValue.tagSize)
                place.set(SealedValue(keyID: key(place), payload: payload).text, in: &record)
            }
            return record
        }
        let (one, two) = ("0123456789abcdef", "fedcba9876543210")
        source.put(sealed("T-1") { _ in one })
        // The platform sends T-2 with its customer's name taken from T-1.
        source.put(sealed("T-2") { $0.path == "customer.name" ? one : two })
        var store = try TicketStore(root: bench.root)
        store.sealing = .all
        let report = try await TicketPuller(tickets: store, platform: source).pull(
            TicketPuller.Options(author: TicketSyncLibraryTests.author))
        #expect(report.new == ["T-1"], "\(report.new)")
        #expect(report.skipped.map(\.id) == ["T-2"], "\(report.skipped)")
        #expect(
            report.skipped.first?.reason.hasPrefix("its values are sealed with 2 keys (\(one), \(two))") == true,
            "\(report.skipped)")
        #expect(try bench.files().keys.sorted() == ["tickets/2026/11/T-1.yaml"])
        // What was written reads back, sealed with its one key.
        let text = try #require(try bench.files()["tickets/2026/11/T-1.yaml"])
        #expect(TicketCodec(sealing: .all).decodeValid(Array(text.utf8), path: "tickets/2026/11/T-1.yaml") != nil)
    }

    @Test("a pull stopped by a failing page leaves the report of the batches it committed")
    func partialReport() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        for number in 1...3 { source.put(Self.record("T-\(number)")) }
        source.failingPage = 3
        var partial = TicketPuller.Report()
        var store = try TicketStore(root: bench.root)
        store.sealing = .none
        var options = TicketPuller.Options(author: TicketSyncLibraryTests.author)
        (options.batch, options.pageSize) = (1, 1)
        await #expect(throws: PlatformError.self) {
            _ = try await TicketPuller(tickets: store, platform: source).pull(options, into: &partial)
        }
        #expect(partial.commits.count == 2, "\(partial.commits)")
        #expect(partial.new == ["T-1", "T-2"])
        #expect(try bench.files().count == 2)
    }

    @Test("a summary starting with a tab is written so the tool reads it back")
    func tabbedSummary() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        let summary = "\tcolumn a\tcolumn b\n\trow 1\t3\n  indented\n"
        source.put(Self.record("T-1", summary: summary))
        let report = try await bench.pull(source)
        #expect(report.skipped.isEmpty && report.new == ["T-1"])
        let text = try #require(try bench.files()["tickets/2026/11/T-1.yaml"])
        let (read, diagnostics) = TicketFile.read(Array(text.utf8), path: "tickets/2026/11/T-1.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))\n\(text)")
        #expect(read?.summary == summary)
    }

    @Test("plain text that starts like a sealed value is written so the tool reads it back")
    func plainTextThatLooksSealed() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        var record = Self.record("T-1", summary: "sealed:v1:k1:AAAA and sealed:v1:k2:AAAA")
        record.report.customer.name = "sealed:v1:nope"
        record.report.reason = "sealed:v1:k9:QUJD"
        source.put(record)
        let report = try await bench.pull(source)
        #expect(report.skipped.isEmpty && report.new == ["T-1"], "\(report.skipped)")
        let text = try #require(try bench.files()["tickets/2026/11/T-1.yaml"])
        // Read as the repository reads it: nothing is sealed here.
        let (read, diagnostics) = TicketFile.read(Array(text.utf8), path: "tickets/2026/11/T-1.yaml", sealing: .none)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))\n\(text)")
        #expect(read == record, "\(text)")
        // A second pull of a change reads the file in git to merge: it is not held.
        record.report.summary = "sealed:v1:changed"
        source.put(record)
        let again = try await bench.pull(source)
        #expect(again.skipped.isEmpty && again.updated == ["T-1"], "\(again.skipped)")
    }

    @Test("a ticket the platform closed without a resolution is written so the tool reads it back")
    func closedWithoutResolution() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        var record = Self.record("T-1")
        record.team.status = .closed
        record.team.resolution = nil
        source.put(record)
        var blank = Self.record("T-2")
        blank.team.status = .resolved
        blank.team.resolution = "  "
        source.put(blank)
        let report = try await bench.pull(source)
        #expect(report.skipped.isEmpty && report.new == ["T-1", "T-2"], "\(report.skipped)")
        let files = try bench.files()
        #expect(files.count == 2)
        for (path, text) in files {
            let (read, diagnostics) = TicketFile.read(Array(text.utf8), path: path, sealing: .none)
            #expect(diagnostics.isEmpty, "\(path): \(diagnostics.map(\.message))\n\(text)")
            #expect(read?.status == (path.hasSuffix("T-1.yaml") ? .closed : .resolved))
        }
        // The platform's next change merges with the file: nothing is held.
        record.report.tags = ["billing", "refund"]
        source.put(record)
        let again = try await bench.pull(source)
        #expect(again.skipped.isEmpty && again.updated == ["T-1"], "\(again.skipped)")
    }

    @Test("whatever the platform sends, each ticket is refused with a reason or written so the tool reads it back")
    func everyTicketIsRefusedOrReadsBack() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        var strings = GeneratedStrings(seed: 2026, count: 1_000_000)
        func text() -> String { strings.next()! }
        func maybe() -> String? { Int(text().utf8.count) % 3 == 0 ? nil : text() }
        let hostileIDs = ["CON", "nul", "T-0", "t-0", "../T-9", "T 9", "", "T-\u{0}", "tickets", "T-9.yaml", "-T"]
        let times = ["2026-11-24T10:02:11Z", "2026-11-24T10:02:11.123456Z", "2025-01-31T23:59:59Z"]
        let badTimes = [
            "2026-02-29T00:00:00Z", "2026-11-24 10:02:11", "1999-12-31T23:59:60Z", "2026-11-24T10:02:11+01:00",
        ]
        var sent: [String: TicketRecord] = [:]
        var brokenIDs: Set<String> = []
        for n in 0..<400 {
            let id = n % 9 == 0 ? hostileIDs[n / 9 % hostileIDs.count] : "T-\(n)"
            var record = TicketRecord(
                id: id, agent: n % 17 == 0 ? text() : "desk", channel: n % 2 == 0 ? .calls : .messages,
                conversation: text(),
                createdAt: n % 13 == 0
                    ? (n % 2 == 0 ? text() : badTimes[n / 13 % badTimes.count]) : times[n % times.count],
                reason: text(),
                summary: text(), customer: Customer(name: maybe(), email: maybe(), phone: maybe()),
                fields: Dictionary((0..<(n % 3)).map { _ in (text(), text()) }, uniquingKeysWith: { a, _ in a }),
                tags: (0..<(n % 4)).map { _ in text() })
            record.team = TeamFields(
                priority: Priority.allCases[n % Priority.allCases.count],
                status: TicketStatus.allCases[n / 2 % TicketStatus.allCases.count], assignee: maybe(),
                resolution: [nil, "", "  ", text()][n / 3 % 4])
            if n % 23 == 0 {
                // Erased as a platform erases: no customer data left.
                record.erasure = Erasure(at: times[n % times.count], by: text(), reason: text())
                record.report.customer = Customer()
                (record.report.reason, record.report.summary) = ("", "")
                record.report.fields = record.report.fields.mapValues { _ in "" }
            }
            if n % 29 == 1 {
                // Half an emoji in its summary: refused by name, never written.
                let ticket = Ticket(record: record, stamp: PlatformStamp(version: "1", updatedAt: record.createdAt))
                let json = String(decoding: try JSONCoding.encoder().encode(ticket), as: UTF8.self)
                source.putBroken(id, json: json.replacingOccurrences(of: #""summary":""#, with: #""summary":"\ud83d"#))
                brokenIDs.insert(id)
            } else {
                source.put(record)
                brokenIDs.remove(id)
            }
            sent[id] = record
        }
        let report = try await bench.pull(source)
        let files = try bench.files()
        let refused = Dictionary(report.skipped.map { ($0.id, $0.reason) }, uniquingKeysWith: { a, _ in a })
        var written = 0
        for (id, record) in sent {
            if let reason = refused[id] ?? refused[TicketPuller.printable(id)] {
                #expect(!reason.isEmpty)
                continue
            }
            #expect(!brokenIDs.contains(id), "\(id) does not decode, yet it was not refused")
            let path = try #require(
                TicketPaths.path(for: id, createdAt: record.createdAt), "\(id) is neither refused nor at a path")
            let text = try #require(files[path], "\(id) is neither refused nor written at \(path)")
            let (read, diagnostics) = TicketFile.read(Array(text.utf8), path: path, sealing: .none)
            let errors = diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(path): \(errors.map(\.message))\n\(text)")
            #expect(read == record, "\(path) reads back different:\n\(text)")
            written += 1
        }
        #expect(written > 200, "most tickets land: \(written) of \(sent.count)")
        // Every file in git reads, so the list reports no problem.
        var store = try TicketStore(root: bench.root)
        store.sealing = .none
        #expect(try TicketQueries(tickets: store).listing(.noTicket, complete: false).problems.isEmpty)
    }

    @Test("a ticket sent again in one batch counts as its latest form, readable or not")
    func theLatestFormOfATicketInABatchCounts() async throws {
        // Broken after its first page: refused, and no file.
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-1"))
        source.put(Self.record("T-3"))
        source.afterPage = { page in
            if page == 1 { source.putBroken("T-1", json: #"{"id":"T-1","agent":"desk","channel":7}"#) }
        }
        let first = try await bench.pull(source, pageSize: 1)
        #expect(first.skipped.map(\.id) == ["T-1"] && first.new == ["T-3"], "\(first.skipped) \(first.new)")
        #expect(try Set(bench.files().keys) == ["tickets/2026/11/T-3.yaml"])

        // Mended after its first page: it lands, and is not refused.
        let other = try Bench()
        let mended = ScriptedSource()
        mended.putBroken("T-2", json: #"{"id":"T-2","agent":"desk","channel":7}"#)
        mended.put(Self.record("T-4"))
        mended.afterPage = { page in if page == 1 { mended.put(Self.record("T-2")) } }
        let second = try await other.pull(mended, pageSize: 1)
        #expect(Set(second.new) == ["T-2", "T-4"] && second.skipped.isEmpty, "\(second.skipped)")
    }

    @Test("what earlier batches refused is still reported after a later batch stops the pull")
    func refusalsOutliveAFailedPull() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("CON"))
        var erased = Self.record("T-2")
        erased.erasure = Erasure(at: "2026-12-01T10:00:00Z", by: "dpo", reason: "request 7")
        (erased.report.reason, erased.report.summary) = ("", "")
        source.put(erased)  // the customer's name is left: the platform's mistake
        await #expect(throws: TicketPullError.self) { try await bench.pull(source, batch: 1) }
        erased.report.customer = Customer()
        source.put(erased)
        let next = try await bench.pull(source, batch: 1)
        let con = next.skipped.first { $0.id == "CON" }
        #expect(con?.reason.hasSuffix("(refused by an earlier pull)") == true, "\(next.skipped)")
        #expect(next.new == ["T-2"], "\(next.new)")
    }

    @Test("a page on which most tickets do not decode stops the pull: the API changed, not one ticket")
    func aPageOfUndecodableTicketsStopsThePull() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-1"))
        for id in ["T-2", "T-3"] { source.putBroken(id, json: #"{"id":"\#(id)","agent":"desk","channel":7}"#) }
        let error = await #expect(throws: TicketPullError.self) { try await bench.pull(source) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(
            message.hasPrefix("2 of the 3 tickets on a page from the platform do not decode (the first, T-2: "),
            "\(message)")
        #expect(message.contains("nothing of its batch was written and the cursor stayed before it"))
        #expect(try bench.files().isEmpty)
        // Mended on the platform, all three land.
        for id in ["T-2", "T-3"] { source.put(Self.record(id)) }
        let mended = try await bench.pull(source)
        #expect(Set(mended.new) == ["T-1", "T-2", "T-3"] && mended.skipped.isEmpty)
    }

    @Test("an erased ticket that still holds customer data stops the pull, named, with nothing written")
    func erasedWithCustomerData() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-1"))
        var erased = Self.record("T-2")
        erased.erasure = Erasure(at: "2026-12-01T10:00:00Z", by: "dpo", reason: "request 7")
        erased.report.customer = Customer()
        (erased.report.reason, erased.report.summary) = ("", "")
        erased.report.fields = ["order\u{1B}[31m": "A-1"]
        source.put(erased)
        let error = await #expect(throws: TicketPullError.self) { try await bench.pull(source) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("sent ticket T-2 as erased, yet with customer data (fields.order"), "\(message)")
        #expect(!message.contains("\u{1B}") && !message.contains("supportsync.yaml"), "\(message)")
        #expect(try bench.files().isEmpty, "nothing was written")
    }

    @Test("reserved names, case twins and oversized tickets are refused on every pull; the rest land")
    func refusals() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-aa"))
        let first = try await bench.pull(source)
        #expect(first.new == ["T-aa"] && first.skipped.isEmpty)

        let huge = String(repeating: "x", count: YAMLLimits.default.maxBytes)
        for id in ["CON", "nul", "T-AA", "T-big", "T-ok"] {
            source.put(Self.record(id, summary: id == "T-big" ? huge : "Case"))
        }
        let second = try await bench.pull(source)
        #expect(second.new == ["T-ok"])
        let reasons = Dictionary(second.skipped.map { ($0.id, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(reasons.keys) == ["CON", "nul", "T-AA", "T-big"])
        #expect(reasons["CON"]?.contains("reserved device name on Windows") == true)
        #expect(reasons["T-AA"]?.contains("differs only in case from the ticket at tickets/2026/11/T-aa.yaml") == true)
        #expect(reasons["T-big"]?.contains("over the 1048576-byte limit") == true)
        #expect(second.exitStatus == .needsAttention)
        #expect(try Set(bench.files().keys) == ["tickets/2026/11/T-aa.yaml", "tickets/2026/11/T-ok.yaml"])

        // Nothing new on the platform: the cursor moved past them, and they are reported again.
        let third = try await bench.pull(source)
        #expect(third.commits.isEmpty)
        #expect(Set(third.skipped.map(\.id)) == ["CON", "nul", "T-AA", "T-big"])
        #expect(third.skipped.allSatisfy { $0.reason.hasSuffix("(refused by an earlier pull)") })
        #expect(third.exitStatus == .needsAttention)

        // Once the platform changes one so that it fits, it lands and is no longer reported.
        source.put(Self.record("T-big", summary: "Shorter now"))
        let fourth = try await bench.pull(source)
        #expect(fourth.new == ["T-big"])
        #expect(Set(fourth.skipped.map(\.id)) == ["CON", "nul", "T-AA"])
    }

    @Test("a ticket whose JSON does not decode is refused by name on every pull; the rest land")
    func undecodableTickets() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-1"))
        let one = try #require(try await source.ticket(id: "T-1", sealing: .none))
        var json = String(decoding: try JSONCoding.encoder().encode(one), as: UTF8.self)
        // Half an emoji, as a platform that cuts text by UTF-16 units sends it.
        json = json.replacingOccurrences(of: #""summary":"Case""#, with: #""summary":"Case \ud83d""#)
        source.putBroken("T-2", json: json.replacingOccurrences(of: #""id":"T-1""#, with: #""id":"T-2""#))
        source.putBroken(
            "T-3",
            json: json.replacingOccurrences(of: #""id":"T-1""#, with: #""id":"T-3""#)
                .replacingOccurrences(of: #""summary":"Case \ud83d""#, with: #""summary":7"#))
        source.put(Self.record("T-4"))
        let first = try await bench.pull(source)
        #expect(first.new == ["T-1", "T-4"])
        let reasons = Dictionary(uniqueKeysWithValues: first.skipped.map { ($0.id, $0.reason) })
        #expect(Set(reasons.keys) == ["T-2", "T-3"])
        #expect(reasons["T-2"]?.hasPrefix("the platform's JSON for it does not read: not valid JSON text") == true)
        #expect(reasons["T-3"]?.hasSuffix("at summary") == true, "\(reasons["T-3"] ?? "")")
        #expect(first.exitStatus == .needsAttention)
        #expect(try Set(bench.files().keys) == ["tickets/2026/11/T-1.yaml", "tickets/2026/11/T-4.yaml"])

        // Nothing new: the cursor moved past them, and they are reported again.
        let second = try await bench.pull(source)
        #expect(second.commits.isEmpty)
        #expect(Set(second.skipped.map(\.id)) == ["T-2", "T-3"])
        #expect(second.skipped.allSatisfy { $0.reason.hasSuffix("(refused by an earlier pull)") })

        // Sent again in a form that reads, it lands and is no longer reported.
        source.put(Self.record("T-2"))
        let third = try await bench.pull(source)
        #expect(third.new == ["T-2"])
        #expect(third.skipped.map(\.id) == ["T-3"])
    }

    @Test("twins already in git each keep their own file; a stray copy elsewhere is never written")
    func existingTwinsAndStrays() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-ab"))
        source.put(Self.record("T-AB"))
        _ = try await bench.pull(source)  // T-AB refused: a twin of T-ab
        // An older version wrote both, and someone left a copy elsewhere.
        let repository = bench.repository
        let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
        let twin = TicketFile.text(Self.record("T-AB"))
        let old = try repository.commit(
            updating: "refs/heads/main", expectedTip: tip,
            treeUpdates: [
                ("tickets/2026/11/T-AB.yaml", try repository.writeBlob(Array(twin.utf8))),
                ("tickets/archive/T-ab.yaml", try repository.writeBlob(Array(twin.utf8))),
            ], message: "Old twins", author: TicketSyncLibraryTests.author)
        try repository.checkoutPaths(["tickets/2026/11/T-AB.yaml", "tickets/archive/T-ab.yaml"], from: old)
        source.put(Self.record("T-AB", summary: "Changed"))
        source.put(Self.record("T-ab", summary: "Changed too"))
        let report = try await bench.pull(source)
        #expect(report.skipped.isEmpty, "\(report.skipped)")
        let files = try bench.files()
        #expect(files["tickets/2026/11/T-AB.yaml"]?.contains("Changed\n") == true)
        #expect(files["tickets/2026/11/T-ab.yaml"]?.contains("Changed too") == true)
        #expect(files["tickets/archive/T-ab.yaml"] == twin)
    }

    @Test("a changed created_at keeps the ticket at its first path, with the platform's value in it")
    func createdAtNeverMoves() async throws {
        let bench = try Bench()
        let source = ScriptedSource()
        source.put(Self.record("T-1", createdAt: "2026-11-30T23:59:59Z"))
        _ = try await bench.pull(source)
        source.put(Self.record("T-1", createdAt: "2026-12-01T00:00:01Z"))
        let report = try await bench.pull(source)
        #expect(report.skipped.isEmpty)
        #expect(report.updated == ["T-1"] && report.new.isEmpty)
        let files = try bench.files()
        #expect(Array(files.keys) == ["tickets/2026/11/T-1.yaml"])
        #expect(files["tickets/2026/11/T-1.yaml"]?.contains("created_at: \"2026-12-01T00:00:01Z\"") == true)
        let (_, diagnostics) = TicketFile.read(
            Array(files["tickets/2026/11/T-1.yaml"]!.utf8), path: "tickets/2026/11/T-1.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    }
}

extension PullRefusalTests {
    @Test(
        "a platform cannot forge a trailer or break the commit through its instance id or cursor",
        arguments: [
            "local\nCo-authored-by: Mallory <m@example.com>", "a\u{0}b", "two words", "",
            String(repeating: "x", count: 257),
        ])
    func platformTextIsData(_ instance: String) async throws {
        let bench = try Bench()
        let source = ScriptedSource(instance: instance)
        source.put(Self.record("T-1"))
        await #expect {
            _ = try await bench.pull(source)
        } throws: { error in
            guard case TicketPullError.unsafePlatformText(let what, _, _) = error else { return false }
            return what == "instance id" && !(error as! TicketPullError).description.contains("\n")
        }
        #expect(try bench.files().isEmpty)

        let cursorSource = ScriptedSource(
            cursorSuffix: instance.isEmpty ? " " : instance.count > 256 ? String(repeating: "x", count: 4097) : instance
        )
        cursorSource.put(Self.record("T-1"))
        await #expect {
            _ = try await bench.pull(cursorSource)
        } throws: { error in
            guard case TicketPullError.unsafePlatformText(let what, _, _) = error else { return false }
            return what == "cursor"
        }
        #expect(try bench.files().isEmpty)
    }
}
