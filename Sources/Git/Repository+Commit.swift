internal import CLibGit2

extension Repository {
    /// Makes a commit from in-memory changes, without touching any working
    /// tree or index, and moves `ref` to it by compare-and-swap.
    ///
    /// The new tree is the tree of `expectedTip` (or an empty tree when it is
    /// nil) with `treeUpdates` applied; folders left empty disappear, as in
    /// git. The commit's parent is `expectedTip`. `ref` moves only if it
    /// still points at `expectedTip` (or, when that is nil, does not exist
    /// yet), checked under git's lock on the reference, so two writers
    /// cannot both succeed from the same tip.
    ///
    /// The working tree and index are not updated, even when `ref` is the
    /// checked-out branch; that is the caller's decision (`checkoutPaths`).
    /// To move several references together, build the commit with
    /// `createCommit` and move them with `updateReferences(_:)`.
    ///
    /// - Parameters:
    ///   - ref: a full reference name under "refs/", e.g. "refs/heads/main".
    ///   - treeUpdates: a blob id writes that blob as a regular file at the
    ///     path (slash-separated, from the root), creating folders; nil
    ///     removes the file, which must exist. Each path at most once.
    ///   - message: the commit message; a final newline is added if missing.
    ///   - committer: defaults to `author`.
    /// - Returns: the new commit's id.
    /// - Throws: `GitError` of kind `.referenceMoved` when `ref` is no longer
    ///   at `expectedTip` (the commit object is then left unreferenced, for
    ///   git's garbage collection); `.locked` when another writer holds the
    ///   reference's lock; `.invalid` for bad names, paths or signatures;
    ///   `.notFound` when `expectedTip`, a blob, or a file to remove is missing.
    @discardableResult
    public func commit(
        updating ref: String,
        expectedTip: ObjectID?,
        treeUpdates: [(path: String, blob: ObjectID?)],
        message: String,
        author: Signature,
        committer: Signature? = nil
    ) throws(GitError) -> ObjectID {
        try validateBranchReference(ref, "could not commit to \(ref)")
        let created = try createCommit(
            parent: expectedTip, treeUpdates: treeUpdates, message: message, author: author, committer: committer)
        let summary = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        try moveReference(ref, from: expectedTip, to: created.commit, reflogMessage: "commit: \(summary)")
        return created.commit
    }

    /// Writes a commit built from in-memory changes and moves no reference;
    /// the caller moves references afterwards, typically several at once
    /// with `updateReferences(_:)`. Nothing is checked out.
    ///
    /// The new tree is the tree of `parent` (an empty tree when nil) with
    /// `treeUpdates` applied; folders left empty disappear, as in git.
    ///
    /// - Parameters:
    ///   - parent: the first parent, whose tree the changes start from; nil
    ///     makes a root commit.
    ///   - mergedParents: further parents, making a merge commit whose tree
    ///     still starts from `parent`'s. Requires `parent`.
    ///   - treeUpdates: a blob id writes that blob as a regular file at the
    ///     path (slash-separated, from the root), creating folders; nil
    ///     removes the file, which must exist. Each path at most once.
    ///   - message: the commit message; a final newline is added if missing.
    ///   - committer: defaults to `author`.
    /// - Returns: the new commit's id and its root tree's id.
    /// - Throws: `.invalid` for bad paths, signatures or a merge without a
    ///   first parent; `.notFound` when a parent, a blob, or a file to remove
    ///   is missing.
    public func createCommit(
        parent: ObjectID?,
        mergedParents: [ObjectID] = [],
        treeUpdates: [(path: String, blob: ObjectID?)],
        message: String,
        author: Signature,
        committer: Signature? = nil
    ) throws(GitError) -> (commit: ObjectID, tree: ObjectID) {
        let what = "could not create a commit on \(parent?.hex ?? "no parent")"
        try requireNoNUL(message, what)
        if parent == nil && !mergedParents.isEmpty {
            throw GitError(.invalid, what, "a merge commit needs a first parent")
        }
        var seen = Set<String>()
        for update in treeUpdates {
            try validateTreePath(update.path)
            guard seen.insert(update.path).inserted else {
                throw GitError(.invalid, what, "\(update.path) is updated more than once")
            }
        }

        var parents: [OpaquePointer?] = []
        var baseline: OpaquePointer?
        defer {
            git_tree_free(baseline)
            for parent in parents { git_commit_free(parent) }
        }
        for id in (parent.map { [$0] } ?? []) + mergedParents {
            parents.append(try lookupCommit(id))
        }
        if let first = parents.first {
            try check(git_commit_tree(&baseline, first), "could not read the tree of \(parent!)")
        }
        try requireRemovedFilesExist(treeUpdates, in: baseline, what)

        var tree: OpaquePointer?
        // Removals first, in a tree of their own, when a file gives way to a
        // folder of the same name, or a folder to a file: libgit2 refuses
        // both in one update.
        let removals = treeUpdates.filter { $0.blob == nil }
        let replacedByFolder = removals.contains { removal in
            treeUpdates.contains {
                $0.blob != nil && ($0.path.hasPrefix(removal.path + "/") || removal.path.hasPrefix($0.path + "/"))
            }
        }
        var treeOID: git_oid
        if replacedByFolder {
            var removed = try createTree(from: baseline, applying: removals)
            var intermediate: OpaquePointer?
            try check(git_tree_lookup(&intermediate, pointer, &removed), "could not read the tree just written")
            defer { git_tree_free(intermediate) }
            treeOID = try createTree(from: intermediate, applying: treeUpdates.filter { $0.blob != nil })
        } else {
            treeOID = try createTree(from: baseline, applying: treeUpdates)
        }
        try check(git_tree_lookup(&tree, pointer, &treeOID), "could not read the tree just written")
        defer { git_tree_free(tree) }

        let fullMessage = message.isEmpty || message.hasSuffix("\n") ? message : message + "\n"
        var commitOID = git_oid()
        try author.withGitSignature { (authorSignature) throws(GitError) in
            try (committer ?? author).withGitSignature { (committerSignature) throws(GitError) in
                _ = try check(
                    git_commit_create(
                        &commitOID, pointer, nil, authorSignature, committerSignature, nil, fullMessage, tree,
                        parents.count, &parents),
                    what)
            }
        }
        return (ObjectID(commitOID), ObjectID(treeOID))
    }

