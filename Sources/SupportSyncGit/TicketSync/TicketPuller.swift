internal import CMalloc
import Foundation
import Git
import Logging
import SupportSync

/// `tickets pull`: every ticket created or changed on the platform since the
/// cursor, written to `tickets/YYYY/MM/<id>.yaml` and committed together
/// with the cursor, one commit per batch, built in memory from the branch
/// tip (SPEC section 7).
public struct TicketPuller {
    public struct Options: Sendable {
        public var batch = 5_000
        /// A batch also ends, on a page boundary, once its tickets' text
        /// (`TicketRecord.textBytes`) reaches this: large tickets make
        /// smaller commits, not a batch of gigabytes in memory.
        public var batchBytes = 16 << 20
        public var pageSize = 1_000
        public var author: Signature
        public var dryRun = false
        /// In a dry run, note what the platform holds of each ticket it
        /// sends (`Report.platformClosed`), for retention's preview.
        public var notesPlatformStatus = false

        public init(author: Signature, batch: Int = 5_000) {
            self.author = author
            self.batch = batch
        }
    }

    public struct Report: Sendable {
        public var new: [String] = []
        public var updated: [String] = []
        public var commits: [ObjectID] = []
        /// Tickets not written: an id or agent that is not a safe file name,
        /// a reserved name, a case twin, a file over the size limit (refused,
        /// and reported on every pull until the platform changes them), or a
        /// file in git that does not validate.
        public var skipped: [(id: String, reason: String)] = []
        /// Team fields changed differently in git and on the platform: git's value kept.
        public var conflicts: [(id: String, conflict: TicketConflict)] = []
        /// Every ticket this pull merged (written, unchanged, or in conflict).
        public var merged: Set<String> = []
        /// A ticket whose file in git does not validate stopped the pull at
        /// its batch: nothing of that batch was written and the cursor
        /// stayed, so the next pull reads the batch again (the platform's
        /// change to that ticket is not lost while the file is mended).
        public var stopped = false
        /// Every ticket file on the branch that does not read, whether or not
        /// the platform sent its ticket: none is passed over without a word.
        public var problems: [Diagnostic] = []
        /// The first tickets written (`IDList.limit`): agent, status and what
        /// changed, for a report's table; `new` and `updated` count them all.
        /// A pull of 100,000 tickets keeps no row for each.
        public var summaries: [TicketSummary] = []
        public var warnings: [String] = []
        /// In a dry run, what the platform holds now of each ticket it sent:
        /// the closed ones not erased, with their created_at, and the others
        /// (what retention would erase; `sync --dry-run`).
        public var platformClosed: [String: String] = [:]
        public var platformNotClosed: Set<String> = []

        public init() {}

        public var exitStatus: ExitStatus {
            skipped.isEmpty && conflicts.isEmpty && problems.isEmpty ? .success : .needsAttention
        }
    }

    let tickets: TicketStore
    let platform: any TicketSource
    let logger: Logger

    public init(
        tickets: TicketStore, platform: any TicketSource, logger: Logger = Logger(label: "supportsync.pull")
    ) {
        self.tickets = tickets
        self.platform = platform
        self.logger = logger
    }

    public func pull(_ options: Options) async throws -> Report {
        var report = Report()
        return try await pull(options, into: &report)
    }

