internal import CLibGit2

/// libgit2's in-memory object backend (`git2/sys/mempack.h`).
struct Mempack {
    init() throws(GitError) {
        try ensureLibgit2()
    }

    /// A new backend (`git_odb_backend *`); the odb it is added to frees it.
    func newBackend() throws(GitError) -> OpaquePointer {
        var backend: OpaquePointer?
        try check(git_mempack_new(&backend), "could not create an in-memory object store")
        return backend!
    }

    /// Every object written to `backend` since the last reset, as one pack.
    func dump(_ backend: OpaquePointer, of repository: OpaquePointer, into buffer: inout git_buf) throws(GitError) {
        try check(git_mempack_dump(&buffer, repository, backend), "could not pack the objects written in memory")
    }

    /// Forgets the objects held in memory.
    func reset(_ backend: OpaquePointer) throws(GitError) {
        try check(git_mempack_reset(backend), "could not clear the in-memory object store")
    }
}
