internal import CLibGit2

extension Repository {
    /// Stores `bytes` as a blob and returns its id. Storing the same bytes
    /// twice is harmless: git names objects by their content.
    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        // An empty array may have no storage; libgit2 wants a real pointer.
        let content = bytes.isEmpty ? [UInt8(0)] : bytes
        let code = content.withUnsafeBytes { buffer in
            if let backend = blobBackend {
                return supportsync_git_backend_write(backend, &oid, buffer.baseAddress, bytes.count, GIT_OBJECT_BLOB)
            }
            return git_blob_create_from_buffer(&oid, pointer, buffer.baseAddress, bytes.count)
        }
        try check(code, "could not write a blob of \(bytes.count) bytes")
        return ObjectID(oid)
    }

    /// Whether objects of this repository were left out at clone time (a
    /// partial clone: `extensions.partialClone` names the remote that has them).
    public var isPartialClone: Bool {
        ((try? configValue("extensions.partialclone")) ?? nil) != nil
    }

    /// The content of the blob `id`.
    /// - Throws: `.notFound` when there is no blob with that id.
    public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        let blob = try lookupBlob(id)
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// The blob `id`; the caller frees it. A blob a partial clone left out
    /// is said to be one, with what to do.
    /// - Throws: `.notFound` when there is no blob with that id.
    func lookupBlob(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.gitOID
        var blob: OpaquePointer?
        do {
            try check(git_blob_lookup(&blob, pointer, &oid), "could not read the blob \(id)")
        } catch  where error.kind == .notFound && isPartialClone {
            throw GitError(
                .notFound, "could not read the blob \(id)",
                "this is a partial clone (cloned with --filter), which leaves out blobs that libgit2 cannot fetch when they are needed: clone without --filter (in actions/checkout, leave out filter:)"
            )
        }
        return blob!
    }

    /// The content of the file at `path` (slash-separated, from the root) in
    /// `commit`; nil when nothing is there.
    /// - Throws: `.notFound` when `commit` is not a commit here; `.invalid`
    ///   when `path` is malformed or names a folder or submodule.
    public func blob(at path: String, in commit: ObjectID) throws(GitError) -> [UInt8]? {
        try validateTreePath(path)
        let tree = try tree(of: commit)
        defer { git_tree_free(tree) }
        guard let entry = try treeEntry(at: path, in: tree) else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
            throw GitError(.invalid, "could not read \(path) in \(commit)", "it is a folder or submodule, not a file")
        }
        return try blob(ObjectID(git_tree_entry_id(entry)))
    }

    /// The root tree of `commit`; the caller frees it.
    func tree(of commit: ObjectID) throws(GitError) -> OpaquePointer {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, object), "could not read the tree of \(commit)")
        return tree!
    }

    /// The entry at `path` in `tree`, nil when there is none; the caller frees it.
    func treeEntry(at path: String, in tree: OpaquePointer) throws(GitError) -> OpaquePointer? {
        var entry: OpaquePointer?
        do {
            try check(git_tree_entry_bypath(&entry, tree, path), "could not look up \(path)")
        } catch  where error.kind == .notFound {
            return nil
        }
        return entry
    }
}

/// Refuses paths git would store oddly or that could step outside the tree,
/// with a clearer message than libgit2's: they must be slash-separated,
/// relative, and free of empty, "." and ".." parts.
func validateTreePath(_ path: String) throws(GitError) {
    func refuse(_ reason: String) -> GitError {
        GitError(.invalid, "could not use the path \(path.debugDescription)", reason)
    }
    try requireNoNUL(path, "could not use a path")
    if path.isEmpty { throw refuse("the path is empty") }
    // Byte by byte (a pull checks every path several times): each part
    // between slashes, by its length and whether it is all dots.
    var length = 0
    var dots = 0
    for byte in path.utf8 {
        if byte == UInt8(ascii: "/") {
            if let reason = refusal(length: length, dots: dots) { throw refuse(reason) }
            (length, dots) = (0, 0)
        } else {
            length += 1
            if byte == UInt8(ascii: ".") { dots += 1 }
        }
    }
    if let reason = refusal(length: length, dots: dots) { throw refuse(reason) }
}

/// Why a path's part of `length` bytes, `dots` of them dots, is refused.
private func refusal(length: Int, dots: Int) -> String? {
    if length == 0 { return "it must be relative, with no empty parts (no leading, trailing or double '/')" }
    if length <= 2, dots == length { return "it must not contain '.' or '..' parts" }
    return nil
}
