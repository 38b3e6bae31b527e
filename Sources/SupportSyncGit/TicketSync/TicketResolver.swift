import Foundation
import Git
import Logging
import SupportSync
import YAML

/// `tickets resolve ID [--field F] --keep git|platform`: settles a conflict
/// (a team field git and the platform both changed, differently).
///
/// - `git`: sends git's value (the branch's file) to the platform, expecting
///   the version just read, and moves the platform base to it. The next
///   sync anywhere sees git and the platform agree, so a laptop need not
///   push the base.
/// - `platform`: writes the platform's value into the file in the working
///   tree; with a commit, the file and the base move together.
public struct TicketResolver {
    public enum Side: String, Sendable, CaseIterable {
        case git
        case platform
    }

    public struct Result: Sendable {
        public var id: String
        public var path: String
        /// The conflicts settled, with the value each side had.
        public var settled: [TicketConflict]
        /// Conflicts on other fields, left for another `resolve`.
        public var remaining: [TicketConflict]
        public var kept: Side
        /// The branch commit of `--keep platform --commit`.
        public var commit: ObjectID?
        /// The platform base's new commit, after `--keep git`.
        public var baseMoved: ObjectID?
    }

    let tickets: TicketStore
    let platform: any TicketSource
    let logger: Logger

    public init(tickets: TicketStore, platform: any TicketSource, logger: Logger = Logger(label: "supportsync.resolve"))
    {
        self.tickets = tickets
        self.platform = platform
        self.logger = logger
    }

