internal import CLibGit2

extension Repository {
    /// The commit a revision names, in git's revision syntax: a branch or
    /// remote-tracking name ("main", "origin/main"), a full reference name,
    /// "HEAD~2", "main^2", a full or abbreviated hex id, a tag (peeled to its
    /// commit).
    /// - Returns: nil when the syntax is fine but nothing by that name exists
    ///   (no such branch, "HEAD~9" past the root, HEAD on an unborn branch).
    /// - Throws: `.invalid` for bad syntax, an abbreviated id that matches
    ///   several objects, or a revision naming a tree or blob.
    public func revparse(_ spec: String) throws(GitError) -> ObjectID? {
        let what = "could not resolve the revision \(spec.debugDescription)"
        try requireNoNUL(spec, what)
        var object: OpaquePointer?
        do {
            try check(git_revparse_single(&object, pointer, spec), what)
        } catch  where error.kind == .notFound || error.code == Int(GIT_EUNBORNBRANCH.rawValue) {
            return nil
        } catch  where error.code == Int(GIT_EAMBIGUOUS.rawValue) {
            throw GitError(.invalid, what, error.message, code: error.code)
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        do {
            try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), what)
        } catch {
            // A tree or blob cannot become a commit: the caller named the
            // wrong kind of thing, whatever code libgit2 picked to say so.
            throw GitError(.invalid, what, error.message, code: error.code)
        }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The commits reachable from `tip` but from none of `excluded`, like
    /// `git rev-list --topo-order tip ^excluded...`, in the same order:
    /// children before their parents, newest first along each line.
    ///
    /// In a shallow clone the boundary commits count as roots, as for git.
    /// - Throws: `.notFound` when `tip` or an excluded id is not a commit.
    public func commits(from tip: ObjectID, excluding excluded: [ObjectID] = []) throws(GitError) -> [CommitInfo] {
        var result: [CommitInfo] = []
        for id in try CommitGraph(self).range(from: tip, excluding: excluded) {
            result.append(try commit(id))
        }
        return result
    }
}

extension Repository {
    /// The best common ancestor of `one` and `other` (`git merge-base`), or
    /// nil when they share no history.
    public func mergeBase(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> ObjectID? {
        var result = git_oid()
        var a = one.gitOID
        var b = other.gitOID
        let code = git_merge_base(&result, pointer, &a, &b)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "could not find the merge base of \(one) and \(other)")
        return ObjectID(result)
    }
}

extension Repository {
    /// Whether the repository has the commit `id` (a clone may name one it never fetched).
    public func hasCommit(_ id: ObjectID) -> Bool {
        var oid = id.gitOID
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, pointer, &oid) == 0 else { return false }
        git_commit_free(commit)
        return true
    }

    /// Whether `commit` is `tip` or one of its ancestors (`git merge-base
    /// --is-ancestor`): whether the branch at `tip` holds it.
    public func holds(_ commit: ObjectID, at tip: ObjectID) throws(GitError) -> Bool {
        guard commit != tip else { return true }
        var descendant = tip.gitOID
        var ancestor = commit.gitOID
        let code = git_graph_descendant_of(pointer, &descendant, &ancestor)
        try check(code, "could not tell whether \(tip) descends from \(commit)")
        return code == 1
    }
}

extension Repository {
    /// Every commit the branch at `tip` holds: `tip` and its ancestors
    /// (`git rev-list tip`), in one walk, to answer many `holds` at once.
    public func ancestry(of tip: ObjectID) throws(GitError) -> Set<ObjectID> {
        try CommitGraph(self).ancestors(of: [tip])
    }
}

extension Repository {
    /// Every best common ancestor of `one` and `other` (`git merge-base
    /// --all`): more than one after a criss-cross merge, where each side
    /// merged the other. The first is `mergeBase(_:_:)`'s. Empty when they
    /// share no history.
    public func mergeBases(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> [ObjectID] {
        var result = git_oidarray()
        var a = one.gitOID
        var b = other.gitOID
        let code = git_merge_bases(&result, pointer, &a, &b)
        if code == GIT_ENOTFOUND.rawValue { return [] }
        try check(code, "could not find the merge bases of \(one) and \(other)")
        defer { git_oidarray_dispose(&result) }
        return (0..<result.count).map { ObjectID(result.ids[$0]) }
    }
}