    /// Points `ref` at `newTip` if it is still at `oldTip` (absent when nil).
    private func moveReference(
        _ ref: String, from oldTip: ObjectID?, to newTip: ObjectID, reflogMessage: String
    ) throws(GitError) {
        var reference: OpaquePointer?
        var new = newTip.gitOID
        let code: Int32
        if let oldTip {
            var old = oldTip.gitOID
            code = git_reference_create_matching(&reference, pointer, ref, &new, 1, &old, reflogMessage)
        } else {
            // Without force, creation fails if the reference appeared meanwhile.
            code = git_reference_create(&reference, pointer, ref, &new, 0, reflogMessage)
        }
        do {
            try check(code, "could not move \(ref) to \(newTip)")
        } catch {
            // libgit2 reports a lost race three ways: the value differs
            // (EMODIFIED), the reference vanished (ENOTFOUND), or it exists
            // when it should not (EEXISTS). Callers need just one answer.
            let lostRace: Set<GitError.Kind> = oldTip == nil ? [.alreadyExists] : [.referenceMoved, .notFound]
            guard lostRace.contains(error.kind) else { throw error }
            let now = (try? resolve(reference: ref)).flatMap { $0 }
            throw GitError(
                .referenceMoved, "could not move \(ref) to \(newTip)",
                "\(ref) is at \(now?.hex ?? "nothing") instead of \(oldTip?.hex ?? "nothing") (\(error.message))",
                code: error.code)
        }
        git_reference_free(reference)
    }

    /// Applies `updates` to `baseline` (nil for an empty tree) and writes the
    /// resulting trees.
    private func createTree(
        from baseline: OpaquePointer?, applying updates: [(path: String, blob: ObjectID?)]
    ) throws(GitError) -> git_oid {
        var treeOID = git_oid()
        try withCStrings(updates.map(\.path)) { (paths) throws(GitError) in
            var entries = zip(updates, paths).map { update, path in
                var entry = git_tree_update()
                entry.path = path
                if let blob = update.blob {
                    entry.action = GIT_TREE_UPDATE_UPSERT
                    entry.id = blob.gitOID
                    entry.filemode = GIT_FILEMODE_BLOB
                } else {
                    entry.action = GIT_TREE_UPDATE_REMOVE
                }
                return entry
            }
            try check(
                git_tree_create_updated(&treeOID, pointer, baseline, entries.count, &entries),
                "could not build the tree for \(updates.count) changes")
        }
        return treeOID
    }

    /// libgit2 reports removing a missing file only as a generic error; we
    /// check first so callers get `.notFound` and the path.
    private func requireRemovedFilesExist(
        _ updates: [(path: String, blob: ObjectID?)], in baseline: OpaquePointer?, _ what: String
    ) throws(GitError) {
        for update in updates where update.blob == nil {
            guard let baseline, let entry = try treeEntry(at: update.path, in: baseline) else {
                throw GitError(.notFound, what, "cannot remove \(update.path): there is no such file")
            }
            defer { git_tree_entry_free(entry) }
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                throw GitError(.invalid, what, "cannot remove \(update.path): it is a folder, not a file")
            }
        }
    }

    /// The commit `id`; the caller frees it.
    func lookupCommit(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.gitOID
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "could not read the commit \(id)")
        return commit!
    }
}
