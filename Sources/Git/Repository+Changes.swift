internal import CLibGit2

/// A file that differs between two commits.
public struct FileChange: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case added
        case modified
        case deleted
    }

    /// Slash-separated, from the root.
    public let path: String
    public let kind: Kind
    /// The blob before the change; nil when added.
    public let oldBlob: ObjectID?
    /// The blob after the change; nil when deleted. For a submodule, the
    /// id is the commit it names, which is no blob.
    public let newBlob: ObjectID?
    /// Whether the entry is a submodule (a commit of another repository),
    /// not a file: after the change, or before it for a deletion. Its id
    /// cannot be read as a blob then.
    public let isSubmodule: Bool
    /// Whether the entry after the change is a plain file: not executable,
    /// not a symbolic link, not a submodule. False for a deletion.
    public let isPlainFile: Bool

    public init(
        path: String, kind: Kind, oldBlob: ObjectID?, newBlob: ObjectID?, isSubmodule: Bool = false,
        isPlainFile: Bool? = nil
    ) {
        self.path = path
        self.kind = kind
        self.oldBlob = oldBlob
        self.newBlob = newBlob
        self.isSubmodule = isSubmodule
        self.isPlainFile = isPlainFile ?? (newBlob != nil && !isSubmodule)
    }
}

extension Repository {
    /// The files that differ between the trees of `old` and `new` at or below
    /// `prefix`, sorted by path, like `git diff --name-status old new -- prefix`
    /// without rename detection.
    ///
    /// A mode-only change (a file made executable) is `.modified` with equal
    /// blob ids. A file replaced by a symbolic link or a folder is reported
    /// as deleted and the new entries as added, since git's "type change"
    /// is not one of the kinds callers handle.
    ///
    /// - Parameters:
    ///   - old: nil compares against an empty tree, so every file is added.
    ///   - prefix: a folder ("tickets" or "tickets/") or a single file; it
    ///     matches whole path parts only ("tickets" does not match
    ///     "tickets-index"), and glob characters have no special meaning.
    ///     Empty for the whole tree.
    /// - Throws: `.notFound` when a commit is missing; `.invalid` for a
    ///   malformed prefix.
    public func changes(from old: ObjectID?, to new: ObjectID, under prefix: String) throws(GitError) -> [FileChange] {
        let folder = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        if !folder.isEmpty { try validateTreePath(folder) }
        let what = "could not compare \(old?.hex ?? "an empty tree") with \(new)"

        var oldTree: OpaquePointer?
        defer { git_tree_free(oldTree) }
        if let old { oldTree = try tree(of: old) }
        let newTree = try tree(of: new)
        defer { git_tree_free(newTree) }

        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), what)
        // Exact paths, not globs: the iterators then skip everything outside
        // the prefix instead of matching every entry against a pattern.
        options.flags = GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
        var diff: OpaquePointer?
        try withStrarray(folder.isEmpty ? [] : [folder]) { (pathspec) throws(GitError) in
            options.pathspec = pathspec
            try check(git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &options), what)
        }
        defer { git_diff_free(diff) }

        return (0..<git_diff_num_deltas(diff)).compactMap { index in
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { return nil }
            let oldID = ObjectID(delta.old_file.id)
            let newID = ObjectID(delta.new_file.id)
            let isSubmodule =
                UInt32(delta.status == GIT_DELTA_DELETED ? delta.old_file.mode : delta.new_file.mode)
                == GIT_FILEMODE_COMMIT.rawValue
            let isPlainFile =
                delta.status != GIT_DELTA_DELETED && UInt32(delta.new_file.mode) == GIT_FILEMODE_BLOB.rawValue
            switch delta.status {
            case GIT_DELTA_ADDED:
                return FileChange(
                    path: String(cString: delta.new_file.path), kind: .added, oldBlob: nil, newBlob: newID,
                    isSubmodule: isSubmodule, isPlainFile: isPlainFile)
            case GIT_DELTA_DELETED:
                return FileChange(
                    path: String(cString: delta.old_file.path), kind: .deleted, oldBlob: oldID, newBlob: nil,
                    isSubmodule: isSubmodule, isPlainFile: false)
            default:
                return FileChange(
                    path: String(cString: delta.new_file.path), kind: .modified, oldBlob: oldID, newBlob: newID,
                    isSubmodule: isSubmodule, isPlainFile: isPlainFile)
            }
        }
    }
}