    /// `pull(_:)`, with what the pull did in `report` also when it throws:
    /// the batches committed before a later one stopped it, to be reported
    /// with the error.
    public func pull(_ options: Options, into report: inout Report) async throws -> Report {
        let lock = try tickets.lock()
        defer { lock.release() }
        let info = try await platform.info()
        try Self.requireCommitSafe(info.instance, "instance id", limit: 256)
        // Through the list cache: in a repository of unchanged files, a look
        // at each file's metadata, no read.
        let listing = try TicketQueries(tickets: tickets).listing(.noTicket, complete: false)
        // Two files with one id among them: the pull writes the ticket at one.
        report.problems = (listing.problems + listing.duplicates).sorted { $0.location < $1.location }
        var lostRaces = 0
        var restart = true
        var tip: ObjectID?
        var position: String?
        var prefetched: Task<Batch, any Error>?
        defer { prefetched?.cancel() }
        var known = TicketFileIndex()
        var refused: [(id: String, reason: String)] = []
        /// Every position this pull has read from: a feed that sends one
        /// again goes round in a circle and would never end.
        var visited: Set<String> = []
        do {
            while true {
                if restart {
                    tip = try tickets.tip()
                    let stored = try tickets.cursor(at: tip)
                    position = stored?.position
                    // Files sealed one way are never rewritten another by a pull:
                    // that takes `tickets seal` or `tickets unseal`, a commit of its own.
                    try tickets.requireStoredSealing(stored, at: tip)
                    if let stored, stored.instance != info.instance {
                        report.warnings.append(
                            "the cursor belongs to another platform (instance \(stored.instance), now \(info.instance)): starting over; only tickets that differ are updated"
                        )
                        position = nil
                    }
                    known = try tickets.ticketIndex(at: tip)
                    // Read again from the cursor on the new tip: its pages are no circle.
                    visited = []
                    restart = false
                }
                let batch: Batch
                if let next = prefetched {
                    batch = try await next.value
                } else {
                    batch = try await Self.fetchBatch(
                        after: position, from: platform, sealing: tickets.sealing, options: options, visited: visited)
                }
                prefetched = nil
                visited.formUnion(batch.visited)
                // No ticket: nothing to commit, unless the platform passed over
                // so many items to get here that the next pull should not read
                // them again (the cursor alone is committed).
                guard
                    !batch.tickets.isEmpty || !batch.unreadable.isEmpty
                        || (batch.passedOver >= Self.passedOverWorthACommit && batch.end != position)
                else { break }
                if let end = batch.end { try Self.requireCommitSafe(end, "cursor", limit: 4096) }
                // The platform prepares the next batch while this one is written.
                if batch.more {
                    let (platform, sealing, end, visited) = (platform, tickets.sealing, batch.end, visited)
                    prefetched = Task {
                        try await Self.fetchBatch(
                            after: end, from: platform, sealing: sealing, options: options, visited: visited)
                    }
                }
                let cursor = TicketStore.Cursor(instance: info.instance, position: batch.end, sealing: tickets.sealing)
                do {
                    // The next batch builds on this one's commit.
                    if let commit = try write(
                        batch.tickets, cursor: cursor, tip: tip, options: options, full: batch.full, known: &known,
                        refused: &refused, report: &report)
                    {
                        tip = commit
                    }
                    // Refused like a ticket no file can hold: named on every pull
                    // until the platform sends it again in a form that reads.
                    let unreadable = batch.unreadable.map {
                        (id: Self.printable($0.id), reason: PrintableText.escaping($0.reason))
                    }
                    refused += unreadable
                    report.skipped += unreadable
                } catch {
                    // Stopped and gone before anything else reads the platform.
                    prefetched?.cancel()
                    _ = await prefetched?.result
                    prefetched = nil
                    guard error is TicketStore.RaceLost, lostRaces < 20 else { throw error }
                    // Someone moved the branch: start again from the cursor on the new tip.
                    lostRaces += 1
                    logger.info("the branch moved during the pull; starting again from the new tip")
                    restart = true
                    continue
                }
                if report.stopped { break }
                position = batch.end
                if !batch.more { break }
                // The batch's tickets, texts and objects are freed: given back
                // to the system before the next batch, not left between what it
                // keeps (after the last batch, the pull is soon done).
                supportsync_release_free_memory()
            }
        } catch {
            // The batches before this one are committed, their cursor with
            // them: what they refused is recorded now, or no later pull
            // would report it.
            if !options.dryRun, !refused.isEmpty {
                _ = try? RefusalLedger.update(tickets, refused: refused, written: report.merged, author: options.author)
            }
            throw error
        }
        if !options.dryRun {
            // What this pull merged is found in conflict again, or no longer.
            try ConflictLedger.update(
                tickets, found: report.conflicts, cleared: report.merged, author: options.author)
            let stillRefused = try RefusalLedger.update(
                tickets, refused: refused, written: report.merged, author: options.author)
            report.skipped += stillRefused.map { ($0.id, $0.reason + " (refused by an earlier pull)") }
        }
        return report
    }

