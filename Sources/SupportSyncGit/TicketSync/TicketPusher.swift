import Foundation
import Git
import Logging
import SupportSync

/// `tickets push`: the team's changes to team-owned fields (priority,
/// status, assignee, resolution), merged field by field against the
/// platform base, sent as conditional PATCHes (SPEC section 7).
public struct TicketPusher {
    public struct Report: Sendable {
        public var pushed: [String] = []
        public var conflicts: [(id: String, conflict: TicketConflict)] = []
        public var failed: [(id: String, reason: String)] = []
        /// The tickets of `failed` that failed for what git holds, not for
        /// the platform: it refused the change (a status the lifecycle does
        /// not allow) or has no such ticket. A person must look (exit 1).
        public var refused: Set<String> = []
        /// Ticket files that changed since the base but do not validate:
        /// not pushed, each problem at its line.
        public var problems: [Diagnostic] = []
        /// Why nothing was sent although git holds team changes: the
        /// platform keeps no team fields (`TicketSource.holdsTeamFields`).
        public var notSent: String?

        public var exitStatus: ExitStatus {
            TicketPusher.exitStatus(failed: failed, refused: refused, clean: conflicts.isEmpty && problems.isEmpty)
        }

        public var failedByReason: [(ids: [String], reason: String)] { IDList.grouped(failed) }
    }

    /// 3 when a ticket failed for the platform's sake (unreachable, the
    /// token refused, an answer that is wrong); 1 when every failure is
    /// the ticket's own (`refused`), or for conflicts and problems.
    static func exitStatus(failed: [(id: String, reason: String)], refused: Set<String>, clean: Bool) -> ExitStatus {
        if failed.contains(where: { !refused.contains($0.id) }) { return .failure }
        return failed.isEmpty && clean ? .success : .needsAttention
    }

    /// The platform refused the change as such (422) or has no such
    /// ticket: what git holds must change, not the platform.
    static func isRefusal(_ error: PlatformError) -> Bool {
        switch error {
        case .invalid, .notFound: return true
        default: return false
        }
    }

    /// Why the platform would refuse `patch` to `current`, by the ticket
    /// lifecycle (SPEC section 6): a status it cannot reach (a push moves
    /// through the status between when there is one), or resolved or closed
    /// without a resolution. Nil when it would take it.
    static func lifecycleRefusal(_ patch: TicketPatch, to current: Ticket) -> String? {
        let next = TicketRecord(current).applying(patch)
        if next.team.status != current.status, !current.status.reaches(next.team.status) {
            return "a \(current.status.rawValue) ticket cannot move to \(next.team.status.rawValue)"
        }
        if next.team.lacksResolution(comparedTo: [current.record.team]) {
            return "a \(next.team.status.rawValue) ticket needs a resolution"
        }
        return nil
    }

    let tickets: TicketStore
    let platform: any TicketSource
    let logger: Logger

    public init(
        tickets: TicketStore, platform: any TicketSource, logger: Logger = Logger(label: "supportsync.push")
    ) {
        self.tickets = tickets
        self.platform = platform
        self.logger = logger
    }

    /// A ticket whose team fields differ in git from the platform base.
    public struct Pending: Sendable {
        public var path: String
        public var git: TicketRecord
        /// The base's tip: what a push that settles the ticket moves on from.
        public var base: TicketRecord?
        /// What git's values are judged from: the base's tip, unless the
        /// branch is behind it (`TicketStore.judgingBase`), when it is what
        /// the branch last agreed with. The merge's base.
        public var judged: TicketRecord?
    }

    /// Changes waiting to be pushed: tickets whose team fields differ in git
    /// from the base; none for a platform that keeps no team fields.
    public func pending() throws -> [Pending] { platform.holdsTeamFields ? try scan().pending : [] }

    /// The changes waiting to be pushed, and the problems of every ticket
    /// file that changed since the base but does not validate (never
    /// skipped without a word: its change cannot reach the platform).
    public func scan() throws -> (pending: [Pending], problems: [Diagnostic]) { try scan(tip: tickets.tip()) }

