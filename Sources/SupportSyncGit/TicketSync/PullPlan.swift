import SupportSync
import YAML

/// What one batch of a pull changes, decided without touching anything:
/// each ticket merged field by field (platform base, git, platform), the
/// files to write, the base to move, and whether it is worth a commit.
struct PullPlan {
    var change = TicketStore.Change()
    var new: [String] = []
    var updated: [String] = []
    var conflicts: [(id: String, conflict: TicketConflict)] = []
    var skipped: [(id: String, reason: String)] = []
    /// Tickets no file can hold here (an unsafe or reserved id, a case twin,
    /// too large): recorded, and reported on every pull until they change.
    var refused: [(id: String, reason: String)] = []
    /// Each new or updated ticket: its agent, status and what changed, for reports.
    var summaries: [TicketSummary] = []
    /// The path of each ticket this plan keeps a file for that the index
    /// did not hold: the caller adds them to it once the plan is final
    /// (committed, or nothing to commit).
    var filed: [String] = []
    /// Worth a commit: tickets changed, a full batch, or a cursor taking
    /// over from another platform's.
    var commits = false

    /// - Parameters:
    ///   - paths: each ticket's path, nil when its id, agent or created_at is unsafe.
    ///   - git, base: the files at those paths on the branch and in the base.
    ///   - storedCursor: the cursor file (format 2) on the branch.
    ///   - legacyCursor: 0.1's cursor file on the branch, which this commit replaces.
    ///   - fullBatch: the batch is as large as allowed, so it commits even
    ///     when nothing changed, for a long re-sync to make progress.
    ///   - known: every ticket file on the branch (the plan's own are in `filed`).
    ///   - holdsTeamFields: the platform keeps team fields; when it does not
    ///     (`TicketSource.holdsTeamFields`), a ticket already in git keeps
    ///     the team fields it has there, whatever the platform reports.
    ///   - judged: for a branch behind the base, the base's files it is
    ///     judged from (`TicketStore.judgingBase`): the merge's base, so a
    ///     value the branch has not changed since is no change of git's.
    static func make(
        batch: [Ticket], paths: [String?], git: [String: [UInt8]], base: [String: [UInt8]],
        judged: [String: [UInt8]]? = nil, storedCursor: [UInt8]?,
        legacyCursor: [UInt8]?, cursor: TicketStore.Cursor, fullBatch: Bool, codec: TicketCodec,
        holdsTeamFields: Bool = true, known: TicketFileIndex
    ) -> PullPlan {
        var plan = PullPlan()
        // The work of each ticket (reading its files, merging, writing its
        // text) spread over every core, at its path; the loop below uses it
        // unless the ticket ends up at another (which takes a case twin).
        let merges = concurrentMap(Array(zip(batch, paths))) { ticket, path -> Merged? in
            guard let path else { return nil }
            return Merged(
                ticket, path: path, git: git[path], base: judged.map { $0[path] } ?? base[path], codec: codec,
                holdsTeamFields: holdsTeamFields)
        }
        // This batch's new files: a second ticket of the batch may be a case twin of one.
        var filed = TicketFileIndex()
        for ((ticket, computed), premerged) in zip(zip(batch, paths), merges) {
            guard let computed else {
                plan.refused.append(
                    (
                        TicketPuller.printable(ticket.id),
                        "not a safe ticket id, agent id or created_at for a path under tickets/"
                    ))
                continue
            }
            if let reason = TicketPaths.reservedNameReason(ticket.id) {
                plan.refused.append((ticket.id, reason))
                continue
            }
            // A ticket never moves: a changed created_at keeps its first path.
            var path = computed
            let existing = known.paths(foldingCaseOf: ticket.id) + filed.paths(foldingCaseOf: ticket.id)
            if !existing.isEmpty {
                // Its own file first (a repository may already hold twins).
                guard let exact = existing.first(where: { TicketPaths.id(ofPath: $0) == ticket.id }) else {
                    plan.refused.append(
                        (
                            ticket.id,
                            "its id differs only in case from the ticket at \(existing[0]); the two files would be one on macOS and Windows"
                        ))
                    continue
                }
                path = exact
            }
            let gitBytes = git[path]
            let work =
                premerged.flatMap { $0.path == path ? $0 : nil }
                ?? Merged(
                    ticket, path: path, git: gitBytes, base: judged.map { $0[path] } ?? base[path], codec: codec,
                    holdsTeamFields: holdsTeamFields)
            if let unreadable = work.unreadable {
                plan.skipped.append((ticket.id, unreadable))
                continue
            }
            if let refusal = work.refusal {
                plan.refused.append((ticket.id, refusal))
                continue
            }
            let text = work.text
            plan.conflicts += work.conflicts.map { (ticket.id, $0) }
            // Nothing is written that the tool's own reader would refuse:
            // one key seals all of a ticket's values (a value sealed with
            // another was moved from another ticket).
            if let mixed = SealedValue.mixedKeys(in: ticket.record, sealing: codec.sealing) {
                let keys = Set(mixed.others.map(\.keyID)).union([mixed.key])
                plan.refused.append(
                    (
                        ticket.id,
                        "its values are sealed with \(keys.count) keys (\(keys.sorted().map { PrintableText.escaping($0) }.joined(separator: ", "))), and a ticket's values are sealed with its one key: the platform sent a value of another ticket"
                    ))
                continue
            }
            if text.count > YAMLLimits.default.maxBytes {
                plan.refused.append(
                    (
                        ticket.id,
                        "its file would be \(text.count) bytes, over the \(YAMLLimits.default.maxBytes)-byte limit of a ticket file"
                    ))
                continue
            }
            // A large file is read back once: the reader has node and depth limits too.
            if text.count > 65_536, codec.decodeValid(text, path: path) == nil {
                plan.refused.append((ticket.id, "its file would not read back within the ticket reader's limits"))
                continue
            }
            if !existing.contains(path) {
                filed.insert(path)
                plan.filed.append(path)
            }
            if text != gitBytes, let summary = work.summary {
                plan.change.files.append((path, text))
                if gitBytes == nil { plan.new.append(ticket.id) } else { plan.updated.append(ticket.id) }
                plan.summaries.append(summary)
            }
            if let baseText = work.baseText, baseText != base[path] { plan.change.baseFiles.append((path, baseText)) }
        }
        let cursorText = Array(cursor.text.utf8)
        if storedCursor != cursorText { plan.change.files.append((TicketStore.cursorPath, cursorText)) }
        if legacyCursor != nil { plan.change.removals.append(TicketStore.legacyCursorPath) }
        // Tickets that came back unchanged (after a push, say) are not worth
        // a commit of the cursor alone: reading them again next time is
        // cheap. A full batch still commits, and so does a cursor taking
        // over from another platform's, so the warning and the full re-read
        // happen once.
        let ticketsChanged =
            plan.change.files.contains { $0.path != TicketStore.cursorPath } || !plan.change.baseFiles.isEmpty
        let stored =
            (try? storedCursor.flatMap { try TicketStore.Cursor($0, legacy: false) })
            ?? (try? legacyCursor.flatMap { try TicketStore.Cursor($0, legacy: true) })
        let changesPlatform = stored.map { $0.instance != cursor.instance } ?? false
        plan.commits = (ticketsChanged || changesPlatform || fullBatch) && !plan.change.isEmpty
        plan.change.message = TicketPuller.message(new: plan.new, updated: plan.updated, cursor: cursor)
        return plan
    }
}

