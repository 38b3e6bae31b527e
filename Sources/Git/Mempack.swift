internal import CLibGit2
import Foundation

/// libgit2's in-memory object backend (`git2/sys/mempack.h`).
///
/// That header is not part of `<git2.h>`, so the CLibGit2 shim does not
/// declare these three functions; they are looked up at run time in the
/// libgit2 this process already uses, and called through C function
/// pointers with exactly the header's signatures. If the shim ever includes
/// `<git2/sys/mempack.h>`, this file reduces to direct calls.
struct Mempack {
    private typealias New = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    private typealias Dump = @convention(c) (UnsafeMutablePointer<git_buf>?, OpaquePointer?, OpaquePointer?) -> Int32
    private typealias Reset = @convention(c) (OpaquePointer?) -> Int32

    private let newFunction: New
    private let dumpFunction: Dump
    private let resetFunction: Reset

    /// Finds the functions among the libraries this process has loaded,
    /// where the linker put the libgit2 that CLibGit2 links against.
    init() throws(GitError) {
        let what = "could not find libgit2's in-memory object store"
        // A handle on the program and everything loaded with it; it never
        // loads a second copy of libgit2 with its own global state.
        guard let library = dlopen(nil, RTLD_NOW) else {
            throw GitError(.failed, what, String(cString: dlerror()))
        }
        defer { dlclose(library) }
        func lookup<F>(_ name: String, as type: F.Type) throws(GitError) -> F {
            guard let symbol = dlsym(library, name) else {
                throw GitError(.failed, what, "\(name) is not exported by the loaded libgit2")
            }
            return unsafeBitCast(symbol, to: type)
        }
        newFunction = try lookup("git_mempack_new", as: New.self)
        dumpFunction = try lookup("git_mempack_dump", as: Dump.self)
        resetFunction = try lookup("git_mempack_reset", as: Reset.self)
    }

    /// A new backend (`git_odb_backend *`); the odb it is added to frees it.
    func newBackend() throws(GitError) -> OpaquePointer {
        var backend: OpaquePointer?
        try check(newFunction(&backend), "could not create an in-memory object store")
        return backend!
    }

    /// Every object written to `backend` since the last reset, as one pack.
    func dump(_ backend: OpaquePointer, of repository: OpaquePointer, into buffer: inout git_buf) throws(GitError) {
        try check(dumpFunction(&buffer, repository, backend), "could not pack the objects written in memory")
    }

    /// Forgets the objects held in memory.
    func reset(_ backend: OpaquePointer) throws(GitError) {
        try check(resetFunction(backend), "could not clear the in-memory object store")
    }
}
