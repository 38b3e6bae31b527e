internal import CLibGit2
import Foundation

extension Repository {
    /// Runs `body` with a second handle on this repository whose object
    /// writes (blobs, trees, commits) are held in memory, then stores them
    /// all as one pack in `objects/pack` instead of one loose file each:
    /// for thousands of objects this is far fewer files, fsyncs and inodes.
    ///
    /// When this returns, the pack and its index are completely written and
    /// renamed into place, so every object is readable through this
    /// repository and any other handle or process. Move references only
    /// after that, with the returned ids: a reference must never name an
    /// object that a crash could lose. No reference moved inside `body`
    /// (through the handle it receives) is safe in that sense, so don't.
    ///
    /// Objects `body` writes can be read back through its handle at once.
    /// If `body` throws, nothing is written. The handle must not be used
    /// after `body` returns.
    ///
    /// ```swift
    /// let created = try repository.withPackedWrites { packed in
    ///     let blob = try packed.writeBlob(bytes)
    ///     return try packed.createCommit(parent: tip, treeUpdates: [(path, blob)], message: m, author: a)
    /// }
    /// try repository.updateReferences([ReferenceUpdate(name: ref, expected: tip, new: created.commit, message: m)])
    /// ```
    ///
    /// - Throws: what `body` throws, or `GitError` when packing fails.
    public func withPackedWrites<R>(_ body: (Repository) throws -> R) throws -> R {
        // A separate handle, because libgit2 cannot remove a backend from an
        // object database: after this call the handle, and the in-memory
        // store with it, is simply freed.
        let scratch = try Repository.open(at: gitDirectory)
        let storedWhole = try scratch.storeObjectsWhole()
        defer { try? FileManager.default.removeItem(at: storedWhole) }
        var database: OpaquePointer?
        try check(git_repository_odb(&database, scratch.pointer), "could not open the object database")
        defer { git_odb_free(database) }
        let mempack = try Mempack()
        let backend = mempack.backend
        // Above every disk backend (loose 1, packs 2), so writes go here.
        let added = git_odb_add_backend(database, backend, 1000)
        if added < 0 { backend.pointee.free(backend) }
        try check(added, "could not add the in-memory object store")
        // Blobs, the bulk of the objects, go straight into it (see `writeBlob`).
        scratch.blobBackend = backend

        let result = try body(scratch)

        // Linked worktrees share the main repository's objects.
        let folder = String(cString: git_repository_commondir(pointer)) + "objects/pack"
        try mempack.write(of: scratch.pointer, into: folder)
        try mempack.reset()
        return result
    }

    /// Makes this handle's packs store every object whole (compressed, no
    /// delta search), as `git add` stores loose objects: a pull's thousands of
    /// new ticket files pack in a fraction of the time, and sealed values,
    /// which are ciphertext, would not delta well anyway. `git gc` finds
    /// deltas later. The setting is an application-level config of this
    /// handle only, in a temporary file (returned, for the caller to remove);
    /// the repository's own config is not touched.
    ///
    /// `pack.bigFileThreshold` is the setting meant; libgit2 1.5 reads the
    /// threshold from `pack.deltaCacheSize`, so both are set.
    private func storeObjectsWhole() throws(GitError) -> URL {
        let what = "could not configure the pack"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-pack-\(UUID().uuidString).config")
        let text = "[pack]\n\tbigFileThreshold = 1\n\tdeltaCacheSize = 1\n"
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8)) else {
            throw GitError(.failed, what, "cannot write \(file.path)")
        }
        var config: OpaquePointer?
        try check(git_repository_config(&config, pointer), what)
        defer { git_config_free(config) }
        try check(git_config_add_file_ondisk(config, file.path, GIT_CONFIG_LEVEL_APP, pointer, 0), what)
        return file
    }
}