    /// `scan()` of the branch at `tip`. A branch behind the base is judged
    /// from what it last agreed with (`TicketStore.judgingBase`): its older
    /// values are no team changes.
    private func scan(tip: ObjectID?) throws -> (pending: [Pending], problems: [Diagnostic]) {
        guard let tip else { return ([], []) }
        let baseTip = try tickets.baseTip()
        var pending: [Pending] = []
        var problems: [Diagnostic] = []
        let baseFiles = try tickets.ticketBlobs(at: baseTip)
        let judging = try tickets.judgingBase(tip: tip, baseTip: baseTip)
        let judgedFiles = judging == baseTip ? baseFiles : try tickets.ticketBlobs(at: judging)
        let files = try tickets.filesUnderTicketFolders(at: tip)
        // A ticket with two files (or case twins) is sent from neither until
        // one is removed: audit's error, said here too.
        let twins = TicketAudit.sameID(files.map(\.path).filter { TicketPaths.kind(ofPath: $0) == .ticket })
        problems += TicketAudit.duplicates(twins)
        let twinPaths = Set(twins.joined())
        for file in files {
            if twinPaths.contains(file.path) { continue }
            if baseFiles[file.path] == file.blob { continue }
            switch TicketPaths.kind(ofPath: file.path) {
            case .ticket: break
            case .misplacedTicket:
                // Nothing reads it, so nothing of it is pushed: said, not skipped.
                problems.append(TicketAudit.misplacedTicket(file.path))
                continue
            case .keep, .stray, .outside: continue
            }
            let bytes = try tickets.repository.blob(file.blob)
            let (read, diagnostics) = tickets.codec.decode(bytes, path: file.path)
            guard let record = read, !diagnostics.contains(where: { $0.severity == .error }) else {
                problems += diagnostics.filter { $0.severity == .error }
                continue
            }
            let decode = { (blob: ObjectID?) throws -> TicketRecord? in
                try blob.flatMap { tickets.codec.decode(try tickets.repository.blob($0), path: file.path).record }
            }
            let base = try decode(baseFiles[file.path])
            let judged = judging == baseTip ? base : try decode(judgedFiles[file.path])
            // Audit's rule, for a commit straight to the branch that audit
            // never saw: resolved or closed by the team without a resolution.
            if record.team.lacksResolution(comparedTo: judged.map { [$0.team] } ?? []),
                let problem = TicketAudit.checkResolution(
                    TicketFile.parse(bytes, path: file.path, sealing: tickets.sealing),
                    parents: judged.map { [$0] } ?? [])
            {
                problems.append(problem)
                continue
            }
            // Nothing the team changed since what it is judged from.
            if let judged, TicketRecord.ownedByTeam.allSatisfy({ judged.value(of: $0) == record.value(of: $0) }) {
                continue
            }
            pending.append(Pending(path: file.path, git: record, base: base, judged: judged))
        }
        return (pending, problems)
    }

    /// What a push would do now, sending nothing (`sync --dry-run`).
    public struct Preview: Sendable {
        /// The tickets it would send.
        public var toPush: [String] = []
        /// The conflicts it would report, each ticket merged with the
        /// platform's as the push merges it.
        public var conflicts: [(id: String, conflict: TicketConflict)] = []
        /// The tickets the push would fail on, and why: the platform has no
        /// such ticket, would refuse the change by the ticket lifecycle, or
        /// sent it unsealed.
        public var failed: [(id: String, reason: String)] = []
        /// The tickets of `failed` that would fail for what git holds (`Report.refused`).
        public var refused: Set<String> = []
        /// Ticket files changed since the base that do not validate: the
        /// push would not send them (`Report.problems`).
        public var problems: [Diagnostic] = []

        /// As the push would exit: a failure, or conflicts or problems to look at.
        public var exitStatus: ExitStatus {
            TicketPusher.exitStatus(failed: failed, refused: refused, clean: conflicts.isEmpty && problems.isEmpty)
        }

