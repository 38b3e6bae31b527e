internal import CLibGit2

/// libgit2's in-memory object backend (`git2/sys/mempack.h`).
struct Mempack {
    init() throws(GitError) {
        try ensureLibgit2()
    }

    /// A new backend; the odb it is added to frees it.
    func newBackend() throws(GitError) -> UnsafeMutablePointer<git_odb_backend> {
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&backend), "could not create an in-memory object store")
        return backend!
    }

    /// Every object written to `backend` since the last reset, as one pack.
    func dump(
        _ backend: UnsafeMutablePointer<git_odb_backend>, of repository: OpaquePointer, into buffer: inout git_buf
    ) throws(GitError) {
        try check(git_mempack_dump(&buffer, repository, backend), "could not pack the objects written in memory")
    }

    /// Forgets the objects held in memory.
    func reset(_ backend: UnsafeMutablePointer<git_odb_backend>) throws(GitError) {
        try check(git_mempack_reset(backend), "could not clear the in-memory object store")
    }
}
