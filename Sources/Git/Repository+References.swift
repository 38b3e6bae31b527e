internal import CLibGit2

/// One reference to move in `Repository.updateReferences(_:)`.
public struct ReferenceUpdate: Sendable, Hashable {
    /// A full reference name under "refs/", e.g. "refs/heads/main".
    public var name: String
    /// Where the reference must point for the update to go ahead; nil when
    /// it must not exist yet.
    public var expected: ObjectID?
    /// The commit it will point at.
    public var new: ObjectID
    /// The reflog message, e.g. "supportsync: pull".
    public var message: String

    public init(name: String, expected: ObjectID?, new: ObjectID, message: String) {
        self.name = name
        self.expected = expected
        self.new = new
        self.message = message
    }
}

extension Repository {
    /// Moves several references together, each by compare-and-swap: either
    /// every reference is at its `expected` value and all of them move, or
    /// none does.
    ///
    /// All references are locked (git's `.lock` files) before any is read;
    /// each is then checked against `expected` while locked, so no other
    /// writer can slip in between the check and the move. Only after every
    /// check passes are the new values written, one rename per reference.
    /// A crash during those final renames (microseconds) can leave some
    /// moved and some not, as with git's own loose-reference transactions;
    /// a later compare-and-swap then fails with `.referenceMoved` rather than
    /// overwriting anything.
    ///
    /// HEAD's own reflog is not appended to when its branch moves this way.
    ///
    /// - Throws: `.referenceMoved` when some reference is not at `expected`
    ///   (the message names it and where it is), `.locked` when another
    ///   writer holds a lock, `.invalid` for a bad or repeated name,
    ///   `.notFound` when a new value is not a commit in this repository.
    public func updateReferences(_ updates: [ReferenceUpdate]) throws(GitError) {
        let what = "could not update \(updates.map(\.name).joined(separator: ", "))"
        var names = Set<String>()
        for update in updates {
            try validateBranchReference(update.name, what)
            try requireNoNUL(update.message, what)
            guard names.insert(update.name).inserted else {
                throw GitError(.invalid, what, "\(update.name) is updated more than once")
            }
            // A reference must never name an object that is not (yet) fully
            // stored: this also catches a pack that was not indexed.
            git_commit_free(try lookupCommit(update.new))
        }
        guard !updates.isEmpty else { return }

        var transaction: OpaquePointer?
        try check(git_transaction_new(&transaction, pointer), what)
        // Freeing an uncommitted transaction releases its locks unchanged.
        defer { git_transaction_free(transaction) }
        // A fixed order keeps two writers from each holding half the locks
        // forever; libgit2's locks do not wait, so at worst one gives up.
        let sorted = updates.sorted { $0.name < $1.name }
        for update in sorted {
            do {
                try check(git_transaction_lock_ref(transaction, update.name), "could not lock \(update.name)")
            } catch  where error.kind == .locked {
                // libgit2 says only that the lock failed: which file, and what to do.
                let file = String(cString: git_repository_commondir(pointer)) + update.name + ".lock"
                throw GitError(
                    .locked, "could not move \(update.name)",
                    "\(file) exists: a git command is moving it now, or one was killed while it did. "
                        + "If no git command is running in this repository, delete that file and run again",
                    code: error.code)
            }
        }
        for update in sorted {
            let current = try resolve(reference: update.name)
            guard current == update.expected else {
                throw GitError(
                    .referenceMoved, what,
                    "\(update.name) is at \(current?.hex ?? "nothing") instead of \(update.expected?.hex ?? "nothing")")
            }
            var target = update.new.gitOID
            try check(
                git_transaction_set_target(transaction, update.name, &target, nil, update.message),
                "could not prepare to move \(update.name) to \(update.new)")
        }
        try check(git_transaction_commit(transaction), what)
    }
}

/// Only direct references under "refs/" may be moved: writing "HEAD" here
/// would replace the symbolic HEAD with a detached one.
func validateBranchReference(_ ref: String, _ what: String) throws(GitError) {
    try requireNoNUL(ref, what)
    var valid: Int32 = 0
    try check(git_reference_name_is_valid(&valid, ref), what)
    guard valid == 1, ref.hasPrefix("refs/") else {
        throw GitError(.invalid, what, "\(ref.debugDescription) is not a valid reference name under refs/")
    }
}