    private struct Batch: Sendable {
        var tickets: [Ticket]
        /// Tickets whose JSON did not decode (the latest of each id).
        var unreadable: [UnreadableTicket] = []
        var end: String?
        var more: Bool
        var passedOver = 0
        /// The positions read from, the start's included.
        var visited: Set<String> = []
        /// The batch ended at `batch` tickets or `batchBytes` of their text,
        /// as fetched (before a ticket sent twice is kept once).
        var full = false
    }

    /// Items a platform passed over (`TicketPage.passedOver`) that make a
    /// batch with no ticket worth a commit of the cursor.
    static let passedOverWorthACommit = 1_000

    /// Pages until at least `batch` tickets or `batchBytes` of their text
    /// (ending on a page boundary), or the last page.
    /// A next cursor among `visited` (positions this pull read from before)
    /// or this batch's own stops it: the feed goes round in a circle.
    private static func fetchBatch(
        after start: String?, from platform: any TicketSource, sealing: Sealing, options: Options,
        visited: Set<String>
    ) async throws -> Batch {
        var seen = visited
        if let start { seen.insert(start) }
        var tickets: [Ticket] = []
        // By id, its latest unreadable form and how many tickets came before it.
        var unreadable: [String: (ticket: UnreadableTicket, after: Int)] = [:]
        var position = start
        var more = true
        var passedOver = 0
        var bytes = 0
        while tickets.count < options.batch, bytes < options.batchBytes {
            let page = try await platform.tickets(
                after: position, limit: min(options.pageSize, max(1, options.batch)), sealing: sealing)
            // Checked page by page, while the platform prepares the next
            // (and the batch before is still being written).
            try requireSealed(page.tickets, sealing)
            // One ticket that does not read is refused; most of a page not
            // reading is the API changing under the tool, and moving the
            // cursor past every ticket would lose them all: stop instead.
            if page.unreadable.count >= 2, page.unreadable.count > page.tickets.count, let first = page.unreadable.first
            {
                throw TicketPullError.unreadablePage(
                    printable(first.id), PrintableText.escaping(first.reason), page.unreadable.count,
                    page.unreadable.count + page.tickets.count)
            }
            // Where in the batch each came: a ticket sent again later in
            // the batch, readable or not, is the one that counts (an
            // unreadable one counts as after its page's readable ones).
            for ticket in page.unreadable { unreadable[ticket.id] = (ticket, tickets.count + page.tickets.count) }
            tickets += page.tickets
            for ticket in page.tickets { bytes += ticket.record.textBytes }
            passedOver += page.passedOver
            // A server that does not say where its last page ends leaves the
            // position at that page's start: re-reading it later is harmless.
            position = page.nextCursor ?? page.cursor ?? position
            guard let next = page.nextCursor else {
                more = false
                break
            }
            guard seen.insert(next).inserted else { throw TicketPullError.cursorCycle(printable(next)) }
        }
        // The same ticket may come twice when it changed between pages: keep the latest.
        var latest: [String: Int] = [:]
        for (index, ticket) in tickets.enumerated() { latest[ticket.id] = index }
        let unique = tickets.enumerated().filter { index, ticket in
            latest[ticket.id] == index && (unreadable[ticket.id]?.after ?? 0) <= index
        }.map(\.element)
        let broken = unreadable.values.filter { (latest[$0.ticket.id] ?? -1) < $0.after }
            .sorted { ($0.after, $0.ticket.id) < ($1.after, $1.ticket.id) }.map(\.ticket)
        return Batch(
            tickets: unique, unreadable: broken, end: position, more: more, passedOver: passedOver, visited: seen,
            full: tickets.count >= options.batch || bytes >= options.batchBytes)
    }

