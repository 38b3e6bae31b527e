internal import CLibGit2

/// libgit2's in-memory object backend (`git2/sys/mempack.h`), behind a
/// backend that records each object written (`shim.h`), so that a pack holds
/// exactly the objects written and nothing they refer to.
struct Mempack {
    /// The in-memory store: reset to free what it holds.
    let store: UnsafeMutablePointer<git_odb_backend>
    /// The backend to add to an object database and write through; the
    /// database frees it, and the store with it.
    let backend: UnsafeMutablePointer<git_odb_backend>

    init() throws(GitError) {
        try ensureLibgit2()
        var store: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&store), "could not create an in-memory object store")
        guard let backend = supportsync_recording_backend_new(store) else {
            store!.pointee.free(store)
            throw GitError(.failed, "could not create an in-memory object store", "out of memory")
        }
        self.store = store!
        self.backend = backend
    }

    /// Every object written through `backend`, as one pack: each stored
    /// whole or as a delta, as the repository's pack settings say.
    func pack(of repository: OpaquePointer, into buffer: inout git_buf) throws(GitError) {
        let what = "could not pack the objects written in memory"
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, repository), what)
        defer { git_packbuilder_free(builder) }
        _ = git_packbuilder_set_threads(builder, 1)
        for index in 0..<supportsync_recording_count(backend) {
            // An object written twice is packed once: the builder skips ids it holds.
            try check(git_packbuilder_insert(builder, supportsync_recording_id(backend, index), nil), what)
        }
        try check(git_packbuilder_write_buf(&buffer, builder), what)
    }

    /// Forgets the objects held in memory.
    func reset() throws(GitError) {
        try check(git_mempack_reset(store), "could not clear the in-memory object store")
    }
}
