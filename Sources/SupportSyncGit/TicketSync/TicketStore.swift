import Foundation
import Git
import SupportSync
import YAML

/// Where tickets live in git: the repository and branch, the ticket file
/// codec, the lock, the cursor file, the platform base ref, and the one
/// compare-and-swap commit that pull and push share.
public struct TicketStore {
    public let repository: Repository
    /// How ticket files are read and written; its sealing is the store's.
    public private(set) var codec: TicketCodec
    /// The branch tickets are committed to (`refs/heads/main`).
    public let branch: String
    /// Whether the branch is the checked-out one, so the working tree and
    /// index follow its commits.
    public let followsWorkingTree: Bool

    /// How the platform seals customer data in this repository's ticket
    /// files (`supportsync.yaml`, `tickets: {seal: [...]}`, which
    /// `TicketStore.project` reads); pull, push and seal read tickets with
    /// it. Every field unless told otherwise (the codec's).
    public var sealing: Sealing {
        get { codec.sealing }
        set { codec.sealing = newValue }
    }

    public static let platformRef = "refs/supportsync/platform"
    /// The cursor, format 2. It lives in a folder at the path where 0.1 kept
    /// its cursor file, so 0.1 (which reads that path as a file) refuses to
    /// pull into a repository a later version wrote, rather than write
    /// customer data in plain text beside sealed tickets.
    public static let cursorPath = "tickets/.supportsync-cursor/v2"
    /// The cursor file of format 1 (supportsync 0.1), replaced by the first pull.
    public static let legacyCursorPath = "tickets/.supportsync-cursor"
    public static let trailer = "Supportsync-Cursor"

    /// Opens the repository at `root` for ticket work: a git repository
    /// with full history, on a branch (or `ref`).
    public init(root: URL, ref: String? = nil, codec: TicketCodec = TicketCodec()) throws {
        let repository = try Self.openRepository(root: root)
        let head: String? = try repository.headReference()
        let branch: String
        if let ref {
            branch = ref.hasPrefix("refs/") ? ref : "refs/heads/\(ref)"
        } else if let head {
            branch = head
        } else {
            throw TicketCommandError.detachedHead
        }
        // Another worktree's branch: moving it would leave that worktree's
        // index behind, and its next commit would undo the pull.
        // (A bare repository's HEAD is checked out nowhere but in a worktree.)
        if repository.isBare || branch != head, try repository.isCheckedOut(branch: branch) {
            throw TicketCommandError.checkedOutElsewhere(branch)
        }
        self.init(
            repository: repository, branch: branch, followsWorkingTree: !repository.isBare && branch == head,
            codec: codec)
    }

    /// Opens the repository at `root` to read tickets as they are: the
    /// working tree (the HEAD commit in a bare repository). Unlike ticket
    /// work, this needs no history, so a shallow clone or a detached HEAD
    /// (a pull request's checkout) will do: `tickets list` and `show`.
    public static func reading(root: URL, codec: TicketCodec = TicketCodec()) throws -> TicketStore {
        let repository = try openRepository(root: root, allowShallow: true)
        let head: String? = try repository.headReference()
        return TicketStore(
            repository: repository, branch: head ?? "HEAD", followsWorkingTree: !repository.isBare, codec: codec)
    }

    /// The git repository containing `root`, with full history (unless `allowShallow`).
    public static func openRepository(root: URL, allowShallow: Bool = false) throws -> Repository {
        let found: Repository? = try Repository.discover(from: root.path)
        guard let repository = found else { throw TicketCommandError.notARepository(root.path) }
        let shallow: Bool = try repository.isShallow
        guard allowShallow || !shallow else { throw TicketCommandError.shallow }
        return repository
    }

    init(repository: Repository, branch: String, followsWorkingTree: Bool, codec: TicketCodec = TicketCodec()) {
        self.repository = repository
        self.branch = branch
        self.followsWorkingTree = followsWorkingTree
        self.codec = codec
    }

    /// Holds the repository's ticket lock (`.git/supportsync/lock`) until
    /// released, with the working tree as the branch has it: a command
    /// killed while it wrote the tree left it to the next one that takes
    /// the lock (`finishInterruptedCheckout`), whatever that one does.
    public func lock() throws -> RepositoryLock {
        try settled(RepositoryLock.acquire(repository))
    }