    /// Writes one batch as one commit (with the platform base moved in the
    /// same compare-and-swap). Returns the new commit, nil when nothing
    /// changed. Throws `RaceLost` when the branch moved since `expectedTip`.
    /// `full`: the batch was as large as allowed (nil: judged from `batch`).
    func write(
        _ batch: [Ticket], cursor: TicketStore.Cursor, tip expectedTip: ObjectID?, options: Options, full: Bool? = nil,
        known: inout TicketFileIndex, refused: inout [(id: String, reason: String)], report: inout Report
    ) throws -> ObjectID? {
        if options.dryRun, options.notesPlatformStatus {
            // The last read of a ticket is what the platform holds.
            for ticket in batch {
                if ticket.record.team.status == .closed, ticket.record.erasure == nil {
                    report.platformClosed[ticket.id] = ticket.record.createdAt
                    report.platformNotClosed.remove(ticket.id)
                } else {
                    report.platformNotClosed.insert(ticket.id)
                    report.platformClosed[ticket.id] = nil
                }
            }
        }
        var planned: PullPlan?
        let committed = try tickets.commit(author: options.author) { tip, baseTip in
            // The branch moved: start again from the cursor on the new tip.
            guard tip == expectedTip else { throw TicketStore.RaceLost() }
            let plan = try self.plan(
                batch, cursor: cursor, tip: tip, baseTip: baseTip, options: options, full: full, known: known)
            planned = plan
            guard plan.commits, plan.skipped.isEmpty else { return nil }
            // A dry run stops here too: the run would.
            try tickets.refuseDirtyPaths(plan.change.files, removing: plan.change.removals)
            return options.dryRun ? nil : plan.change
        }
        guard let plan = planned else { return nil }
        guard plan.skipped.isEmpty else {
            // Merging with the file is what the platform's change needs: the
            // batch waits, whole, with the cursor before it.
            report.skipped += plan.skipped.map {
                (
                    $0.id,
                    $0.reason
                        + "; nothing of its batch was written and the cursor stayed, so the next pull reads it again"
                )
            }
            report.stopped = true
            return nil
        }
        for path in plan.filed { known.insert(path) }
        refused += plan.refused
        report.skipped += plan.refused + plan.skipped
        report.conflicts += plan.conflicts
        let notMerged = Set(plan.refused.map(\.id) + plan.skipped.map(\.id))
        report.merged.formUnion(batch.map(\.id).filter { !notMerged.contains($0) })
        report.new += plan.new
        report.summaries += plan.summaries.prefix(max(0, IDList.limit - report.summaries.count))
        report.updated += plan.updated
        guard let commit = committed?.commit else { return nil }
        report.commits.append(commit)
        // The list cache's rows of the tickets erased now go with their data.
        let erased = Set(plan.updated).intersection(batch.filter { $0.record.erasure != nil }.map(\.id))
        if !erased.isEmpty {
            TicketListCache.forget(
                paths: Set(erased.compactMap { known.path(of: $0) }), gitDirectory: tickets.repository.gitDirectory)
        }
        logger.info(
            "committed",
            metadata: ["commit": "\(commit)", "new": "\(plan.new.count)", "updated": "\(plan.updated.count)"])
        return commit
    }

