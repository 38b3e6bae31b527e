import Foundation
import Git
import SupportSync

/// `audit --base REV [--head REV]`: checks every commit in `base..head` that
/// touches `tickets/` (SPEC section 7), reporting each violation at its
/// line in the ticket file as the commit left it.
public struct TicketAuditor {
    let repository: Repository
    let codec: TicketCodec

    public init(repository: Repository, codec: TicketCodec = TicketCodec()) {
        self.repository = repository
        self.codec = codec
    }

    public struct Result: Sendable {
        /// Commits looked at, and how many of them touched tickets/.
        public var commits: Int
        public var ticketCommits: Int
        public var files: Int
        public var diagnostics: [Diagnostic]

        public var report: DiagnosticReport { DiagnosticReport(files: files, diagnostics: diagnostics) }
    }

    /// - Parameter trustToolCommits: accept commits carrying the
    ///   `Supportsync-Cursor:` trailer without checking them (a convention
    ///   for auditing the default branch's own history, not a proof).
    public func audit(base: String, head: String, trustToolCommits: Bool) throws -> Result {
        guard let baseID = try repository.revparse(base) else { throw TicketCommandError.badRevision(base) }
        guard let headID = try repository.revparse(head) else { throw TicketCommandError.badRevision(head) }
        var result = Result(commits: 0, ticketCommits: 0, files: 0, diagnostics: [])
        var seenFiles: Set<String> = []
        let defaultBranch = try? defaultBranchTip()
        for commit in try repository.commits(from: headID, excluding: [baseID]) {
            result.commits += 1
            let isToolCommit = commit.trailer(TicketStore.trailer) != nil
            if trustToolCommits && isToolCommit { continue }
            let found = result.diagnostics.count
            defer {
                // The tool's own pull commit, already on the default branch:
                // auditing that branch's history is what --trust-tool-commits
                // is for (in a pull request, the same hint would teach a walk-around).
                if isToolCommit, let (name, tip) = defaultBranch,
                    (try? repository.mergeBase(commit.id, tip)) == commit.id
                {
                    for index in found..<result.diagnostics.count {
                        result.diagnostics[index].hint =
                            "commit \(commit.id.hex.prefix(8)) is supportsync's own pull, already on \(name): "
                            + "audit that branch's history with --trust-tool-commits"
                    }
                }
            }
            let parents = commit.parents.isEmpty ? [nil] : commit.parents.map(Optional.some)
            // A path counts as changed when it differs from the first parent's.
            let changes = try repository.changes(from: parents[0], to: commit.id, under: TicketPaths.folder + "/")
            let tickets = changes.filter { $0.path.hasSuffix(".yaml") }
            if !changes.isEmpty { result.ticketCommits += 1 }
            let short = String(commit.id.hex.prefix(8))
            let reference = Diagnostic.CommitReference(
                id: commit.id.hex, author: commit.author.name, email: commit.author.email,
                date: commit.author.date.formatted(.iso8601))
            // The tool replaces 0.1's cursor file by the cursor folder: a removal of it is no edit.
            for change in changes
            where change.path == TicketStore.cursorPath
                || (change.path == TicketStore.legacyCursorPath && change.newBlob != nil)
            {
                if try parents.contains(where: {
                    try blob(change.path, in: $0) == (try blob(change.path, in: commit.id))
                }) {
                    continue
                }
                var diagnostic = Diagnostic(
                    .ticketPlatformField, at: SourceLocation(file: change.path, line: 1, column: 1),
                    "commit \(short) edits the pull cursor, which only supportsync writes",
                    hint: "revert the change to \(change.path)")
                diagnostic.commit = reference
                result.diagnostics.append(diagnostic)
            }
            for change in tickets {
                seenFiles.insert(change.path)
                let parentRecords = try parents.compactMap { parent -> TicketRecord? in
                    try blob(change.path, in: parent).flatMap { codec.decode($0, path: change.path).record }
                }
                let newBytes = try change.newBlob.map { try repository.blob($0) }
                if newBytes != nil, parentRecords.isEmpty == false,
                    try parents.contains(where: { try blob(change.path, in: $0) == newBytes })
                {
                    continue  // a merge taking one side as it was
                }
                for var diagnostic in TicketAudit.check(path: change.path, parents: parentRecords, new: newBytes) {
                    diagnostic.message += " (commit \(short) by \(commit.author.name))"
                    diagnostic.commit = reference
                    result.diagnostics.append(diagnostic)
                }
            }
        }
        result.files = seenFiles.count
        return result
    }

    /// The default branch and its tip: the remote's (`origin/HEAD`), else the branch HEAD is on.
    private func defaultBranchTip() throws -> (String, ObjectID)? {
        let candidates = [
            try? repository.symbolicTarget(of: "refs/remotes/origin/HEAD"), try? repository.symbolicTarget(of: "HEAD"),
        ]
        for case let name? in candidates {
            if let tip = try repository.resolve(reference: name) {
                let short = name.replacingOccurrences(of: "refs/heads/", with: "")
                    .replacingOccurrences(of: "refs/remotes/", with: "")
                return (short, tip)
            }
        }
        return nil
    }

    private func blob(_ path: String, in commit: ObjectID?) throws -> [UInt8]? {
        guard let commit else { return nil }
        return try repository.blob(at: path, in: commit)
    }
}
