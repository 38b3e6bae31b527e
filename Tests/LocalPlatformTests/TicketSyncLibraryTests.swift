import Foundation
import Git
import LocalPlatform
import TestSupport
import Testing
import YAML

@testable import SupportSync
@testable import SupportSyncGit

/// `TicketPuller` and `TicketPusher` in-process, against the real local
/// platform and a real repository, with a platform wrapper that acts at the
/// worst moment: another writer moving the branch mid-pull, a ticket
/// changing between a push's read and its PATCH.
@Suite struct TicketSyncLibraryTests {
    static let author = Signature(name: "supportsync", email: "supportsync@localhost")

    /// A repository with one commit on main, and a local platform with an
    /// agent that flags tickets.
    final class Bench {
        let root: URL
        let repository: Repository
        let platform: LocalPlatform

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "supportsync-sync-\(UUID().uuidString)")
            repository = try Repository.create(at: root.appendingPathComponent("repo").path, initialBranch: "main")
            let readme = try repository.writeBlob(Array("# support\n".utf8))
            let first = try repository.commit(
                updating: "refs/heads/main", expectedTip: nil, treeUpdates: [("README.md", readme)], message: "Start",
                author: TicketSyncLibraryTests.author)
            try repository.checkoutPaths(["README.md"], from: first)
            platform = try LocalPlatform(path: root.appendingPathComponent("platform.sqlite").path)
            _ = try await platform.putAgent(
                id: "desk",
                AgentWrite(
                    name: "Desk", channels: [.calls, .messages],
                    support: SupportSettings(mode: .flag, flag: FlagSettings(priority: .normal))),
                expecting: .unconditional)
        }

        func flag(_ count: Int) async throws -> [Ticket] {
            var tickets: [Ticket] = []
            for number in 0..<count {
                tickets.append(
                    try await platform.createTicket(
                        TicketDraft(
                            agent: "desk", channel: .calls, conversation: "conv_\(number)", reason: "Case \(number)"),
                        idempotencyKey: nil))
            }
            return tickets
        }

        func tickets() throws -> TicketStore {
            // The loop itself, in plain text, so tests read what they pulled.
            var store = try TicketStore(root: root.appendingPathComponent("repo"))
            store.sealing = .none
            return store
        }

        /// The ticket files on main, by path.
        func files() throws -> [String] {
            let tip = try #require(try repository.resolve(reference: "refs/heads/main"))
            return try repository.files(under: "tickets", in: tip).map(\.path).filter { $0.hasSuffix(".yaml") }
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    // MARK: Compare-and-swap backstop

    /// The local platform, with a hook run on the first page read.
    struct InterruptingPlatform: WrappingPlatform {
        let base: LocalPlatform
        let onFirstPage: @Sendable () throws -> Void
        let calls = Counter()

        func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
            let page = try await base.tickets(after: cursor, limit: limit, sealing: sealing)
            if calls.next() == 0 {
                do { try onFirstPage() } catch { throw .failed("the hook failed: \(error)") }
            }
            return page
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                defer { value += 1 }
                return value
            }
        }
    }

    /// Another writer that ignores the lock (another machine on a shared
    /// disk, an older tool) commits the first tickets mid-pull: the pull's
    /// compare-and-swap fails, it starts again from the cursor on the new
    /// tip, and every ticket ends up in git exactly once.
    /// Pages of 5 put the other writer's cursor on a page boundary: the
    /// pull then reads again pages it had read before the race.
    /// A conflict whose base was `null` (an assignee nobody had) reads back
    /// from the ledger as `null`, not as "no base"; no base stays none.
    /// A ticket file written outside a commit is noted (`staged`) from
    /// before its temporary file exists until it is in place: a write that
    /// stops half way leaves the note, for the next command that takes the
    /// lock to clear what it left.
    @Test func aWorkingCopyWriteIsNotedUntilTheFileIsInPlace() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-note-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("repo")
        let repository = try Repository.create(at: root.path, initialBranch: "main")
        let readme = try repository.writeBlob(Array("# support\n".utf8))
        let first = try repository.commit(
            updating: "refs/heads/main", expectedTip: nil, treeUpdates: [("README.md", readme)], message: "Start",
            author: Self.author)
        try repository.checkoutPaths(["README.md"], from: first)
        let store = try TicketStore(root: root)
        let note = root.appendingPathComponent(".git/supportsync/staged").path

        let lock = try store.lock()
        try store.writeWorkingCopy("tickets/2026/01/T-1.yaml", Array("id: T-1\n".utf8))
        #expect(
            try String(contentsOfFile: root.appendingPathComponent("tickets/2026/01/T-1.yaml").path, encoding: .utf8)
                == "id: T-1\n")
        #expect(!FileManager.default.fileExists(atPath: note))
        // Stopped half way (a folder on the way is a symbolic link, refused).
        let outside = folder.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("tickets/2027"), withDestinationURL: outside)
        #expect(throws: GitError.self) {
            try store.writeWorkingCopy("tickets/2027/01/T-2.yaml", Array("id: T-2\n".utf8))
        }
        #expect(try String(contentsOfFile: note, encoding: .utf8) == "tickets/2027/01\n")
        lock.release()
        try store.lock().release()
        #expect(!FileManager.default.fileExists(atPath: note), "the next command's lock cleared it")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func theConflictLedgerKeepsANullBaseApartFromNoBase() throws {
        for base in [YAMLValue.null, nil, .string("ana")] {
            let entry = ConflictLedger.Entry(
                TicketConflict(field: .assignee, base: base, git: .string("gitguy"), platform: .string("platguy")))
            let read = try JSONDecoder().decode(ConflictLedger.Entry.self, from: JSONEncoder().encode(entry))
            #expect(read == entry, "\(String(describing: base))")
            let described = try #require(read.conflict).describe(id: "T-1")
            #expect(described.contains(base == nil ? "was (no base)" : "was \(base!.oneLine)"), "\(described)")
        }
    }

    @Test(arguments: [7, 5])
    func aPullThatLosesTheRaceStartsAgainFromTheNewTip(pageSize: Int) async throws {
        let bench = try await Bench()
        let tickets = try await bench.flag(30)
        let instance = try await bench.platform.info().instance
        let repositoryPath = bench.root.appendingPathComponent("repo").path
        let raced = Counter()
        let platform = InterruptingPlatform(base: bench.platform) {
            // What a pull of the first ten would have committed.
            let other = try Repository.open(at: repositoryPath)
            let tip = try other.resolve(reference: "refs/heads/main")
            var updates: [(path: String, blob: ObjectID?)] = []
            for ticket in tickets.prefix(10) {
                let path = try #require(TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt))
                updates.append((path, try other.writeBlob(Array(TicketFile.text(TicketRecord(ticket)).utf8))))
            }
            let cursor = TicketStore.Cursor(instance: instance, position: tickets[9].version, sealing: .none)
            updates.append((TicketStore.cursorPath, try other.writeBlob(Array(cursor.text.utf8))))
            let commit = try other.commit(
                updating: "refs/heads/main", expectedTip: tip, treeUpdates: updates,
                message: "tickets: 10 new, 0 updated\n\nSupportsync-Cursor: \(instance) \(tickets[9].version)\n",
                author: TicketSyncLibraryTests.author)
            try other.checkoutPaths(updates.map(\.path), from: commit)
            _ = raced.next()
        }
        var options = TicketPuller.Options(author: Self.author, batch: 100)
        options.pageSize = pageSize
        let report = try await TicketPuller(tickets: try bench.tickets(), platform: platform).pull(options)

        #expect(raced.next() == 1, "the other writer committed")
        #expect(report.new.count == 20, "the pull wrote only what the other writer had not: \(report.new.count)")
        #expect(Set(report.new).isDisjoint(with: tickets.prefix(10).map(\.id)))
        let files = try bench.files()
        #expect(files.count == 30)
        #expect(Set(files.map { ($0 as NSString).lastPathComponent }).count == 30)
        // The other writer's commit is kept, below the pull's.
        let tip = try #require(try bench.repository.resolve(reference: "refs/heads/main"))
        let history = try bench.repository.commits(from: tip)
        #expect(history.map(\.summary) == ["tickets: 20 new, 0 updated", "tickets: 10 new, 0 updated", "Start"])
        #expect(history.allSatisfy { $0.parents.count <= 1 })
    }

    /// Large tickets end a batch before its count: each batch holds about
    /// `batchBytes` of ticket text, and commits with its cursor.
    @Test func largeTicketsMakeSmallerBatches() async throws {
        let bench = try await Bench()
        for number in 0..<12 {
            _ = try await bench.platform.createTicket(
                TicketDraft(
                    agent: "desk", channel: .calls, conversation: "conv_\(number)", reason: "Case \(number)",
                    summary: String(repeating: "A pasted log line.\n", count: 500)),
                idempotencyKey: nil)
        }
        var options = TicketPuller.Options(author: Self.author)
        options.pageSize = 2
        options.batchBytes = 25_000
        let report = try await TicketPuller(tickets: try bench.tickets(), platform: bench.platform).pull(options)

        // 10,000 bytes a ticket: two pages of two reach 25,000.
        #expect(report.commits.count == 3)
        #expect(report.new.count == 12)
        #expect(try bench.files().count == 12)
        let tip = try #require(try bench.repository.resolve(reference: "refs/heads/main"))
        let history = try bench.repository.commits(from: tip)
        #expect(history.map(\.summary).prefix(3).allSatisfy { $0 == "tickets: 4 new, 0 updated" })
        #expect(history.prefix(3).allSatisfy { $0.message.contains("Supportsync-Cursor: ") })
    }

    // MARK: Conditional PATCH

    /// The local platform, changing a ticket on the platform side just before
    /// the first PATCH reaches it, and recording each PATCH's If-Match.
    struct MeddlingPlatform: WrappingPlatform {
        let base: LocalPlatform
        let meddle: TicketPatch
        let log = PatchLog()

        func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
            let ticket = try await base.ticket(id: id, sealing: sealing)
            log.read(ticket?.version)
            return ticket
        }
        func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            if log.patch(ifMatch) == 0 {
                _ = try await base.patchTicket(id: id, meddle, expecting: nil, sealing: sealing)
            }
            return try await base.patchTicket(id: id, patch, expecting: ifMatch, sealing: sealing)
        }
    }

    final class PatchLog: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var reads: [String?] = []
        private(set) var ifMatches: [String?] = []
        func read(_ version: String?) { lock.withLock { reads.append(version) } }
        func patch(_ ifMatch: String?) -> Int {
            lock.withLock {
                ifMatches.append(ifMatch)
                return ifMatches.count - 1
            }
        }
    }

    /// Pulls three tickets, then sets the first one's assignee in git as
    /// the team would (a commit of the edited file).
    private func teamAssigns(_ bench: Bench, to assignee: String) async throws -> Ticket {
        let tickets = try await bench.flag(3)
        _ = try await TicketPuller(tickets: try bench.tickets(), platform: bench.platform).pull(
            .init(author: Self.author))
        let ticket = tickets[0]
        let path = try #require(TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt))
        var record = TicketRecord(ticket)
        record.assignee = assignee
        let tip = try bench.repository.resolve(reference: "refs/heads/main")
        let commit = try bench.repository.commit(
            updating: "refs/heads/main", expectedTip: tip,
            treeUpdates: [(path, try bench.repository.writeBlob(Array(TicketFile.text(record).utf8)))],
            message: "Take \(ticket.id)", author: Signature(name: "Ana", email: "ana@example.com"))
        try bench.repository.checkoutPaths([path], from: commit)
        return ticket
    }

    /// Commits `record` at its path on main, as a team member's edit.
    private func commitTeamEdit(_ bench: Bench, _ record: TicketRecord, message: String) throws {
        let path = try #require(TicketPaths.path(for: record.id, createdAt: record.createdAt))
        let tip = try bench.repository.resolve(reference: "refs/heads/main")
        let commit = try bench.repository.commit(
            updating: "refs/heads/main", expectedTip: tip,
            treeUpdates: [(path, try bench.repository.writeBlob(Array(TicketFile.text(record).utf8)))],
            message: message, author: Signature(name: "Ana", email: "ana@example.com"))
        try bench.repository.checkoutPaths([path], from: commit)
    }

    /// A platform that records the status each PATCH sends, and fails the
    /// PATCHes that send one of `failing` (busy after its retries).
    struct StatusLoggingPlatform: WrappingPlatform {
        let base: LocalPlatform
        var failing: Set<TicketStatus> = []
        /// PATCHes sending one of these are answered with the ticket as it was.
        var ignoring: Set<TicketStatus> = []
        let sent = LockedList<TicketStatus?>()

        func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            sent.append(patch.status)
            if let status = patch.status, failing.contains(status) { throw .unavailable("busy") }
            if let status = patch.status, ignoring.contains(status) {
                guard let ticket = try await base.ticket(id: id, sealing: sealing) else { throw .notFound(id) }
                return ticket
            }
            return try await base.patchTicket(id: id, patch, expecting: ifMatch, sealing: sealing)
        }
    }

    final class LockedList<Element: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Element] = []
        func append(_ item: Element) { lock.withLock { items.append(item) } }
        var all: [Element] { lock.withLock { items } }
    }

    /// A ticket reopened in git over two commits (resolved -> in_progress
    /// -> pending) while the platform holds it resolved: the lifecycle has
    /// no direct move, so the push sends the two moves, one PATCH each.
    /// When the second fails, the first is taken back and nothing is
    /// half-sent; when that fails too, the base records the first move, and
    /// the next push sends the rest with no conflict.
    @Test func aStatusReachedThroughAnotherIsPushedAsThoseMoves() async throws {
        let bench = try await Bench()
        let ticket = try await bench.flag(2)[0]
        _ = try await TicketPuller(tickets: try bench.tickets(), platform: bench.platform).pull(
            .init(author: Self.author))
        var record = TicketRecord(ticket)
        record.status = .resolved
        record.resolution = "Refunded"
        try commitTeamEdit(bench, record, message: "Resolve \(ticket.id)")
        let resolved = try await TicketPusher(tickets: try bench.tickets(), platform: bench.platform).push(
            author: Self.author)
        #expect(resolved.pushed == [ticket.id] && resolved.failed.isEmpty, "\(resolved.failed)")
        let baseBefore = try bench.repository.resolve(reference: TicketStore.platformRef)

        record.status = .inProgress
        try commitTeamEdit(bench, record, message: "Reopen \(ticket.id)")
        record.status = .pending
        record.resolution = nil
        try commitTeamEdit(bench, record, message: "Back to the queue: \(ticket.id)")

        let preview = try await TicketPusher(tickets: try bench.tickets(), platform: bench.platform).preview()
        #expect(preview.toPush == [ticket.id] && preview.failed.isEmpty, "\(preview.failed)")

        // The second move fails: the first is taken back, the base stays.
        let busy = StatusLoggingPlatform(base: bench.platform, failing: [.pending])
        let failed = try await TicketPusher(tickets: try bench.tickets(), platform: busy).push(author: Self.author)
        #expect(failed.pushed.isEmpty && failed.failed.map(\.id) == [ticket.id], "\(failed.failed)")
        #expect(busy.sent.all == [.inProgress, .pending, .resolved])
        #expect(try await bench.platform.ticket(id: ticket.id)?.status == .resolved)
        #expect(try bench.repository.resolve(reference: TicketStore.platformRef) == baseBefore)

        // Taking it back is answered without being made: the platform keeps
        // the first move, and the base records it.
        let down = StatusLoggingPlatform(base: bench.platform, failing: [.pending], ignoring: [.resolved])
        let left = try await TicketPusher(tickets: try bench.tickets(), platform: down).push(author: Self.author)
        #expect(left.pushed.isEmpty && left.failed.map(\.id) == [ticket.id], "\(left.failed)")
        #expect(down.sent.all == [.inProgress, .pending, .resolved])
        #expect(try await bench.platform.ticket(id: ticket.id)?.status == .inProgress)

        let honest = StatusLoggingPlatform(base: bench.platform)
        let pushed = try await TicketPusher(tickets: try bench.tickets(), platform: honest).push(author: Self.author)
        #expect(pushed.pushed == [ticket.id] && pushed.failed.isEmpty && pushed.conflicts.isEmpty, "\(pushed)")
        #expect(honest.sent.all == [.pending], "the platform already took in_progress")
        let live = try #require(try await bench.platform.ticket(id: ticket.id))
        #expect(live.status == .pending && live.resolution == nil)
        #expect(try TicketPusher(tickets: try bench.tickets(), platform: bench.platform).pending().isEmpty)
        let pulled = try await TicketPuller(tickets: try bench.tickets(), platform: bench.platform).pull(
            .init(author: Self.author))
        #expect(pulled.conflicts.isEmpty, "\(pulled.conflicts)")
    }

    /// A pull stages a batch's files beside their paths while it packs; one
    /// killed then leaves them, with its note of the folders, and the next
    /// command deletes them, even those whose path it never writes again.
    @Test func filesStagedByAKilledPullAreDeletedByTheNextCommand() async throws {
        let bench = try await Bench()
        let tickets = try await bench.flag(100)
        _ = try await TicketPuller(tickets: try bench.tickets(), platform: bench.platform).pull(
            .init(author: Self.author))
        let repo = bench.root.appendingPathComponent("repo").path
        let path = try #require(TicketPaths.path(for: tickets[0].id, createdAt: tickets[0].createdAt))
        let folder = String(path[..<path.lastIndex(of: "/")!])
        // The pull staged 100 files and renamed every one: no note, no temporary file.
        #expect(!FileManager.default.fileExists(atPath: repo + "/.git/supportsync/staged"))
        let names = try FileManager.default.subpathsOfDirectory(atPath: repo + "/tickets")
        #expect(names.filter { $0.hasSuffix(".yaml") }.count == 100)
        #expect(!names.contains { $0.hasSuffix(".tmp") })

        // What a pull killed while staging leaves.
        let left = [".\(tickets[0].id).yaml.00000000deadbeef.tmp", ".T-NEVER-AGAIN.yaml.0123456789abcdef.tmp"]
        for name in left { try Data("id: x\n".utf8).write(to: URL(fileURLWithPath: repo + "/" + folder + "/" + name)) }
        try Data("\(folder)\n../outside\n".utf8).write(to: URL(fileURLWithPath: repo + "/.git/supportsync/staged"))
        let kept = repo + "/" + folder + "/.notes.tmp"  // not a name supportsync writes
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: kept))

        try bench.tickets().lock().release()
        for name in left { #expect(!FileManager.default.fileExists(atPath: repo + "/" + folder + "/" + name)) }
        #expect(FileManager.default.fileExists(atPath: kept))
        #expect(!FileManager.default.fileExists(atPath: repo + "/.git/supportsync/staged"))
        #expect(FileManager.default.fileExists(atPath: repo + "/" + path))
    }

    @Test func aPushIsConditionalOnTheVersionJustReadAndMergesAgainWhenItChanged() async throws {
        let bench = try await Bench()
        let ticket = try await teamAssigns(bench, to: "ana@example.com")
        // The platform changes another field between the read and the PATCH.
        let platform = MeddlingPlatform(base: bench.platform, meddle: TicketPatch(status: .inProgress))
        let report = try await TicketPusher(tickets: try bench.tickets(), platform: platform).push(author: Self.author)

        #expect(report.pushed == [ticket.id])
        #expect(report.conflicts.isEmpty && report.failed.isEmpty)
        #expect(platform.log.ifMatches.count == 2, "the first PATCH was refused (412) and sent again after a new read")
        #expect(platform.log.ifMatches.allSatisfy { $0 != nil }, "every PATCH is conditional")
        #expect(platform.log.ifMatches == platform.log.reads, "each If-Match is the version just read")
        let live = try #require(try await bench.platform.ticket(id: ticket.id))
        #expect(live.assignee == "ana@example.com" && live.status == .inProgress, "both changes stand")
    }

    @Test func aPlatformChangeToTheSameFieldBetweenReadAndPatchIsAConflictNotAnOverwrite() async throws {
        let bench = try await Bench()
        let ticket = try await teamAssigns(bench, to: "ana@example.com")
        let platform = MeddlingPlatform(base: bench.platform, meddle: TicketPatch(assignee: .set("bob@example.com")))
        let report = try await TicketPusher(tickets: try bench.tickets(), platform: platform).push(author: Self.author)

        #expect(report.pushed.isEmpty)
        #expect(report.conflicts.map(\.conflict.field) == [.assignee])
        #expect(report.exitStatus == .needsAttention)
        #expect(try await bench.platform.ticket(id: ticket.id)?.assignee == "bob@example.com", "not overwritten")
        // Reported again on the next push, until someone resolves it.
        let again = try await TicketPusher(tickets: try bench.tickets(), platform: bench.platform).push(
            author: Self.author)
        #expect(again.conflicts.map(\.conflict.field) == [.assignee])
    }

    /// A platform that answers a PATCH with 200 and the ticket as it was.
    struct IgnoringPlatform: WrappingPlatform {
        let base: LocalPlatform

        func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            guard let ticket = try await base.ticket(id: id, sealing: sealing) else { throw .notFound(id) }
            return ticket
        }
    }

    /// A change the platform's answer shows it did not make is a failed
    /// push: not reported as pushed, and the base stays, so the next push
    /// sends it again and no pull takes it back.
    @Test func aPatchAnsweredWithoutTheChangeIsAFailureAndNothingMoves() async throws {
        let bench = try await Bench()
        let ticket = try await teamAssigns(bench, to: "ana@example.com")
        let baseBefore = try bench.repository.resolve(reference: TicketStore.platformRef)
        let report = try await TicketPusher(
            tickets: try bench.tickets(), platform: IgnoringPlatform(base: bench.platform)
        )
        .push(author: Self.author)
        #expect(report.pushed.isEmpty)
        #expect(report.failed.map(\.id) == [ticket.id])
        #expect(report.failed.first?.reason.contains("answered the change of assignee without making it") == true)
        #expect(report.exitStatus == .failure)
        #expect(try bench.repository.resolve(reference: TicketStore.platformRef) == baseBefore, "the base stays")
        // The honest platform then takes it.
        let again = try await TicketPusher(tickets: try bench.tickets(), platform: bench.platform).push(
            author: Self.author)
        #expect(again.pushed == [ticket.id])
        #expect(try await bench.platform.ticket(id: ticket.id)?.assignee == "ana@example.com")
    }

    /// A platform that keeps assignees in lower case.
    struct LowercasingPlatform: WrappingPlatform {
        let base: LocalPlatform

        func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            var taken = patch
            if let assignee = patch.assignee?.value { taken.assignee = .set(assignee.lowercased()) }
            return try await base.patchTicket(id: id, taken, expecting: ifMatch, sealing: sealing)
        }
    }

    /// A value taken in the platform's own form is a change made: pushed,
    /// and the next pull brings that form into git, once.
    @Test func aValueThePlatformTakesInItsOwnFormIsPushedAndPulledBack() async throws {
        let bench = try await Bench()
        let ticket = try await teamAssigns(bench, to: "Ana@Example.com")
        let platform = LowercasingPlatform(base: bench.platform)
        let report = try await TicketPusher(tickets: try bench.tickets(), platform: platform).push(author: Self.author)
        #expect(report.pushed == [ticket.id] && report.failed.isEmpty, "\(report.failed)")
        let pulled = try await TicketPuller(tickets: try bench.tickets(), platform: platform).pull(
            .init(author: Self.author))
        #expect(pulled.updated == [ticket.id] && pulled.conflicts.isEmpty)
        let again = try await TicketPusher(tickets: try bench.tickets(), platform: platform).push(author: Self.author)
        #expect(again.pushed.isEmpty && again.failed.isEmpty && again.conflicts.isEmpty)
    }

    // MARK: Sealing

    /// An old platform: it ignores what the client asks to be sealed.
    struct PlainPlatform: WrappingPlatform {
        let base: LocalPlatform

        func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
            try await base.ticket(id: id, sealing: .none)
        }
        func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
            try await base.tickets(after: cursor, limit: limit, sealing: .none)
        }
        func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
            async throws(PlatformError) -> Ticket
        {
            try await base.patchTicket(id: id, patch, expecting: ifMatch, sealing: .none)
        }
    }

    @Test func aPlatformSendingPlainCustomerDataStopsASealedPullBeforeAnythingIsWritten() async throws {
        let bench = try await Bench()
        _ = try await bench.flag(3)
        var tickets = try bench.tickets()
        tickets.sealing = .all
        let before = try bench.repository.resolve(reference: "refs/heads/main")
        await #expect(throws: TicketPullError.self) {
            try await TicketPuller(tickets: tickets, platform: PlainPlatform(base: bench.platform))
                .pull(TicketPuller.Options(author: Self.author))
        }
        #expect(try bench.repository.resolve(reference: "refs/heads/main") == before, "nothing was committed")
        #expect(try bench.files().isEmpty)
        // The same platform, sealing: the pull lands, and a second pull changes nothing.
        let report = try await TicketPuller(tickets: tickets, platform: bench.platform)
            .pull(TicketPuller.Options(author: Self.author))
        #expect(report.new.count == 3 && report.commits.count == 1)
        let tip = try bench.repository.resolve(reference: "refs/heads/main")
        let again = try await TicketPuller(tickets: tickets, platform: bench.platform)
            .pull(TicketPuller.Options(author: Self.author))
        #expect(again.commits.isEmpty)
        #expect(try bench.repository.resolve(reference: "refs/heads/main") == tip)
    }
}