    /// For a command that reads the working tree without the lock (`tickets
    /// list`, `show`): finishes what a killed command left unwritten, when
    /// no command holds the lock; one that does may still be writing, and
    /// finishes itself.
    func finishInterruptedCheckoutWhenIdle() {
        guard followsWorkingTree,
            access(checkoutNote, F_OK) == 0 || access(stagingNote, F_OK) == 0,
            let lock = try? settled(RepositoryLock.acquire(repository, timeout: .zero))
        else { return }
        lock.release()
    }

    /// Why the working tree may not hold every ticket of the branch, when
    /// it may not: a command is writing it, or was cut short and could not
    /// be finished, or the checkout is sparse.
    public var workingTreeNotice: String? {
        guard followsWorkingTree else { return nil }
        if access(checkoutNote, F_OK) == 0 {
            return "a ticket command is writing the working tree, or was cut short and its files could not be "
                + "written now; until it ends (supportsync tickets pull finishes one cut short), "
                + "the files may be behind the branch"
        }
        // The files are what a person sees, and a sparse checkout leaves some out.
        if repository.isSparseCheckout {
            return "this is a sparse checkout: ticket commands read the working tree, so tickets outside "
                + "the sparse set are not listed (git sparse-checkout disable shows them all)"
        }
        return nil
    }