    /// Reads what git and the base hold for the batch's tickets, and plans.
    private func plan(
        _ batch: [Ticket], cursor: TicketStore.Cursor, tip: ObjectID?, baseTip: ObjectID?, options: Options,
        full: Bool?, known: TicketFileIndex
    ) throws -> PullPlan {
        let paths = batch.map { ticket -> String? in
            guard Patterns.isAgentID(ticket.agent),
                let computed = TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt)
            else { return nil }
            // A ticket already in git stays where it is (its created_at may have changed).
            if let existing = known.path(of: ticket.id) { return existing }
            return computed
        }
        // Only tickets already in git have a file there or in the base to
        // merge with: a new ticket's folder is not read at all (a first pull
        // of 100,000 tickets would otherwise list every month in every batch).
        let existing = zip(batch, paths).compactMap { ticket, path -> String? in
            guard let path, known.contains(path) else { return nil }
            return path
        }
        // Their folders are listed once each, not searched once per ticket.
        let folders = Set(existing.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) })
        let gitBlobs = try tickets.blobs(in: folders, at: tip)
        let baseBlobs = try tickets.blobs(in: folders, at: baseTip)
        // A branch behind the base is judged from what it last agreed with (`TicketStore.judgingBase`).
        let judging = try tickets.judgingBase(tip: tip, baseTip: baseTip)
        let judgedBlobs = judging == baseTip ? nil : try tickets.blobs(in: folders, at: judging)
        var git: [String: [UInt8]] = [:]
        var base: [String: [UInt8]] = [:]
        var judged: [String: [UInt8]]? = judgedBlobs.map { _ in [:] }
        for path in existing {
            git[path] = try gitBlobs[path].map(tickets.repository.blob)
            base[path] = try baseBlobs[path].map(tickets.repository.blob)
            if let judgedBlobs { judged?[path] = try judgedBlobs[path].map(tickets.repository.blob) }
        }
        return PullPlan.make(
            batch: batch, paths: paths, git: git, base: base, judged: judged,
            storedCursor: try tickets.bytes(at: TicketStore.cursorPath, in: tip),
            legacyCursor: try tickets.legacyCursorBytes(at: tip), cursor: cursor,
            // An empty batch is written only for its cursor (`passedOver`).
            fullBatch: batch.isEmpty || (full ?? (batch.count >= options.batch)), codec: tickets.codec,
            holdsTeamFields: platform.holdsTeamFields, known: known)
    }

    /// Stops the pull before anything of the batch is written when the
    /// platform sent customer data in plain text that should be sealed.
    static func requireSealed(_ batch: [Ticket], _ sealing: Sealing) throws {
        for ticket in batch {
            let plain = SealedValue.plainPlaces(in: ticket.record, sealing: sealing)
            guard !plain.isEmpty else { continue }
            // Field names come from the platform too: printable before they are shown.
            let places = plain.map { PrintableText.escaping($0.path) }
            if ticket.record.erasure != nil {
                throw TicketPullError.erasedWithCustomerData(printable(ticket.id), places)
            }
            throw TicketPullError.plainCustomerData(printable(ticket.id), places)
        }
    }

    /// The platform's instance id and cursor go into the commit's
    /// `Supportsync-Cursor:` trailer and the cursor file: visible ASCII
    /// (1 to 256 characters for the instance, up to 4,096 for an opaque
    /// cursor), so nothing the platform sends can end the line, add a
    /// trailer, or hide in a terminal.
    static func requireCommitSafe(_ text: String, _ what: String, limit: Int) throws {
        let bytes = text.utf8
        guard !(1...limit).contains(bytes.count) || !bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return }
        throw TicketPullError.unsafePlatformText(what, printable(text), limit)
    }

    /// Both parts of a cursor, before they go into a commit's trailer: the
    /// instance may come from the platform and the position from git.
    static func requireCommitSafe(_ cursor: TicketStore.Cursor) throws {
        try requireCommitSafe(cursor.instance, "instance id", limit: 256)
        if let position = cursor.position { try requireCommitSafe(position, "cursor", limit: 4096) }
    }

    /// An id as the platform sent it, safe to print: cut short, with control
    /// and format characters (NUL, escape sequences, bidi overrides) escaped.
    static func printable(_ id: String) -> String {
        let limit = 80
        let cut = id.count > limit ? id.prefix(limit) + "…" : Substring(id)
        return PrintableText.escaping(String(cut))
    }

    static func message(new: [String], updated: [String], cursor: TicketStore.Cursor) -> String {
        var message = "tickets: \(new.count) new, \(updated.count) updated\n\n"
        // The ids are in the commit's files; the body names the first few.
        if !new.isEmpty { message += "New: \(IDList.capped(new, separator: " "))\n" }
        if !updated.isEmpty { message += "Updated: \(IDList.capped(updated, separator: " "))\n" }
        if !new.isEmpty || !updated.isEmpty { message += "\n" }
        message += "\(TicketStore.trailer): \(cursor.instance) \(cursor.position ?? "start")\n"
        return message
    }
}