    public func resolve(_ id: String, field: TeamFields.Field?, keep side: Side, author: Signature, commit: Bool)
        async throws -> Result
    {
        let lock = try tickets.lock()
        defer { lock.release() }
        try tickets.requireStoredSealing(at: try tickets.tip())
        let path = try TicketQueries(tickets: tickets).path(of: id)
        // A file not yet committed has nothing on the platform to settle against.
        guard let gitBytes = try tickets.bytes(at: path, in: tickets.tip()) else {
            throw TicketResolveError.uncommitted(path)
        }
        let checked = tickets.codec.decodeChecked(gitBytes, path: path)
        guard let git = checked.record else { throw TicketResolveError.invalidFile(path, checked.errors) }
        // Git's value is the branch's: uncommitted edits would be sent as
        // nothing, or overwritten. A person commits or discards them first.
        if tickets.followsWorkingTree, let copy = tickets.workingCopy(path), copy != gitBytes {
            throw TicketResolveError.uncommitted(path)
        }
        let baseTip = try tickets.baseTip()
        let base = try tickets.bytes(at: path, in: baseTip).flatMap { tickets.codec.decode($0, path: path).record }
        // Judged as push and pull judge it: a branch behind the base, from
        // what it last agreed with (`TicketStore.judgingBase`).
        let judging = try tickets.judgingBase(tip: tickets.tip(), baseTip: baseTip)
        let judged =
            judging == baseTip
            ? base : try tickets.bytes(at: path, in: judging).flatMap { tickets.codec.decode($0, path: path).record }
        for _ in 0..<5 {
            guard let current = try await platform.ticket(id: id, sealing: tickets.sealing) else {
                throw TicketResolveError.notOnPlatform(id)
            }
            try TicketPuller.requireSealed([current], tickets.sealing)
            let merged = TicketMerge.merge(base: judged, git: git, platform: current)
            let conflicts = merged.conflicts
            let chosen = conflicts.filter { field == nil || $0.field.rawValue == field!.rawValue }
            var result = Result(
                id: id, path: path, settled: chosen, remaining: conflicts.filter { !chosen.contains($0) }, kept: side)
            guard !chosen.isEmpty else {
                if conflicts.isEmpty {
                    // Settled some other way meanwhile: the ledger forgets it.
                    try ConflictLedger.update(tickets, found: [], cleared: [id], author: author)
                }
                if let field, !conflicts.isEmpty {
                    throw TicketResolveError.noConflictOnField(id, field.rawValue, conflicts.map(\.field.rawValue))
                }
                return result
            }
            let fields = chosen.compactMap { TeamFields.Field(rawValue: $0.field.rawValue) }
            switch side {
            case .git:
                var patch = TicketPatch()
                for field in fields { patch.include(field, from: git.team) }
                // The platform's rules, checked before asking: a closed ticket stays closed.
                let sent = TicketRecord(current).applying(patch)
                if sent.status != current.status, !current.status.reaches(sent.status) {
                    throw TicketResolveError.refused(
                        "the platform's \(id) is \(current.status.rawValue), and a \(current.status.rawValue) ticket cannot move to "
                            + "\(sent.status.rawValue): keep the platform's value (--keep platform)")
                }
                if [.resolved, .closed].contains(sent.status), (sent.resolution ?? "").isEmpty {
                    throw TicketResolveError.refused(
                        "git's \(id) would be \(sent.status.rawValue) without a resolution on the platform: "
                            + "set one in git (tickets set \(id) --resolution ...) or keep the platform's value")
                }
                // A status reached only through another (resolved ->
                // in_progress -> pending) is sent as those moves, as a push sends it.
                let answer: Ticket
                do {
                    answer = try await TicketPusher.send(
                        patch, to: current, id: id, on: platform, sealing: tickets.sealing
                    ).answer
                } catch {
                    if case .versionConflict = error.error { continue }  // changed meanwhile: look again
                    throw error.error
                }
                if let newBase = TicketPusher.base(base, agreeingWith: git, TicketRecord(answer)) {
                    // Git's value, sent from the branch: the base agrees with
                    // the branch's tip, as after a push (never with the commit
                    // it named before, which holds the older value).
                    result.baseMoved =
                        try tickets.commit(author: author) { tip, _ in
                            TicketStore.Change(
                                baseFiles: [(path, tickets.codec.encode(newBase))],
                                baseMessage: "supportsync: platform base after resolving \(id) (kept git)\n",
                                agreesWith: tip)
                        }?.base
                }
            case .platform:
                // What a pull would write (the platform's changes git has
                // not seen), with the platform's value for each field settled.
                var updated = merged.record
                for field in fields { updated.team.take(field, from: current.record.team) }
                let text = Array(TicketFile.text(updated).utf8)
                guard text.count <= YAMLLimits.default.maxBytes else {
                    throw TicketEditError.refused(
                        "the ticket file would be \(text.count) bytes with the platform's values, over the \(YAMLLimits.default.maxBytes)-byte limit of a ticket file"
                    )
                }
                if commit {
                    let newBase = TicketPusher.base(base, agreeingWith: updated, TicketRecord(current))
                    let message =
                        "tickets: \(id) keeps the platform's \(fields.map(\.rawValue).joined(separator: ", "))\n"
                    result.commit =
                        try tickets.commit(author: author) { _, _ in
                            TicketStore.Change(
                                files: [(path, text)], message: message,
                                baseFiles: newBase.map { [(path, tickets.codec.encode($0))] } ?? [])
                        }?.commit
                } else {
                    guard tickets.followsWorkingTree else { throw TicketEditError.noWorkingTree }
                    try tickets.writeWorkingCopy(path, text)
                }
            }
            logger.info("resolved", metadata: ["ticket": "\(id)", "kept": "\(side.rawValue)"])
            // Settled for the platform (git) or committed: the ledger forgets
            // it. A file changed only in the working tree settles nothing yet.
            if side == .git || commit {
                try ConflictLedger.update(
                    tickets, found: result.remaining.map { (id, $0) }, cleared: [id], author: author)
            }
            return result
        }
        throw TicketResolveError.keptChanging(id)
    }
}

/// Why `tickets resolve` settled nothing.
public enum TicketResolveError: UserError {
    case invalidFile(String, [Diagnostic])
    case notOnPlatform(String)
    case noConflictOnField(String, String, [String])
    case keptChanging(String)
    case uncommitted(String)
    case refused(String)

    public var description: String {
        switch self {
        case .invalidFile(let path, _): return "\(path) on the branch does not validate; fix it first"
        case .notOnPlatform(let id): return "the platform has no ticket \(id)"
        case .noConflictOnField(let id, let field, let others):
            return "\(id) has no conflict on \(field); its conflicts are on \(others.joined(separator: ", "))"
        case .keptChanging(let id): return "\(id) kept changing on the platform; run resolve again"
        case .uncommitted(let path):
            return
                "\(path) has uncommitted changes: commit them (git's value is the branch's) or discard them, then resolve"
        case .refused(let why): return why
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .keptChanging: return .failure
        default: return .needsAttention
        }
    }

    public var diagnostics: [Diagnostic] {
        if case .invalidFile(_, let problems) = self { return problems }
        return []
    }
}
