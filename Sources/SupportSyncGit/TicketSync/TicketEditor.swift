import Foundation
import Git
import SupportSync
import YAML

/// `tickets set`: changes a ticket's team-owned fields in its file, by the
/// rules `audit` applies (the status lifecycle, a resolution for resolved
/// and closed tickets), written as the pull writes it, and committed on
/// request. Platform-owned fields are never touched.
public struct TicketEditor {
    let tickets: TicketStore

    public init(tickets: TicketStore) {
        self.tickets = tickets
    }

    public struct Result: Sendable {
        public var id: String
        public var path: String
        /// The fields that changed, in the file's order, with their values before and after.
        public var changes: [TicketQueries.FieldChange]
        /// The commit, with `commit: true` and a change to make.
        public var commit: ObjectID?
    }

    /// Applies `patch` to ticket `id`'s file in the working tree, and
    /// commits it on the current branch when `commit` names an author.
    public func set(_ id: String, _ patch: TicketPatch, commit author: Signature?) throws -> Result {
        guard tickets.followsWorkingTree else { throw TicketEditError.noWorkingTree }
        // Taken before the file is read: a pull cannot change it meanwhile,
        // and one killed while writing the tree has been finished.
        let lock = try tickets.lock()
        defer { lock.release() }
        let path = try TicketQueries(tickets: tickets).path(of: id)
        guard let bytes = tickets.workingCopy(path) else { throw TicketEditError.missingFile(path) }
        let decoded = tickets.codec.decode(bytes, path: path)
        guard let current = decoded.record else {
            throw TicketEditError.invalidFile(path, decoded.diagnostics.filter { $0.severity == .error })
        }
        var updated = current
        updated.team = patch.applied(to: current.team)
        if updated.status != current.status, !current.status.canMove(to: updated.status) {
            let allowed = current.status.moves
            throw TicketEditError.refused(
                "\(id) is \(current.status.rawValue), and a \(current.status.rawValue) ticket cannot move to \(updated.status.rawValue)"
                    + (allowed.isEmpty
                        ? " (a closed ticket stays closed)"
                        : "; it may move to \(allowed.map(\.rawValue).joined(separator: ", "))"))
        }
        // A commit holds the file's changes since the branch's version: only
        // team fields may differ there, or the commit would carry edits
        // nobody asked `set` for (and that audit refuses).
        let committed = try tickets.bytes(at: path, in: tickets.tip()).flatMap {
            tickets.codec.decode($0, path: path).record
        }
        // Audit's rule, judged against the branch's version as audit will
        // judge the commit.
        if updated.team.lacksResolution(comparedTo: [(committed ?? current).team]) {
            throw TicketEditError.refused(
                "a \(updated.status.rawValue) ticket needs a resolution: add --resolution \"what was done\"")
        }
        if author != nil, let committed {
            let edited = TicketQueries.changes(from: committed, to: current).filter {
                TicketRecord.Field(rawValue: $0.field)?.owner != .team
            }
            if !edited.isEmpty {
                throw TicketEditError.refused(
                    "\(path) has uncommitted changes to \(edited.map(\.field).joined(separator: ", ")), which only the platform "
                        + "changes: restore them (git restore \(path)) before set --commit")
            }
        }
        let changes = TicketQueries.changes(from: author != nil ? committed ?? current : current, to: updated)
        var result = Result(id: id, path: path, changes: changes)
        guard !changes.isEmpty else { return result }
        let text = Array(TicketFile.text(updated).utf8)
        guard text.count <= YAMLLimits.default.maxBytes else {
            throw TicketEditError.refused(
                "the ticket file would be \(text.count) bytes, over the \(YAMLLimits.default.maxBytes)-byte limit of a ticket file; the platform's fields fill most of it, so set shorter values (a resolution, an assignee)"
            )
        }
        // Said before the file is written: a refused commit leaves it as it was.
        if author != nil { try tickets.requireNoOperationInProgress() }
        if updated != current {
            try tickets.writeWorkingCopy(path, text)
        }
        if let author {
            // Team values only; a sealed one (none is) would show as (sealed).
            let message =
                "tickets: \(id) "
                + changes.map {
                    "\($0.field) \(SealedValue.abbreviated($0.old ?? "(none)")) -> \(SealedValue.abbreviated($0.new ?? "(none)"))"
                }.joined(separator: ", ") + "\n"
            result.commit =
                try tickets.commit(author: author) { _, _ in
                    TicketStore.Change(files: [(path, text)], message: message)
                }?.commit
        }
        return result
    }
}

/// Why `tickets set` changed nothing.
public enum TicketEditError: UserError {
    case noWorkingTree
    case missingFile(String)
    case invalidFile(String, [Diagnostic])
    case refused(String)

    public var description: String {
        switch self {
        case .noWorkingTree: return "tickets set edits the working tree: run it in a checkout, not a bare repository"
        case .missingFile(let path): return "\(path) is not in the working tree (deleted?): git restore \(path)"
        case .invalidFile(let path, let problems):
            return "\(path) does not validate (\(problems.first?.message ?? "it is not a ticket")); fix it first"
        case .refused(let why): return why
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .noWorkingTree: return .usage
        default: return .needsAttention
        }
    }

    public var diagnostics: [Diagnostic] {
        if case .invalidFile(_, let problems) = self { return problems }
        return []
    }
}