    /// `lock`, once an interrupted checkout is finished; released when that fails.
    private func settled(_ lock: RepositoryLock) throws -> RepositoryLock {
        do {
            try finishInterruptedCheckout()
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    // MARK: The one commit

    /// What one commit changes: files on the branch, files in the platform
    /// base, or both, moved together or not at all.
    struct Change {
        var files: [(path: String, bytes: [UInt8])] = []
        /// Files the commit deletes from the branch.
        var removals: [String] = []
        var message = ""
        var baseFiles: [(path: String, bytes: [UInt8])] = []
        var baseMessage = "supportsync: platform base\n"
        /// The branch commit whose tickets the base's now agree with, when
        /// the change moves the base alone for what it read there (a push
        /// sends the branch's values). Without it, a commit of the branch's
        /// files is that commit, and other base changes keep the last one
        /// (a branch behind the base names none: `commit`).
        var agreesWith: ObjectID?

        var isEmpty: Bool { files.isEmpty && removals.isEmpty && baseFiles.isEmpty }
    }

    /// A compare-and-swap on the branch and the base together.
    struct Committed {
        var commit: ObjectID?
        var base: ObjectID?
        /// The blob of each of the change's files, in order.
        var fileBlobs: [ObjectID] = []
    }

    /// Lost to another writer: the branch or the base moved since it was read.
    struct RaceLost: Error {}

    /// Commits what `build` returns for the current tips, as one
    /// compare-and-swap of the branch and the base; when another writer
    /// moved either meanwhile, reads the tips again and asks `build` again
    /// (20 times at most). `build` returns nil for nothing to commit, and
    /// may throw `RaceLost` to give up on a race itself.
    func commit(author: Signature, _ build: (_ tip: ObjectID?, _ baseTip: ObjectID?) throws -> Change?) throws
        -> Committed?
    {
        for _ in 0..<20 {
            let tip = try tip()
            let baseTip = try baseTip()
            guard let change = try build(tip, baseTip), !change.isEmpty else { return nil }
            do {
                return try commit(change, tip: tip, baseTip: baseTip, author: author)
            } catch let error as GitError where error.kind == .referenceMoved {
                continue  // another writer: build on what it left
            }
        }
        throw RaceLost()
    }

    /// Refuses a commit of the checked-out branch while the working tree is
    /// in the middle of a merge, rebase or cherry-pick: git commits nothing
    /// of its own then but the merge, and a ticket commit would carry what
    /// the merge brought, credited to it.
    func requireNoOperationInProgress() throws(TicketCommandError) {
        if followsWorkingTree, let operation = repository.operationInProgress {
            throw .operationInProgress(operation)
        }
    }

    /// One attempt: the objects (in one pack when there are many), then both
    /// references at once, then the working tree for the branch's files.
    private func commit(_ change: Change, tip: ObjectID?, baseTip: ObjectID?, author: Signature) throws -> Committed {
        if !change.files.isEmpty || !change.removals.isEmpty { try requireNoOperationInProgress() }
        let objectCount = change.files.count + change.baseFiles.count
        // Which branch commit the new base agrees with: the commit made, or
        // the one the change names, when the branch held what the base last
        // agreed with (or holds the base's values again); else none, marked
        // so (a branch behind it agrees only on what it was judged on:
        // `judgingBase`).
        var carried: ObjectID?
        var recordsAgreement = false
        // A branch commit after which the branch holds the base's values
        // again (a pull brought the newer ones) is named by a base commit of
        // its own, though the base's files do not change.
        var reagrees = false
        if baseTip == nil {
            // A new base agrees with the branch it is written with.
            recordsAgreement = true
            carried = change.agreesWith
        } else if !change.baseFiles.isEmpty || !change.files.isEmpty, let baseTip {
            carried = try agreedCommit(base: baseTip)
            let judging = try judgingBase(tip: tip, baseTip: baseTip)
            if judging == baseTip {
                recordsAgreement = !change.baseFiles.isEmpty
            } else {
                // A branch behind the base agrees again once it holds, of every
                // ticket the base changed since, the base's team values; one
                // that holds none of the commits the base names (its history
                // replaced), of every ticket: once its conflicts are resolved.
                recordsAgreement = try holdsBaseValues(
                    tip: tip, writing: change.files, judgedFrom: judging, baseTip: baseTip,
                    baseWriting: change.baseFiles)
                reagrees = recordsAgreement && change.baseFiles.isEmpty
            }
            if recordsAgreement, let named = change.agreesWith { carried = named }
        }
        let build = { (writer: Repository) throws -> Committed in
            var committed = Committed()
            if !change.files.isEmpty || !change.removals.isEmpty {
                committed.fileBlobs = try change.files.map { try writer.writeBlob($0.bytes) }
                let updates =
                    change.removals.map { ($0, ObjectID?.none) }
                    + zip(change.files, committed.fileBlobs).map { ($0.path, Optional($1)) }
                committed.commit = try writer.createCommit(
                    parent: tip, treeUpdates: updates, message: change.message, author: author
                ).commit
            }
            if !change.baseFiles.isEmpty || (reagrees && committed.commit != nil) {
                let updates = try change.baseFiles.map { ($0.path, Optional(try writer.writeBlob($0.bytes))) }
                // Which branch commit the base's tickets agree with, for
                // `judgingBase`. Written by a branch behind the base, the
                // base's new values agree with no branch commit: marked so,
                // never with the name the base had (a branch at that commit
                // never held them, and would take its older values for changes).
                let agrees = recordsAgreement ? (committed.commit ?? carried)?.hex : Self.behindMark
                let message =
                    (change.baseFiles.isEmpty
                        ? "supportsync: platform base agrees with the branch again\n" : change.baseMessage)
                    + (agrees.map { "\n\(Self.agreesTrailer): \($0)\n" } ?? "")
                committed.base = try writer.createCommit(
                    parent: baseTip, treeUpdates: updates, message: message, author: author
                ).commit
            }
            return committed
        }
        // Thousands of objects go into one pack rather than as many loose
        // files, while the branch's files are written beside their paths,
        // to be renamed into place once the branch has moved.
        var staged: StagedFiles?
        let many = 64
        let packs = objectCount > many
        let stage = packs && followsWorkingTree && change.files.count > many
        if stage { try noteStaging(in: change.files.map(\.path)) }
        defer {
            staged?.discard()
            if stage { unlink(stagingNote) }
        }
        let committed: Committed
        if packs {
            let (packed, files) = concurrently(
                { Result { try self.repository.withPackedWrites(build) } },
                { stage ? self.repository.stageFiles(change.files) : nil })
            staged = files
            committed = try packed.get()
        } else {
            committed = try build(repository)
        }
        var moves: [ReferenceUpdate] = []
        if let commit = committed.commit {
            moves.append(
                ReferenceUpdate(
                    name: branch, expected: tip, new: commit,
                    message: "supportsync: \(change.message.prefix { $0 != "\n" })"))
        }
        if let base = committed.base {
            moves.append(
                ReferenceUpdate(
                    name: Self.platformRef, expected: baseTip, new: base,
                    message: "supportsync: \(change.baseMessage.prefix { $0 != "\n" })"))
        }
        let checkout = followsWorkingTree ? committed.commit : nil
        if let checkout { try noteCheckout(of: checkout) }
        try repository.updateReferences(moves)
        if let checkout {
            // The files are written from the bytes just committed, not read back.
            var written: [String: (blob: ObjectID, bytes: [UInt8])] = [:]
            for (file, blob) in zip(change.files, committed.fileBlobs) { written[file.path] = (blob, file.bytes) }
            try repository.checkoutPaths(
                change.removals + change.files.map(\.path), from: checkout, written: written, staged: staged)
            checkoutDone()
        }
        return committed
    }

    public func tip() throws -> ObjectID? { try repository.resolve(reference: branch) }

    /// The trailer of a base commit naming the branch commit whose tickets
    /// the base's agree with: the pull that wrote them, or the branch a
    /// push sent them from.
    static let agreesTrailer = "Supportsync-Branch"
    /// The trailer's value on a base commit a branch behind the base wrote:
    /// it agrees with no branch commit, and `judgingBase` walks past it.
    static let behindMark = "none (written by a branch behind the base)"

    /// What a base commit says it agrees with.
    enum Agreement: Equatable {
        /// Nothing: written before base commits named one.
        case unrecorded
        /// No branch commit: written by a branch behind the base.
        case none
        case commit(ObjectID)

        init(_ info: CommitInfo) {
            guard let value = info.trailer(TicketStore.agreesTrailer) else {
                self = .unrecorded
                return
            }
            self = ObjectID(hex: value).map(Agreement.commit) ?? .none
        }
    }

    /// The branch commit the newest base commit at or before `base` that
    /// names one agrees with; nil when none within reach does.
    func agreedCommit(base: ObjectID) throws -> ObjectID? {
        var commit = base
        for _ in 0..<100_000 {
            let info = try repository.commit(commit)
            switch Agreement(info) {
            case .commit(let agreed): return agreed
            case .unrecorded: return nil
            case .none:
                guard let parent = info.parents.first else { return nil }
                commit = parent
            }
        }
        return nil
    }

    /// The base commit the branch's team values are judged from: the
    /// base's tip when the branch holds the commit the tip agreed with (the
    /// usual case, one look), else the newest base commit whose agreed
    /// commit the branch holds. A clone that fetched the base but did not
    /// merge the branch, or a branch forked before the last pull or push,
    /// holds older values of tickets the base changed since: judged from
    /// the tip, they would read as the team's changes, and a push would
    /// send them back over the newer ones. Judged from what the branch
    /// last agreed with, a field it has not changed since is no change of
    /// the team's: a pull brings the newer value, a push sends nothing.
    /// A branch whose commits were rebased holds the same files under
    /// other commits: judged from an older commit, they are the same
    /// changes on both sides, so no conflict. A base written before its
    /// commits named one is judged from there, as before; nil when no base
    /// commit within reach agrees with the branch (every ticket the branch
    /// and the base hold differently is then a conflict, never sent).
    ///
    /// The first few commits named are looked up one by one (a branch a
    /// pull or two behind); past them, the branch's history is walked once,
    /// and every older commit named is looked up in that (not one walk per
    /// base commit).
    func judgingBase(tip: ObjectID?, baseTip: ObjectID?) throws -> ObjectID? {
        guard let baseTip, let tip else { return baseTip }
        var history: Set<ObjectID>?
        var looked = 0
        var commit = baseTip
        for _ in 0..<100_000 {
            let info = try repository.commit(commit)
            switch Agreement(info) {
            case .unrecorded: return commit
            case .none: break
            case .commit(let agreed):
                if let history {
                    if history.contains(agreed) { return commit }
                } else if repository.hasCommit(agreed), try repository.holds(agreed, at: tip) {
                    return commit
                } else {
                    looked += 1
                    if looked == 4 { history = try repository.ancestry(of: tip) }
                }
            }
            guard let parent = info.parents.first else { return nil }
            commit = parent
        }
        return nil
    }

    /// Whether the branch holds none of the commits the platform base names
    /// (its history replaced, or the base pulled on another branch): its
    /// tickets are then judged from no base (`judgingBase`).
    public func holdsNoCommitTheBaseNames() throws -> Bool {
        guard let tip = try tip(), let baseTip = try baseTip() else { return false }
        return try judgingBase(tip: tip, baseTip: baseTip) == nil
    }

    /// Whether the branch at `tip`, with `files` written, holds the base's
    /// team values (the base at `baseTip`, with `baseWriting` written) of
    /// every ticket the base changed since `judging` (of every ticket, when
    /// judged from no base): caught up, with no conflict left open. A ticket
    /// the branch does not hold has no value to differ.
    func holdsBaseValues(
        tip: ObjectID?, writing files: [(path: String, bytes: [UInt8])], judgedFrom judging: ObjectID?,
        baseTip: ObjectID, baseWriting: [(path: String, bytes: [UInt8])]
    ) throws -> Bool {
        let written = Dictionary(files.map { ($0.path, $0.bytes) }, uniquingKeysWith: { _, last in last })
        let newBase = Dictionary(baseWriting.map { ($0.path, $0.bytes) }, uniquingKeysWith: { _, last in last })
        let branch = try ticketBlobs(at: tip)
        let baseBlobs = try ticketBlobs(at: baseTip)
        var paths = Set(newBase.keys)
        if let judging {
            for change in try repository.changes(from: judging, to: baseTip, under: TicketPaths.folder) {
                paths.insert(change.path)
            }
        } else {
            // Every ticket the two hold differently (the same blob holds the same values).
            for (path, blob) in baseBlobs where branch[path] != blob || written[path] != nil { paths.insert(path) }
        }
        for path in paths where TicketPaths.kind(ofPath: path) == .ticket {
            guard let held = try written[path] ?? branch[path].map({ try repository.blob($0) }) else { continue }
            guard let base = try newBase[path] ?? baseBlobs[path].map({ try repository.blob($0) }) else { continue }
            if held == base { continue }
            guard let mine = codec.decode(held, path: path).record, let theirs = codec.decode(base, path: path).record,
                TicketRecord.ownedByTeam.allSatisfy({ mine.value(of: $0) == theirs.value(of: $0) })
            else { return false }
        }
        return true
    }

    /// The blob of each file under `tickets/` (and any case of it) at
    /// `commit`, by path; empty for none.
    func ticketBlobs(at commit: ObjectID?) throws -> [String: ObjectID] {
        Dictionary(
            (try commit.map { try filesUnderTicketFolders(at: $0) } ?? []).map { ($0.path, $0.blob) },
            uniquingKeysWith: { first, _ in first })
    }

    public func baseTip() throws -> ObjectID? { try repository.resolve(reference: Self.platformRef) }

    /// A ticket file's bytes at `commit`, nil when absent.
    func bytes(at path: String, in commit: ObjectID?) throws -> [UInt8]? {
        guard let commit else { return nil }
        return try repository.blob(at: path, in: commit)
    }

    /// The blob of every file directly in each of `folders` at `commit`, by
    /// path: one listing per folder.
    func blobs(in folders: Set<String>, at commit: ObjectID?) throws -> [String: ObjectID] {
        guard let commit else { return [:] }
        var blobs: [String: ObjectID] = [:]
        for folder in folders {
            for file in try repository.files(under: folder, in: commit) { blobs[file.path] = file.blob }
        }
        return blobs
    }

    /// Every file under `tickets/` at `commit`, and under any other case of
    /// it (`Tickets/`), where nothing reads a ticket but a case-insensitive
    /// checkout puts it beside the others: those are reported, never skipped.
    func filesUnderTicketFolders(at commit: ObjectID) throws -> [TreeFile] {
        let folders = try repository.rootNames(in: commit) { TicketPaths.isFolder(inAnyCase: $0) }
        // tickets/ itself first.
        return try folders.sorted { ($0 == TicketPaths.folder) && ($1 != TicketPaths.folder) }.flatMap {
            try repository.files(under: $0, in: commit)
        }
    }

    /// Every ticket file at `commit`: the index a pull keeps a ticket at its
    /// first path by, and finds case twins with.
    func ticketIndex(at commit: ObjectID?) throws -> TicketFileIndex {
        guard let commit else { return TicketFileIndex() }
        return TicketFileIndex(try repository.files(under: TicketPaths.folder, in: commit).lazy.map(\.path))
    }

    /// Where the branch's last pull stopped, on which platform, and how the
    /// repository's ticket files are sealed.
    struct Cursor: Equatable {
        static let format = 2
        var instance: String
        var position: String?
        /// What the platform sealed in the files the pulls wrote; none for a
        /// format 1 cursor (0.1 never sealed).
        var sealing: Sealing
        /// Read from the format 1 file.
        var legacy = false

        var text: String {
            "# supportsync 0.3 or later; older versions refuse to pull into this repository.\n"
                + YAMLWriter.write(
                    .map([
                        ("format", .int(Self.format)), ("instance", .string(instance)),
                        ("cursor", .optional(position)),
                        ("sealed", .list(sealing.sorted.map { .string($0.rawValue) })),
                    ]))
        }

        init(instance: String, position: String?, sealing: Sealing) {
            self.instance = instance
            self.position = position
            self.sealing = sealing
        }

        /// Nil when unreadable; throws for a format newer than this version's.
        init?(_ bytes: [UInt8], legacy: Bool) throws {
            let documents: [Document]
            do {
                documents = try YAMLReader.read(bytes)
            } catch {
                return nil
            }
            var instance: String?
            var position: String?
            var format = legacy ? 1 : nil
            var sealed: [SealedField] = []
            for entry in documents.first?.root.entries ?? [] {
                switch entry.key.scalar?.text {
                case "instance": instance = entry.value.scalar?.text
                case "cursor": position = entry.value.isNull ? nil : entry.value.scalar?.text
                case "format": format = entry.value.scalar.flatMap { Int($0.text) }
                case "sealed":
                    sealed = (entry.value.items ?? []).compactMap {
                        $0.scalar.flatMap { SealedField(rawValue: $0.text) }
                    }
                default: break
                }
            }
            if let format, format > Self.format { throw TicketPullError.newerFormat(format) }
            guard let instance, format != nil else { return nil }
            self.instance = instance
            self.position = position
            self.sealing = Sealing(sealed)
            self.legacy = legacy
        }
    }

    /// Reads the ticket files as they are sealed on the branch (its cursor
    /// records how; every field without one), whatever `supportsync.yaml`
    /// says now: for the commands that only read or edit files (list, show,
    /// history, set, audit, changes), which must judge a file by how it was
    /// written, also between an edit of the seal list and `tickets seal`.
    public mutating func readAsStored() throws {
        sealing = try cursor(at: tip())?.sealing ?? .all
    }

    /// The codec of the files on the checked-out branch at `root`
    /// (`readAsStored`), for the commands that read history: audit, changes.
    public static func storedCodec(root: URL) throws -> TicketCodec {
        var store = try reading(root: root)
        try store.readAsStored()
        return store.codec
    }

    /// The cursor on the branch at `commit`: format 2, else 0.1's file.
    func cursor(at commit: ObjectID?) throws -> Cursor? {
        if let bytes = try bytes(at: Self.cursorPath, in: commit) { return try Cursor(bytes, legacy: false) }
        return try legacyCursorBytes(at: commit).flatMap { try Cursor($0, legacy: true) }
    }

    /// Refuses to write ticket files sealed another way than the files on
    /// the branch: the cursor records how they are sealed. Without a
    /// readable cursor, sealed values in the files themselves refuse a
    /// sealing that would write some places in plain text.
    func requireStoredSealing(at tip: ObjectID?) throws {
        try requireStoredSealing(try cursor(at: tip), at: tip)
    }

    /// As above, with the cursor already read from `tip`.
    func requireStoredSealing(_ stored: Cursor?, at tip: ObjectID?) throws {
        if let stored {
            if stored.sealing != sealing, try hasTicketFiles(at: tip) {
                throw TicketPullError.sealingDiffers(stored: stored.sealing, configured: sealing)
            }
            return
        }
        if sealing != .all, try holdsSealedValues(at: tip) {
            throw TicketPullError.sealingDiffers(stored: .all, configured: sealing)
        }
    }

    /// Whether any ticket file on the branch holds a sealed or withheld value.
    func holdsSealedValues(at tip: ObjectID?) throws -> Bool {
        guard let tip else { return false }
        for file in try repository.files(under: TicketPaths.folder, in: tip) where file.path.hasSuffix(".yaml") {
            let text = String(decoding: try repository.blob(file.blob), as: UTF8.self)
            if text.contains(SealedValue.prefix) || text.contains(WithheldValue.text) {
                return true
            }
        }
        return false
    }

    /// Refuses (nothing written) when a path the pull would write has
    /// uncommitted changes that differ from what it would write, or a path
    /// it would delete has uncommitted changes.
    func refuseDirtyPaths(_ files: [(path: String, bytes: [UInt8])], removing removals: [String]) throws {
        guard followsWorkingTree else { return }
        let dirty = Set(try repository.uncommittedPaths(among: files.map(\.path) + removals))
        let blocking =
            files.filter { dirty.contains($0.path) && workingCopy($0.path) != $0.bytes }.map(\.path)
            + removals.filter(dirty.contains)
        if !blocking.isEmpty { throw TicketPullError.dirtyPaths(blocking) }
    }

    /// Whether the branch holds any ticket file at `commit`.
    func hasTicketFiles(at commit: ObjectID?) throws -> Bool {
        guard let commit else { return false }
        return try repository.files(under: TicketPaths.folder, in: commit).contains {
            $0.path.hasSuffix(".yaml")
        }
    }

    /// 0.1's cursor file, when the branch still has it.
    func legacyCursorBytes(at commit: ObjectID?) throws -> [UInt8]? {
        guard let commit else { return nil }
        do {
            return try repository.blob(at: Self.legacyCursorPath, in: commit)
        } catch  where error.kind == .invalid {
            return nil  // the folder of format 2
        }
    }

    /// Larger than any ticket file the tool writes or reads, so a copy
    /// over the reader's limit still compares as different, not as missing.
    static let workingCopyLimit = 64 << 20

    /// The working-tree copy of `path`, when the branch is checked out and
    /// it is a regular file inside the repository.
    func workingCopy(_ path: String) -> [UInt8]? {
        guard followsWorkingTree, let workdir = repository.workdir else { return nil }
        return try? RepositoryFile.read(workdir + "/" + path, root: workdir, limit: Self.workingCopyLimit).get()
    }

    // MARK: Finishing a working-tree update cut short

    /// Names the commit whose files a pull is bringing into the working tree,
    /// from just before the branch moves until they are all written: a pull
    /// killed in between leaves it, and the next pull finishes the job.
    private var checkoutNote: String { repository.gitDirectory + "/supportsync/checkout" }

    func noteCheckout(of commit: ObjectID) throws {
        try writeNote(checkoutNote, "\(commit.hex)\n")
    }

    /// Writes one of the notes under `.git/supportsync/` whole (renamed into place).
    private func writeNote(_ path: String, _ text: String) throws {
        try WholeFile.write(Array(text.utf8), to: path)
    }

    func checkoutDone() {
        unlink(checkoutNote)
    }

    /// Names the folders a pull writes staged files to (`stageFiles`), from
    /// before it stages them until the checkout has taken them or they are
    /// discarded: a pull killed in between leaves it, and the next pull
    /// deletes the temporary files there.
    private var stagingNote: String { repository.gitDirectory + "/supportsync/staged" }

    private func noteStaging(in paths: [String]) throws {
        let folders = Set(paths.map { String($0[..<($0.lastIndex(of: "/") ?? $0.startIndex)]) })
        try writeNote(stagingNote, folders.sorted().map { $0 + "\n" }.joined())
    }

    /// Writes one ticket file of the working tree, not committed (`tickets
    /// set` without `--commit`, a kept side written for review), whole: to a
    /// temporary file renamed into place. The caller holds the lock. Noted
    /// as staging: a command killed mid-write leaves no stray file for
    /// `audit` to find once committed, since the next one taking the lock
    /// deletes it.
    func writeWorkingCopy(_ path: String, _ bytes: [UInt8]) throws {
        try noteStaging(in: [path])
        try repository.writeWorkingFile(path, bytes)
        unlink(stagingNote)
    }

    /// After a pull was killed with files staged, deletes them (they were
    /// never renamed into place). After one was killed between moving the
    /// branch and updating the working tree, brings the files its commit
    /// changed up to date, as long as the branch is still at that commit. A
    /// file a person has edited since (neither as before nor as committed)
    /// is left alone. The note stays until this succeeds. A store of a
    /// branch that is not checked out leaves the notes to one that is.
    private func finishInterruptedCheckout() throws {
        guard followsWorkingTree else { return }
        if let staging = FileManager.default.contents(atPath: stagingNote) {
            let folders = String(decoding: staging, as: UTF8.self).split(separator: "\n").map(String.init)
            repository.removeTemporaryFiles(in: folders.filter { !$0.isEmpty })
            unlink(stagingNote)
        }
        guard let data = FileManager.default.contents(atPath: checkoutNote) else { return }
        let hex = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let commit = ObjectID(hex: hex), try tip() == commit {
            let parent = try repository.commit(commit).parents.first
            var stale: [String] = []
            for change in try repository.changes(from: parent, to: commit, under: TicketPaths.folder + "/") {
                let copy = workingCopy(change.path)
                let before = try change.oldBlob.map(repository.blob)
                let after = try change.newBlob.map(repository.blob)
                if copy == nil || copy == before || copy == after { stale.append(change.path) }
            }
            try repository.checkoutPaths(stale, from: commit)
        }
        checkoutDone()
    }

    /// The author of the tool's commits: `--author`, else git config, else
    /// `supportsync <supportsync@localhost>`.
    public func author(_ explicit: String?) throws -> Signature {
        if let explicit {
            guard let signature = Self.parseAuthor(explicit) else { throw TicketCommandError.badAuthor(explicit) }
            return signature
        }
        let configured: Signature?
        do {
            configured = try repository.defaultSignature()
        } catch {
            configured = nil
        }
        return configured ?? Signature(name: "supportsync", email: "supportsync@localhost")
    }

    static func parseAuthor(_ text: String) -> Signature? {
        guard let open = text.lastIndex(of: "<"), text.hasSuffix(">") else { return nil }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        guard !name.isEmpty, !email.isEmpty, !email.contains("<"), !email.contains(">") else { return nil }
        return Signature(name: name, email: email)
    }
}

extension Repository {
    /// The commit `revision` names, as audit and `tickets diff` take their
    /// `--base` and `--head`: a revision that names nothing, a tree or a
    /// blob, or is no revision at all, is the user's to fix (64).
    func commit(named revision: String) throws -> ObjectID {
        do {
            guard let id = try revparse(revision) else { throw TicketCommandError.badRevision(revision) }
            return id
        } catch let error as GitError where error.kind == .invalid {
            throw TicketCommandError.badRevision(revision)
        }
    }
}

/// Why a ticket command cannot run, with its exit status.
public enum TicketCommandError: UserError {
    case notARepository(String)
    case shallow
    case detachedHead
    case badAuthor(String)
    case unknownTicket(String)
    /// Two files hold one ticket id (audit reports them): none is picked.
    case duplicateTicket(String, [String])
    case badRevision(String)
    case checkedOutElsewhere(String)
    /// The working tree is in the middle of a merge, rebase, cherry-pick...
    case operationInProgress(String)

    public var description: String {
        switch self {
        case .notARepository(let path):
            return "\(path) is not in a git repository: ticket commands and audit need one (git init, or --repo PATH)"
        case .shallow:
            return
                "this is a shallow clone: ticket history needs the full history (git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0)"
        case .detachedHead:
            return "HEAD is detached: check out a branch (tickets pull also takes --ref)"
        case .badAuthor(let text):
            return "--author \(text): expected \"Name <email>\""
        case .unknownTicket(let id):
            return "no ticket '\(TicketPuller.printable(id))' under tickets/"
        case .duplicateTicket(let id, let paths):
            return
                "ticket '\(id)' has \(paths.count) files (\(paths.joined(separator: ", "))), and audit refuses them (ticket-duplicate): keep the one in the folder of its created_at and remove the others"
        case .badRevision(let revision):
            return "'\(revision)' names no commit of this repository"
        case .checkedOutElsewhere(let branch):
            return
                "\(branch) is checked out in a worktree (or being rebased or bisected in one): run the command there once that is done, or name a branch no worktree has checked out with --ref"
        case .operationInProgress(let operation):
            return
                "\(operation) is in progress in this working tree: conclude or abort it first (git status says how); nothing was committed"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .unknownTicket, .duplicateTicket, .operationInProgress: return .needsAttention
        default: return .usage
        }
    }
}