public enum TicketPullError: UserError {
    case dirtyPaths([String])
    /// The platform sent these places in plain text although they are sealed here.
    case plainCustomerData(String, [String])
    /// The platform sent an erased ticket that still holds customer data in these places.
    case erasedWithCustomerData(String, [String])
    /// Most tickets of a page do not decode: the first's id and why, how many, of how many.
    case unreadablePage(String, String, Int, Int)
    /// The repository's files are sealed one way, supportsync.yaml says another.
    case sealingDiffers(stored: Sealing, configured: Sealing)
    /// The cursor was written by a later supportsync.
    case newerFormat(Int)
    /// The platform's instance id or cursor cannot go into a commit message.
    case unsafePlatformText(String, String, Int)
    /// The platform sent a next cursor this pull had read from already.
    case cursorCycle(String)

    public var description: String {
        switch self {
        case .dirtyPaths(let paths):
            return
                "uncommitted changes on paths this command would write; commit or discard them first (nothing was written):\n"
                + paths.prefix(20).map { "  \($0)" }.joined(separator: "\n")
        case .plainCustomerData(let id, let places):
            return
                "the platform sent ticket \(id) with customer data in plain text (\(places.joined(separator: ", "))) although supportsync.yaml seals it; nothing of its batch was written, and the next pull reads it again. Upgrade the platform to one that seals tickets, or set tickets: {seal: []} in supportsync.yaml to store customer data in plain text"
        case .unreadablePage(let id, let reason, let count, let total):
            return
                "\(count) of the \(total) tickets on a page from the platform do not decode (the first, \(id): \(reason)); that is the platform's API, not one ticket, so nothing of its batch was written and the cursor stayed before it. Upgrade supportsync, or report it to the platform's operators"
        case .erasedWithCustomerData(let id, let places):
            return
                "the platform sent ticket \(id) as erased, yet with customer data (\(places.joined(separator: ", "))); nothing of its batch was written, and the next pull reads it again. An erased ticket holds none: report it to the platform's operators"
        case .sealingDiffers(let stored, let configured):
            func names(_ sealing: Sealing) -> String {
                sealing.isEmpty ? "nothing" : sealing.sorted.map(\.rawValue).joined(separator: ", ")
            }
            let command =
                configured.fields.isSuperset(of: stored.fields)
                ? "supportsync tickets seal (once, like a pull) to seal the files already in git"
                : "supportsync tickets unseal to rewrite the files in plain text, or restore the seal list"
            return
                "this repository's ticket files seal \(names(stored)), but supportsync.yaml seals \(names(configured)); nothing was written. Run \(command)"
        case .unsafePlatformText(let what, let text, let limit):
            return
                "the platform's \(what) '\(text)' is not 1 to \(limit) visible ASCII characters, so it cannot go into a commit; nothing of its batch was written. Report it to the platform's operators"
        case .cursorCycle(let cursor):
            return
                "the platform sent the cursor '\(cursor)' a second time in one pull: its feed goes round in a circle and would never end; nothing of the batch was written. Report it to the platform's operators"
        case .newerFormat(let format):
            return
                "\(TicketStore.cursorPath) is format \(format), written by a later supportsync; upgrade supportsync to pull here"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .unsafePlatformText, .cursorCycle: return .failure  // the platform misbehaves
        default: return .needsAttention
        }
    }
}