        public init() {}
    }

    /// What a push would do now, sending nothing: the push's own reading of
    /// each ticket, without the writes. A platform that cannot be reached
    /// or refuses the token stops it, as it stops the push.
    public func preview() async throws -> Preview {
        var preview = Preview()
        // The files' problems are the push's whatever the platform keeps.
        let (pending, problems) = try scan()
        preview.problems = problems
        guard platform.holdsTeamFields else { return preview }
        for item in pending {
            let id = item.git.id
            let current: Ticket
            do {
                guard let found = try await platform.ticket(id: id, sealing: tickets.sealing) else {
                    preview.failed.append((id, "the platform has no ticket \(id)"))
                    preview.refused.insert(id)
                    continue
                }
                try TicketPuller.requireSealed([found], tickets.sealing)
                current = found
            } catch let error as PlatformError {
                if Self.stopsRun(error) { throw error }
                preview.failed.append((id, error.message))
                if Self.isRefusal(error) { preview.refused.insert(id) }
                continue
            } catch {
                preview.failed.append((id, "\(error)"))
                continue
            }
            let merged = TicketMerge.merge(base: item.judged, git: item.git, platform: current)
            preview.conflicts += merged.conflicts.map { (id, $0) }
            guard let patch = merged.patch, !patch.isEmpty else { continue }
            if let refusal = Self.lifecycleRefusal(patch, to: current) {
                preview.failed.append((id, refusal))
                preview.refused.insert(id)
            } else {
                preview.toPush.append(id)
            }
        }
        return preview
    }

    public func push(author: Signature) async throws -> Report {
        let lock = try tickets.lock()
        defer { lock.release() }
        // The base the push moves holds the platform's values as this
        // repository seals them: never another way than its files.
        let tip = try tickets.tip()
        try tickets.requireStoredSealing(at: tip)
        var report = Report()
        var baseFiles: [(path: String, bytes: [UInt8])] = []
        let (pending, problems) = try scan(tip: tip)
        report.problems = problems
        guard platform.holdsTeamFields else {
            // Nothing to send, and nothing moves: git is where team fields live.
            report.notSent =
                "the platform keeps no ticket status, assignee or resolution: team fields live in git, and nothing was sent (\(pending.count) \(pending.count == 1 ? "ticket differs" : "tickets differ") from what was pulled)"
            return report
        }
        for (index, item) in pending.enumerated() {
            let outcome = await push(item)
            let id = item.git.id
            if outcome.stopsRun, let failure = outcome.failure {
                // The platform is down or refuses the token: every other
                // ticket would wait out the same retries. Not sent, said.
                report.conflicts += outcome.conflicts.map { (id, $0) }
                report.failed.append((id, failure))
                // A first move the platform took before it stopped is recorded.
                if let base = outcome.newBase { baseFiles.append((item.path, tickets.codec.encode(base))) }
                let reason = "not sent: the push stopped at \(id), as the platform cannot take changes now"
                report.failed += pending[(index + 1)...].map { ($0.git.id, reason) }
                break
            }
            if outcome.pushed { report.pushed.append(id) }
            report.conflicts += outcome.conflicts.map { (id, $0) }
            if let failure = outcome.failure { report.failed.append((id, failure)) }
            if outcome.refused { report.refused.insert(id) }
            if let base = outcome.newBase { baseFiles.append((item.path, tickets.codec.encode(base))) }
        }
        try moveBase(baseFiles, agreeingWith: tip, author: author)
        // Every ticket that could be in conflict was merged just now: what is
        // not in conflict any more leaves the ledger, unless its push failed.
        let recorded = Set(try ConflictLedger.read(tickets, at: tickets.baseTip()).tickets.keys)
        // A ticket whose file did not read, or that has two, was not merged: its conflict stays recorded.
        let unmerged = report.problems.compactMap { TicketPaths.ticketFile($0.location.file).map { String($0.id) } }
        try ConflictLedger.update(
            tickets, found: report.conflicts,
            cleared: recorded.subtracting(report.conflicts.map(\.id)).subtracting(report.failed.map(\.id))
                .subtracting(unmerged),
            author: author)
        return report
    }

