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
        public var pageSize = 500
        public var author: Signature
        public var dryRun = false

        public init(author: Signature, batch: Int = 5_000) {
            self.author = author
            self.batch = batch
        }
    }

    public struct Report: Sendable {
        public var new: [String] = []
        public var updated: [String] = []
        public var commits: [ObjectID] = []
        /// Tickets whose id or agent is not a safe file name, or whose file in git does not parse.
        public var skipped: [(id: String, reason: String)] = []
        /// Team fields changed differently in git and on the platform: git's value kept.
        public var conflicts: [(id: String, conflict: TicketConflict)] = []
        public var warnings: [String] = []

        public var exitStatus: ExitStatus { skipped.isEmpty && conflicts.isEmpty ? .success : .needsAttention }
    }

    let tickets: TicketRepository
    let platform: any TicketSource
    let logger: Logger

    public init(
        tickets: TicketRepository, platform: any TicketSource, logger: Logger = Logger(label: "supportsync.pull")
    ) {
        self.tickets = tickets
        self.platform = platform
        self.logger = logger
    }

    public func pull(_ options: Options) async throws -> Report {
        let lock = try RepositoryLock.acquire(tickets.repository)
        defer { lock.release() }
        try tickets.finishInterruptedCheckout()
        let info = try await platform.info()
        var report = Report()
        var lostRaces = 0
        var restart = true
        var tip: ObjectID?
        var position: String?
        while true {
            if restart {
                tip = try tickets.tip()
                let stored = try tickets.cursor(at: tip)
                position = stored?.position
                if let stored, stored.instance != info.instance {
                    report.warnings.append(
                        "the cursor belongs to another platform (instance \(stored.instance), now \(info.instance)): starting over; only tickets that differ are updated"
                    )
                    position = nil
                }
                restart = false
            }
            let batch = try await fetchBatch(after: position, options: options)
            guard !batch.tickets.isEmpty else { break }
            let cursor = TicketRepository.Cursor(instance: info.instance, position: batch.end)
            do {
                // The next batch builds on this one's commit.
                if let commit = try write(batch.tickets, cursor: cursor, tip: tip, options: options, report: &report) {
                    tip = commit
                }
            } catch {
                guard let gitError = error as? GitError, gitError.kind == .referenceMoved, lostRaces < 20 else {
                    throw error
                }
                // Someone moved the branch: start again from the cursor on the new tip.
                lostRaces += 1
                logger.info("the branch moved during the pull; starting again from the new tip")
                restart = true
                continue
            }
            position = batch.end
            if !batch.more { break }
        }
        return report
    }

    private struct Batch {
        var tickets: [Ticket]
        var end: String?
        var more: Bool
    }

    /// Pages until at least `batch` tickets (ending on a page boundary) or the last page.
    private func fetchBatch(after start: String?, options: Options) async throws -> Batch {
        var tickets: [Ticket] = []
        var position = start
        var more = true
        while tickets.count < options.batch {
            let page = try await platform.tickets(after: position, limit: min(options.pageSize, max(1, options.batch)))
            tickets += page.tickets
            // A server that does not say where its last page ends leaves the
            // position at that page's start: re-reading it later is harmless.
            position = page.nextCursor ?? page.cursor ?? position
            if page.nextCursor == nil {
                more = false
                break
            }
        }
        // The same ticket may come twice when it changed between pages: keep the latest.
        var latest: [String: Int] = [:]
        for (index, ticket) in tickets.enumerated() { latest[ticket.id] = index }
        let unique = tickets.enumerated().filter { latest[$0.element.id] == $0.offset }.map(\.element)
        return Batch(tickets: unique, end: position, more: more)
    }

    /// Writes one batch as one commit (with the platform base moved in the
    /// same transaction). Returns the new commit, nil when nothing changed.
    private func write(
        _ batch: [Ticket], cursor: TicketRepository.Cursor, tip: ObjectID?, options: Options, report: inout Report
    ) throws -> ObjectID? {
        let baseTip = try tickets.baseTip()
        var files: [(path: String, bytes: [UInt8])] = []
        var baseFiles: [(path: String, bytes: [UInt8])] = []
        var new: [String] = []
        var updated: [String] = []
        var conflicts: [(id: String, conflict: TicketConflict)] = []
        let placed = batch.map { ticket in
            (
                ticket,
                Patterns.isAgentID(ticket.agent) ? TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt) : nil
            )
        }
        // The batch's folders are listed once each, not searched once per ticket.
        let folders = Set(placed.compactMap { $0.1.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) } })
        let gitBlobs = try tickets.blobs(in: folders, at: tip)
        let baseBlobs = try tickets.blobs(in: folders, at: baseTip)
        for (ticket, path) in placed {
            guard let path else {
                report.skipped.append(
                    (
                        Self.printable(ticket.id),
                        "not a safe ticket id, agent id or created_at for a path under tickets/"
                    ))
                continue
            }
            let gitBytes = try gitBlobs[path].map(tickets.repository.blob)
            var gitRecord: TicketRecord?
            if let gitBytes {
                let (record, diagnostics) = TicketFile.read(gitBytes, path: path)
                guard let record, !diagnostics.contains(where: { $0.severity == .error }) else {
                    report.skipped.append(
                        (ticket.id, "\(path) in git does not validate; fix it (supportsync audit) and pull again"))
                    continue
                }
                gitRecord = record
            }
            let baseBytes = try baseBlobs[path].map(tickets.repository.blob)
            let baseRecord = baseBytes.flatMap { TicketFile.read($0, path: path).0 }
            let merged = TicketMerge.merge(base: baseRecord, git: gitRecord, platform: ticket)
            conflicts += merged.conflicts.map { (ticket.id, $0) }
            let text = Array(TicketFile.text(merged.record).utf8)
            if text != gitBytes {
                files.append((path, text))
                if gitRecord == nil { new.append(ticket.id) } else { updated.append(ticket.id) }
            }
            if merged.advancesBase, let base = merged.base {
                // Mostly the same record as the file's (a new ticket, a plain update).
                let baseText = base == merged.record ? text : Array(TicketFile.text(base).utf8)
                if baseText != baseBytes { baseFiles.append((path, baseText)) }
            }
        }
        let cursorText = Array(cursor.text.utf8)
        let storedCursor = try tickets.bytes(at: TicketRepository.cursorPath, in: tip)
        if storedCursor != cursorText {
            files.append((TicketRepository.cursorPath, cursorText))
        }
        report.conflicts += conflicts
        // Tickets that came back unchanged (after a push, say) are not worth
        // a commit of the cursor alone: reading them again next time is
        // cheap. A full batch still commits, so a long re-sync makes progress,
        // and so does a cursor taking over from another platform's, so the
        // warning and the full re-read happen once.
        let ticketsChanged = files.contains { $0.path != TicketRepository.cursorPath } || !baseFiles.isEmpty
        let changesPlatform =
            storedCursor.flatMap(TicketRepository.Cursor.init).map { $0.instance != cursor.instance } ?? false
        guard ticketsChanged || changesPlatform || batch.count >= options.batch, !files.isEmpty || !baseFiles.isEmpty,
            !options.dryRun
        else {
            report.new += new
            report.updated += updated
            return nil
        }
        try refuseDirtyPaths(files)

        let message = Self.message(new: new, updated: updated, cursor: cursor)
        let repository = tickets.repository
        let branch = tickets.branch
        let author = options.author
        let objectCount = files.count + baseFiles.count
        let build = { (writer: Repository) throws -> (commit: ObjectID, base: ObjectID?) in
            let updates = try files.map { ($0.path, Optional(try writer.writeBlob($0.bytes))) }
            let commit = try writer.createCommit(parent: tip, treeUpdates: updates, message: message, author: author)
                .commit
            var base: ObjectID?
            if !baseFiles.isEmpty {
                let baseUpdates = try baseFiles.map { ($0.path, Optional(try writer.writeBlob($0.bytes))) }
                base = try writer.createCommit(
                    parent: baseTip, treeUpdates: baseUpdates, message: "supportsync: platform base\n", author: author
                ).commit
            }
            return (commit, base)
        }
        // Thousands of objects go into one pack rather than as many loose files.
        let created = objectCount > 64 ? try repository.withPackedWrites(build) : try build(repository)
        var moves = [
            ReferenceUpdate(
                name: branch, expected: tip, new: created.commit,
                message: "supportsync: \(message.prefix { $0 != "\n" })")
        ]
        if let base = created.base {
            moves.append(
                ReferenceUpdate(
                    name: TicketRepository.platformRef, expected: baseTip, new: base,
                    message: "supportsync: platform base"))
        }
        if tickets.followsWorkingTree { try tickets.noteCheckout(of: created.commit) }
        try repository.updateReferences(moves)
        if tickets.followsWorkingTree {
            try repository.checkoutPaths(files.map(\.path), from: created.commit)
            tickets.checkoutDone()
        }
        report.new += new
        report.updated += updated
        report.commits.append(created.commit)
        logger.info(
            "committed",
            metadata: ["commit": "\(created.commit)", "new": "\(new.count)", "updated": "\(updated.count)"])
        return created.commit
    }

    /// Refuses (nothing written) when a path the pull would write has
    /// uncommitted changes that differ from what it would write.
    private func refuseDirtyPaths(_ files: [(path: String, bytes: [UInt8])]) throws {
        guard tickets.followsWorkingTree else { return }
        let dirty = Set(try tickets.repository.uncommittedPaths(among: files.map(\.path)))
        let blocking = files.filter { dirty.contains($0.path) && tickets.workingCopy($0.path) != $0.bytes }.map(\.path)
        if !blocking.isEmpty { throw TicketPullError.dirtyPaths(blocking) }
    }

    /// An id as the platform sent it, safe to print: cut short, with control
    /// and format characters (NUL, escape sequences, bidi overrides) escaped.
    static func printable(_ id: String) -> String {
        let limit = 80
        let cut = id.count > limit ? id.prefix(limit) + "…" : Substring(id)
        return cut.unicodeScalars.map { scalar in
            [.control, .format].contains(scalar.properties.generalCategory)
                ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined()
    }

    static func message(new: [String], updated: [String], cursor: TicketRepository.Cursor) -> String {
        var message = "tickets: \(new.count) new, \(updated.count) updated\n\n"
        if !new.isEmpty { message += "New: \(new.joined(separator: " "))\n" }
        if !updated.isEmpty { message += "Updated: \(updated.joined(separator: " "))\n" }
        if !new.isEmpty || !updated.isEmpty { message += "\n" }
        message += "\(TicketRepository.trailer): \(cursor.instance) \(cursor.position ?? "start")\n"
        return message
    }
}

public enum TicketPullError: UserError {
    case dirtyPaths([String])

    public var description: String {
        switch self {
        case .dirtyPaths(let paths):
            return
                "uncommitted changes on paths the pull would write; commit or discard them first (nothing was written):\n"
                + paths.prefix(20).map { "  \($0)" }.joined(separator: "\n")
        }
    }

    public var exitStatus: ExitStatus { .needsAttention }
}
