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

    /// Whether `change` only erases a ticket already in git: the file is
    /// exactly what the tool writes for the old record with an erasure
    /// record set and the customer data emptied, byte for byte (no other
    /// key, comment or value).
    func isErasure(_ change: FileChange) throws -> Bool {
        guard TicketPaths.kind(ofPath: change.path) == .ticket, !change.isSubmodule, let oldBlob = change.oldBlob,
            let newBlob = change.newBlob,
            let old = codec.decodeValid(try repository.blob(oldBlob), path: change.path), old.erasure == nil
        else { return false }
        let bytes = try repository.blob(newBlob)
        guard let new = codec.decodeValid(bytes, path: change.path), let erasure = new.erasure else { return false }
        return bytes == codec.encode(erasure.applied(to: old))
    }

    /// - Parameter trustToolCommits: accept commits carrying the
    ///   `Supportsync-Cursor:` trailer without checking them (a convention
    ///   for auditing the default branch's own history, not a proof).
    ///
    /// Each commit is checked on its own, and then the net change from the
    /// merge base of `base` and `head` to `head`, always: a pull request is
    /// usually behind the branch the sync job commits to, and a merge can
    /// bring in a change no single commit shows (`git merge -s ours` takes
    /// back every ticket the other side changed, and changes nothing
    /// against its first parent).
    public func audit(base: String, head: String, trustToolCommits: Bool) throws -> Result {
        let baseID = try repository.commit(named: base)
        let headID = try repository.commit(named: head)
        var result = Result(commits: 0, ticketCommits: 0, files: 0, diagnostics: [])
        var seenFiles: Set<String> = []
        /// What tickets pull commits in the range wrote, by path: the only
        /// source of platform-owned values the net change may show.
        var pulled: [String: [TicketRecord]] = [:]
        /// The cursors those pull commits wrote.
        var pulledCursors: Set<[UInt8]> = []
        let defaultBranch = try? defaultBranchTip()
        var inRange: Set<ObjectID> = []
        var attributesChanged = false
        for commit in try repository.commits(from: headID, excluding: [baseID]) {
            result.commits += 1
            inRange.insert(commit.id)
            let parents = commit.parents.isEmpty ? [nil] : commit.parents.map(Optional.some)
            let allChanges = try repository.changes(from: commit.parents.first, to: commit.id, under: "")
            if allChanges.contains(where: { ($0.path as NSString).lastPathComponent == ".gitattributes" }) {
                attributesChanged = true
            }
            let changes = Self.underTickets(allChanges)
            if !changes.isEmpty { result.ticketCommits += 1 }
            let isToolCommit = try self.isToolCommit(commit, changes: changes)
            if isToolCommit {
                try record(changes, into: &pulled, cursors: &pulledCursors)
                if trustToolCommits { continue }
            }
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
            let short = String(commit.id.hex.prefix(8))
            let reference = Diagnostic.CommitReference(
                id: commit.id.hex, author: commit.author.name, email: commit.author.email,
                date: TicketTimestamp.text(commit.author.date))
            func report(_ diagnostic: Diagnostic) {
                var diagnostic = diagnostic
                diagnostic.message += " (commit \(short) by \(commit.author.name))"
                diagnostic.commit = reference
                result.diagnostics.append(diagnostic)
            }
            // Where names ignore case (macOS, Windows), git reads a
            // `.GitAttributes` as `.gitattributes`, and not where they do: it
            // could rewrite ticket files on some checkouts, unseen here.
            for change in allChanges where change.newBlob != nil {
                let name = (change.path as NSString).lastPathComponent
                guard name != ".gitattributes", name.lowercased() == ".gitattributes" else { continue }
                report(
                    Diagnostic(
                        .ticketStray, at: SourceLocation(file: change.path, line: 1, column: 1),
                        "\(PrintableText.escaping(change.path)) is read as .gitattributes where file names ignore case (macOS, Windows) and ignored elsewhere: its attributes would reach ticket files on some checkouts only",
                        hint: "name it .gitattributes"))
            }
            for change in changes {
                let start = SourceLocation(file: change.path, line: 1, column: 1)
                if change.isSubmodule {
                    // Taking a submodule away is what its report asked for.
                    if change.newBlob == nil { continue }
                    seenFiles.insert(change.path)
                    report(
                        Diagnostic(
                            .ticketStray, at: start,
                            "\(change.path) is a submodule, not a file; only tickets, .gitkeep and the pull cursor live under tickets/",
                            hint: "remove the submodule entry (git rm --cached \(change.path))"))
                    continue
                }
                // The tool replaces 0.1's cursor file by the cursor folder: a removal of it is no edit.
                if change.path == TicketStore.cursorPath
                    || (change.path == TicketStore.legacyCursorPath && change.newBlob != nil)
                {
                    // A merge taking one side's cursor as it was changes
                    // nothing; a mode or type change is an edit too.
                    if change.newBlob == nil || change.isPlainFile,
                        try parents.contains(where: {
                            try blob(change.path, in: $0) == (try blob(change.path, in: commit.id))
                        })
                    {
                        continue
                    }
                    seenFiles.insert(change.path)
                    var diagnostic = Diagnostic(
                        .ticketPlatformField, at: start,
                        "commit \(short) edits the pull cursor, which only supportsync writes",
                        hint: "revert the change to \(change.path)")
                    diagnostic.commit = reference
                    result.diagnostics.append(diagnostic)
                    continue
                }
                if change.path == TicketStore.legacyCursorPath { continue }
                let kind = TicketPaths.kind(ofPath: change.path)
                switch kind {
                case .outside: continue
                case .keep:
                    // Empty, as git's convention has it: bytes kept there would be
                    // a file under tickets/ that nothing reads or checks.
                    guard let blob = change.newBlob, try !repository.blob(blob).isEmpty else { continue }
                    seenFiles.insert(change.path)
                    report(
                        Diagnostic(
                            .ticketStray, at: start,
                            "\(change.path) is not empty; a .gitkeep under tickets/ keeps a folder and holds nothing",
                            hint: "empty it (: > \(change.path))"))
                    continue
                case .misplacedTicket, .stray:
                    guard change.newBlob != nil else { continue }  // removing it is welcome
                    seenFiles.insert(change.path)
                    report(
                        kind == .misplacedTicket
                            ? TicketAudit.misplacedTicket(change.path)
                            : Diagnostic(
                                .ticketStray, at: start,
                                "\(change.path) is not a ticket; only tickets, .gitkeep and the pull cursor live under tickets/",
                                hint: "remove the file; tickets come from tickets pull"))
                    continue
                case .ticket: break
                }
                seenFiles.insert(change.path)
                // A symbolic link's bytes are where it points, not a ticket:
                // said as such (an executable file too: the pull writes neither).
                if change.newBlob != nil, !change.isPlainFile {
                    report(
                        Diagnostic(
                            .ticketStray, at: start,
                            "\(change.path) is a symbolic link or an executable file, not a plain file; a ticket file is one tickets pull wrote",
                            hint: "put back the file tickets pull wrote (git checkout <base> -- \(change.path))"))
                    continue
                }
                let parentBytes = try parents.map { try blob(change.path, in: $0) }
                // A parent's file that does not read (a repair) is judged
                // by the last version of it that did, not taken as no file.
                var parentRecords: [TicketRecord] = []
                var neverRead = false
                for (parent, bytes) in zip(parents, parentBytes) {
                    guard let bytes else { continue }
                    if let record = codec.decode(bytes, path: change.path).record {
                        parentRecords.append(record)
                    } else if let parent, let record = try lastReadable(change.path, at: parent) {
                        parentRecords.append(record)
                    } else {
                        neverRead = true
                    }
                }
                let newBytes = try change.newBlob.map { try repository.blob($0) }
                if newBytes != nil, parentBytes.contains(where: { $0 != nil && $0 == newBytes }) {
                    continue  // a merge taking one side as it was
                }
                // A repair (the file reads now) with nothing to judge it by: said once.
                if neverRead, parentRecords.isEmpty, let newBytes,
                    codec.decode(newBytes, path: change.path).record != nil
                {
                    report(unjudgedRepair(change.path, "before this commit"))
                }
                if newBytes != nil, parentBytes.allSatisfy({ $0 == nil }), !isToolCommit {
                    report(
                        Diagnostic(
                            .ticketAdded, at: start,
                            "the ticket file is added outside tickets pull; every push and sync would then fail on a ticket the platform does not have",
                            hint:
                                "remove the file; a ticket is created on the platform and comes to git with tickets pull"
                        ))
                }
                for diagnostic in TicketAudit.check(
                    path: change.path, parents: parentRecords, new: newBytes, sealing: codec.sealing)
                {
                    report(diagnostic)
                }
            }
        }
        // One report per rule, severity and place: the net change repeats
        // what a commit's own check found.
        func key(_ diagnostic: Diagnostic) -> String {
            "\(diagnostic.rule.rawValue) \(diagnostic.severity) \(diagnostic.location.file):\(diagnostic.location.line)"
        }
        var reported = Set(result.diagnostics.map(key))
        // After a criss-cross merge (each side merged the other) there are
        // several merge bases, and the one git would pick is the newest by
        // a date the author sets: the net change is judged from each. The
        // commits since one of them that are not in the range are on
        // `base` already; what pulls among them wrote counts as pulled.
        // (With one merge base, every commit since it is in the range.)
        let mergeBases = try repository.mergeBases(baseID, headID)
        for mergeBase in mergeBases.isEmpty ? [nil] : mergeBases.map(Optional.some) {
            var pulledSince = pulled
            var cursorsSince = pulledCursors
            if mergeBases.count > 1, let mergeBase {
                for commit in try repository.commits(from: headID, excluding: [mergeBase])
                where !inRange.contains(commit.id) {
                    let changes = try ticketChanges(of: commit)
                    if try isToolCommit(commit, changes: changes) {
                        try record(changes, into: &pulledSince, cursors: &cursorsSince)
                    }
                }
            }
            for diagnostic in try netChange(
                from: mergeBase, to: headID, pulled: pulledSince, pulledCursors: cursorsSince)
            where reported.insert(key(diagnostic)).inserted {
                seenFiles.insert(diagnostic.location.file)
                result.diagnostics.append(diagnostic)
            }
        }
        if attributesChanged {
            for diagnostic in try checkoutAttributes(at: headID) where reported.insert(diagnostic.message).inserted {
                seenFiles.insert(diagnostic.location.file)
                result.diagnostics.append(diagnostic)
            }
        }
        // Twins come only with a change under tickets/: a range without one
        // (a config pull request) reads no ticket listing.
        let mergeBase = mergeBases.first
        if mergeBase != headID,
            try !repository.changes(from: mergeBase, to: headID, under: TicketPaths.folder + "/").isEmpty
        {
            result.diagnostics += try duplicates(at: headID, since: mergeBase)
        }
        // Every file a diagnostic names counts as checked (a twin the range did not touch included).
        seenFiles.formUnion(result.diagnostics.map(\.location.file))
        result.files = seenFiles.count
        return result
    }

    /// Every ticket and the pull cursor, between a merge base of the range
    /// and `head`: each difference in a platform-owned field
    /// must be what a tickets pull in the range wrote, a ticket new since
    /// the merge base must be one a pull added, no ticket may go, a closed
    /// ticket stays closed, and a changed cursor must be one a pull wrote.
    private func netChange(
        from mergeBase: ObjectID?, to head: ObjectID, pulled: [String: [TicketRecord]], pulledCursors: Set<[UInt8]>
    ) throws -> [Diagnostic] {
        let between =
            "the net change from the merge base \(mergeBase.map { String($0.hex.prefix(8)) } ?? "(none)") to \(head.hex.prefix(8))"
        var diagnostics: [Diagnostic] = []
        let oldCursor = try blob(TicketStore.cursorPath, in: mergeBase)
        let newCursor = try blob(TicketStore.cursorPath, in: head)
        if oldCursor != newCursor, newCursor.map({ !pulledCursors.contains($0) }) ?? true {
            diagnostics.append(
                Diagnostic(
                    .ticketPlatformField, at: SourceLocation(file: TicketStore.cursorPath, line: 1, column: 1),
                    newCursor == nil
                        ? "\(between) removes the pull cursor, which only supportsync writes"
                        : "\(between) changes the pull cursor to one no tickets pull in the range wrote",
                    hint:
                        "take the pull cursor from the merge base: git checkout \(mergeBase.map { String($0.hex.prefix(8)) } ?? "<base>") -- \(TicketStore.cursorPath)"
                ))
        }
        for change in try repository.changes(from: mergeBase, to: head, under: TicketPaths.folder + "/")
        where TicketPaths.kind(ofPath: change.path) == .ticket && !change.isSubmodule {
            guard let blob = change.newBlob else {
                let id = TicketPaths.id(ofPath: change.path)
                diagnostics.append(
                    Diagnostic(
                        .ticketDeleted, at: SourceLocation(file: change.path, line: 1, column: 1),
                        "ticket '\(id)' is in the merge base and \(between) deletes it; ticket files are never deleted",
                        hint:
                            "restore the file from the merge base; close the ticket instead (status: closed with a resolution)"
                    ))
                continue
            }
            let file = TicketFile.parse(try repository.blob(blob), path: change.path, sealing: codec.sealing)
            guard let record = file.record else { continue }  // unreadable: reported at its commit
            let versions = pulled[change.path] ?? []
            let oldBytes = try self.blob(change.path, in: mergeBase)
            var atBase = oldBytes.flatMap { codec.decode($0, path: change.path).record }
            if oldBytes != nil, atBase == nil, let mergeBase {
                // Unreadable at the merge base and repaired here: judged
                // against the last version that read, when one ever did.
                atBase = try lastReadable(change.path, at: mergeBase)
                if atBase == nil {
                    diagnostics.append(unjudgedRepair(change.path, "at the merge base \(mergeBase.hex.prefix(8))"))
                    continue
                }
            }
            guard let old = atBase else {
                let fromPull = versions.contains { version in
                    TicketRecord.ownedByPlatform.allSatisfy { version.value(of: $0) == record.value(of: $0) }
                }
                if !fromPull {
                    diagnostics.append(
                        Diagnostic(
                            .ticketAdded, at: SourceLocation(file: change.path, line: 1, column: 1),
                            "the ticket file is new in \(between), and no tickets pull in the range wrote it so",
                            hint:
                                "remove the file; a ticket is created on the platform and comes to git with tickets pull"
                        ))
                }
                continue
            }
            for field in TicketRecord.ownedByPlatform where old.value(of: field) != record.value(of: field) {
                if versions.contains(where: { $0.value(of: field) == record.value(of: field) }) { continue }
                diagnostics.append(
                    Diagnostic(
                        .ticketPlatformField, at: file.location(of: field.rawValue),
                        "\(field.rawValue) is owned by the platform, and \(between) changes it",
                        hint: "restore the platform's value (the file at the merge base); tickets pull writes it anyway"
                    ))
            }
            // Each step of the lifecycle is judged at its commit; over the
            // whole range only closed is final, and a merge can undo it.
            if old.status == .closed, record.status != .closed,
                !versions.contains(where: { $0.status == record.status })
            {
                diagnostics.append(
                    Diagnostic(
                        .ticketLifecycle,
                        at: file.valueLocations[TicketRecord.Field.status.rawValue] ?? file.location(of: "status"),
                        "the ticket is closed at the merge base, and \(between) makes it \(record.status.rawValue); a closed ticket is final",
                        hint: "take the file from the merge base; open a new ticket on the platform instead"))
            }
        }
        return diagnostics
    }

    /// The gitattributes that make git rewrite a file on checkout and on
    /// commit in ways a ticket file must not be: another encoding, a filter
    /// (Git LFS stores a pointer instead), `$Id$` expansion.
    static let rewritingAttributes = ["working-tree-encoding", "filter", "ident"]

    /// After a change to a `.gitattributes` file: each rewriting attribute
    /// `head` gives ticket files, once, with how many files it reaches.
    /// Checked out so, the files no longer read as the tool wrote them, and
    /// every pull, push and sync after the merge fails.
    private func checkoutAttributes(at head: ObjectID) throws -> [Diagnostic] {
        let paths = try repository.files(under: TicketPaths.folder, in: head).map(\.path).filter {
            TicketPaths.kind(ofPath: $0) == .ticket
        }
        let values = try repository.attributes(Self.rewritingAttributes, of: paths, in: head)
        var reached: [String: (count: Int, first: String)] = [:]
        for (path, pathValues) in zip(paths, values) {
            for (name, value) in zip(Self.rewritingAttributes, pathValues) {
                guard let value else { continue }
                let setting = value == "true" ? name : "\(name)=\(value)"
                reached[setting, default: (0, path)].count += 1
            }
        }
        return reached.sorted { $0.key < $1.key }.map { setting, reach in
            Diagnostic(
                .ticketStray, at: SourceLocation(file: ".gitattributes", line: 1, column: 1),
                "the attributes at \(head.hex.prefix(8)) give \(reach.count) ticket file\(reach.count == 1 ? "" : "s") \(PrintableText.escaping(setting)) (\(reach.first) among them): git would rewrite them on checkout and commit, and they would no longer read as tickets pull wrote them",
                hint: "take the attribute off tickets/ (for example: tickets/** -\(setting.split(separator: "=")[0]))")
        }
    }

    /// What `commit` changed against its first parent under any case of
    /// `tickets/`.
    private func ticketChanges(of commit: CommitInfo) throws -> [FileChange] {
        Self.underTickets(try repository.changes(from: commit.parents.first, to: commit.id, under: ""))
    }

    /// Those of `changes` under any case of `tickets/`.
    private static func underTickets(_ changes: [FileChange]) -> [FileChange] {
        changes.filter { TicketPaths.kind(ofPath: $0.path) != .outside }
    }

    /// Whether `commit` is one the tool writes, given its `changes`
    /// (`ticketChanges(of:)`). A pull that writes tickets moves the cursor
    /// in the same commit: a trailer alone (anyone can type one) does not
    /// make a pull. The other commit the tool writes to tickets, an erasure
    /// on a platform that forgets erased tickets, leaves the cursor and only
    /// erases: it can remove customer data, never add a value. The tool
    /// never writes a merge: a merge with a trailer is somebody's. Moving
    /// the cursor means new bytes in a plain file: a mode or type change
    /// alone (the cursor made executable, or a symbolic link to the same
    /// bytes) moves nothing.
    private func isToolCommit(_ commit: CommitInfo, changes: [FileChange]) throws -> Bool {
        guard commit.trailer(TicketStore.trailer) != nil, commit.parents.count <= 1,
            !changes.contains(where: \.isSubmodule)
        else { return false }
        let addsOrChangesTickets = changes.contains { TicketPaths.kind(ofPath: $0.path) == .ticket }
        let movesCursor = try changes.contains { change in
            guard change.path == TicketStore.cursorPath, change.isPlainFile else { return false }
            return try blob(change.path, in: commit.id) != blob(change.path, in: commit.parents.first)
        }
        if !addsOrChangesTickets || movesCursor { return true }
        return try changes.allSatisfy(isErasure)
    }

    /// Adds what a tool commit's `changes` wrote: each ticket's record by
    /// path, and the cursor.
    private func record(
        _ changes: [FileChange], into pulled: inout [String: [TicketRecord]], cursors: inout Set<[UInt8]>
    ) throws {
        for change in changes {
            guard let blob = change.newBlob else { continue }
            if change.path == TicketStore.cursorPath {
                cursors.insert(try repository.blob(blob))
            } else if TicketPaths.kind(ofPath: change.path) == .ticket,
                let record = codec.decode(try repository.blob(blob), path: change.path).record
            {
                pulled[change.path, default: []].append(record)
            }
        }
    }

    /// The ticket at `path` as it last read, at `commit` or before it,
    /// along the file's own history (as `git log -- path` walks it, with the
    /// history index `tickets history` keeps), no further back than the
    /// file goes: what a repair of a file that does not read is judged
    /// against, however many commits ago it last read. Nil when no version
    /// of it read.
    private func lastReadable(_ path: String, at commit: ObjectID) throws -> TicketRecord? {
        let changes = try repository.changes(
            of: path, from: commit, index: repository.gitDirectory + "/supportsync/history-index")
        for change in changes {
            guard let entry = change.after else { return nil }  // deleted here: an earlier life is another file
            if entry.isBlob, let record = codec.decode(try repository.blob(entry.id), path: path).record {
                return record
            }
            if change.before == nil { return nil }  // added here
        }
        return nil
    }

    /// A repair of a file no version of which ever read (one written by an
    /// early version's pull): nothing to judge its platform-owned values
    /// against, so a person is asked to.
    private func unjudgedRepair(_ path: String, _ when: String) -> Diagnostic {
        Diagnostic(
            .ticketPlatformField, at: SourceLocation(file: path, line: 1, column: 1),
            "the ticket file did not read \(when), and no version of it ever did: its platform-owned values (\(TicketRecord.ownedByPlatform.map(\.rawValue).joined(separator: ", "))) cannot be checked",
            hint: "compare them with the platform's ticket before merging",
            severity: .warning)
    }

    /// Two ticket files with one id at `head`, or ids that differ only in
    /// case (one file on macOS and Windows): every one of them.
    /// Only those the range brought: twins already at the merge base are
    /// an older version's doing, not this change's.
    private func duplicates(at head: ObjectID, since mergeBase: ObjectID?) throws -> [Diagnostic] {
        func groups(_ commit: ObjectID?) throws -> [[String]] {
            guard let commit else { return [] }
            return TicketAudit.sameID(try repository.files(under: TicketPaths.folder, in: commit).map(\.path))
        }
        let before = Set(try groups(mergeBase))
        return TicketAudit.duplicates(try groups(head).filter { !before.contains($0) })
    }

    /// The default branch and its tip: the remote's (`origin/HEAD`), else the branch HEAD is on.
    /// The default branch: the remote's (`origin/HEAD`), else a local
    /// `main` or `master`. Never the branch checked out: on a pull
    /// request's branch, a commit "already on" it is any commit of it.
    private func defaultBranchTip() throws -> (String, ObjectID)? {
        let candidates = [
            try? repository.symbolicTarget(of: "refs/remotes/origin/HEAD"), "refs/heads/main", "refs/heads/master",
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

    /// The file at `path` in `commit`; nil when there is none, or a folder
    /// or submodule stands there (the change to it is reported as such).
    private func blob(_ path: String, in commit: ObjectID?) throws -> [UInt8]? {
        guard let commit else { return nil }
        do {
            return try repository.blob(at: path, in: commit)
        } catch  where error.kind == .invalid {
            return nil
        }
    }
}