/// One ticket of a batch merged for the path it is planned at: the file in
/// git read (or why it cannot be), the merge's conflicts, and the texts to
/// write. It keeps no record: a batch holds thousands of these at once.
private struct Merged {
    /// What changed in a new ticket: one array all their summaries share.
    private static let newTicket = ["new"]
    var path: String
    /// Why the file in git cannot be merged with (it does not validate).
    var unreadable: String?
    /// Why the platform's ticket is refused, the file in git kept as it is.
    var refusal: String?
    var conflicts: [TicketConflict] = []
    /// The branch's file.
    var text: [UInt8] = []
    /// The ticket for a report, when `text` differs from the file in git.
    var summary: TicketSummary?
    /// The base's file, when the merge moves the base.
    var baseText: [UInt8]?

    init(
        _ reported: Ticket, path: String, git gitBytes: [UInt8]?, base baseBytes: [UInt8]?, codec: TicketCodec,
        holdsTeamFields: Bool
    ) {
        self.path = path
        var ticket = reported
        var gitRecord: TicketRecord?
        if let gitBytes {
            let (read, diagnostics) = codec.decode(gitBytes, path: path)
            let errors = diagnostics.filter { $0.severity == .error }
            guard let record = read, errors.isEmpty else {
                let first = errors.first.map { "\($0.location): \(PrintableText.escaping($0.message))" } ?? path
                unreadable =
                    "\(first)\(errors.count > 1 ? " (and \(errors.count - 1) more)" : ""): the file in git does not validate; fix it (supportsync audit) and pull again"
                return
            }
            gitRecord = record
            // An erasure is final: a platform that sends the ticket again
            // without it (restored from a backup, say) would bring the
            // customer data back into git.
            if let erasure = record.erasure, ticket.record.erasure == nil {
                refusal =
                    "it was erased on \(PrintableText.escaping(erasure.at)), and the platform sends it again without its erasure; an erasure is final, so it is not written. Report it to the platform's operators"
                return
            }
        }
        let baseRecord = baseBytes.flatMap { codec.decode($0, path: path).record }
        if !holdsTeamFields, let kept = baseRecord ?? gitRecord { ticket.record.team = kept.team }
        let merged = TicketMerge.merge(base: baseRecord, git: gitRecord, platform: ticket)
        conflicts = merged.conflicts
        text = codec.encode(merged.record)
        if text != gitBytes {
            summary = TicketSummary(
                id: ticket.id, agent: merged.record.agent, status: merged.record.status.rawValue,
                changed: gitRecord == nil
                    ? Self.newTicket : TicketQueries.changes(from: gitRecord, to: merged.record).map(\.field))
        }
        if merged.advancesBase, let base = merged.base {
            // Mostly the same record as the file's (a new ticket, a plain update).
            baseText = base == merged.record ? text : codec.encode(base)
        }
    }
}

/// One ticket a pull wrote, as a report's table shows it.
public struct TicketSummary: Sendable, Hashable, Encodable {
    public var id: String
    public var agent: String
    public var status: String
    /// `new`, or the fields that changed.
    public var changed: [String]
}