    private struct Outcome {
        var pushed = false
        var conflicts: [TicketConflict] = []
        var failure: String?
        var newBase: TicketRecord?
        /// The failure is the platform's, not the ticket's (unreachable or
        /// busy after the retries, the token refused): pushing on is futile.
        var stopsRun = false
        /// The failure is the ticket's (`Report.refused`).
        var refused = false

        mutating func fail(_ error: PlatformError) {
            failure = error.message
            stopsRun = TicketPusher.stopsRun(error)
            refused = TicketPusher.isRefusal(error)
        }
    }

    /// The platform cannot take changes now (unreachable or busy after the
    /// retries, the token refused): the failure is the platform's, not the
    /// ticket's, and every other ticket would meet it too.
    static func stopsRun(_ error: PlatformError) -> Bool {
        switch error {
        case .unavailable, .unauthorized, .forbidden: return true
        default: return false
        }
    }

    /// Sends one ticket's team changes, retrying when it changed meanwhile.
    /// A status reached only through another goes as those moves
    /// (`send(_:to:id:)`); when the first had to stay on the platform, git's
    /// change is judged from it, and every outcome records it in the base.
    private func push(_ item: Pending) async -> Outcome {
        var judged = item.judged
        var base = item.base
        // The base to write: `base` with the fields git and the platform now
        // agree on, or `base` alone when a first move left on the platform changed it.
        func settled(_ platform: TicketRecord?) -> TicketRecord? {
            platform.flatMap { Self.base(base, agreeingWith: item.git, $0) } ?? (base != item.base ? base : nil)
        }
        func ended(_ outcome: Outcome, platform: TicketRecord? = nil) -> Outcome {
            var outcome = outcome
            outcome.newBase = settled(platform)
            return outcome
        }
        var outcome = Outcome()
        for _ in 0..<5 {
            let current: Ticket
            do {
                guard let found = try await platform.ticket(id: item.git.id, sealing: tickets.sealing) else {
                    outcome.failure = "the platform has no ticket \(item.git.id)"
                    outcome.refused = true
                    return ended(outcome)
                }
                current = found
                try TicketPuller.requireSealed([found], tickets.sealing)
            } catch let error as PlatformError {
                outcome.fail(error)
                return ended(outcome)
            } catch {
                outcome.failure = "\(error)"
                return ended(outcome)
            }
            let merged = TicketMerge.merge(base: judged, git: item.git, platform: current)
            outcome.conflicts = merged.conflicts
            guard let patch = merged.patch, !patch.isEmpty else {
                // Nothing to send; fields both sides now agree on (a conflict
                // resolved either way) still move in the base, or a later
                // platform change to them would read as a new conflict.
                return ended(outcome, platform: TicketRecord(current))
            }
            let sent: (answer: Ticket, before: Ticket)
            do {
                sent = try await Self.send(patch, to: current, id: item.git.id, on: platform, sealing: tickets.sealing)
            } catch {
                if let step = error.firstMoveLeft {
                    judged?.team.status = step
                    base?.team.status = step
                }
                if case .versionConflict = error.error { continue }  // changed meanwhile: read and merge again
                outcome.fail(error.error)
                return ended(outcome)
            }
            // The answer is the ticket as the platform now holds it: a field
            // sent and still as it was is no change made, and the base must
            // not say it was (the next pull would then undo the team's
            // value). A value the platform took in a form of its own (say,
            // lowercased) is a change made: the next pull brings that form.
            let untaken = TeamFields.Field.allCases.filter {
                patch.changed.contains($0) && !sent.answer.record.team.agrees(with: patch.values, on: $0)
                    && sent.answer.record.team.agrees(with: sent.before.record.team, on: $0)
            }
            guard untaken.isEmpty else {
                outcome.failure =
                    "the platform answered the change of \(untaken.map(\.rawValue).joined(separator: ", ")) without making it; nothing moved, push again"
                if sent.before.version != current.version, let step = patch.status.flatMap(current.status.step) {
                    base?.team.status = step
                }
                return ended(outcome)
            }
            outcome.pushed = true
            // Only the fields just sent (and any both sides already agreed
            // on) move in the base: a platform change git has not seen yet
            // stays a platform change for the next pull, and a conflict stays
            // visible.
            return ended(outcome, platform: TicketRecord(sent.before).applying(patch))
        }
        outcome.failure = "the ticket kept changing on the platform; push again"
        return ended(outcome)
    }

    /// Why `send(_:to:id:)` failed, and the status of a first move it could
    /// not take back (the platform holds it; nil when nothing moved).
    struct SendFailure: Error {
        var error: PlatformError
        var firstMoveLeft: TicketStatus?
    }

    /// Sends `patch` to the ticket as read (`current`), conditional on that
    /// version. A status the lifecycle reaches only through another
    /// (resolved -> in_progress -> pending: a ticket reopened in git over
    /// two commits the platform never saw one by one) goes as those moves,
    /// one `PATCH` each; when the second fails, the first is taken back if
    /// the ticket is still as it left it, so nothing is left half-sent.
    /// The answer, and the ticket just before the last `PATCH`.
    static func send(
        _ patch: TicketPatch, to current: Ticket, id: String, on platform: any TicketSource, sealing: Sealing
    )
        async throws(SendFailure) -> (answer: Ticket, before: Ticket)
    {
        guard let status = patch.status, let step = current.status.step(toward: status) else {
            do {
                return (
                    try await platform.patchTicket(id: id, patch, expecting: current.version, sealing: sealing), current
                )
            } catch {
                throw SendFailure(error: error)
            }
        }
        let stepped: Ticket
        do {
            stepped = try await platform.patchTicket(
                id: id, TicketPatch(status: step), expecting: current.version, sealing: sealing)
        } catch {
            throw SendFailure(error: error)
        }
        do {
            return (
                try await platform.patchTicket(id: id, patch, expecting: stepped.version, sealing: sealing), stepped
            )
        } catch {
            // Changed by someone since the first move: taking it back would be refused too.
            if case .versionConflict = error { throw SendFailure(error: error, firstMoveLeft: step) }
            let back = try? await platform.patchTicket(
                id: id, TicketPatch(status: current.status), expecting: stepped.version, sealing: sealing)
            // Taken back only when the answer shows the status as it was.
            throw SendFailure(error: error, firstMoveLeft: back?.record.team.status == current.status ? nil : step)
        }
    }

    /// `base` (the platform's state when there is none) with each team field
    /// that git and the platform hold alike set to that value; nil when
    /// that changes nothing.
    ///
    /// With no base (a clone that did not fetch `refs/supportsync/platform`),
    /// a field the two sides hold differently is a conflict with nothing to
    /// judge it by; a base made of the platform's value would make git's
    /// read as the team's change on the next push, which would then
    /// overwrite the platform. No base is written then, and the conflict
    /// stays until `tickets resolve` settles it.
    static func base(_ base: TicketRecord?, agreeingWith git: TicketRecord, _ platform: TicketRecord) -> TicketRecord? {
        if base == nil, TeamFields.Field.allCases.contains(where: { !git.team.agrees(with: platform.team, on: $0) }) {
            return nil
        }
        var agreed = base ?? platform
        for field in TeamFields.Field.allCases where git.team.agrees(with: platform.team, on: field) {
            agreed.team.take(field, from: platform.team)
        }
        return agreed == base ? nil : agreed
    }

    /// The base after a push: the values sent from the branch at `tip`.
    private func moveBase(_ files: [(path: String, bytes: [UInt8])], agreeingWith tip: ObjectID?, author: Signature)
        throws
    {
        guard !files.isEmpty else { return }
        _ = try tickets.commit(author: author) { _, _ in
            TicketStore.Change(
                baseFiles: files, baseMessage: "supportsync: platform base after push\n", agreesWith: tip)
        }
    }
}
