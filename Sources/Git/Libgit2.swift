internal import CLibGit2
import Foundation

/// Runs `git_libgit2_init` once per process. A global `let` is initialised
/// lazily under `swift_once`, which makes this thread-safe without a lock.
/// libgit2 is never shut down: handles may outlive any scope we could pick.
private let libgit2Initialised: Bool =
    git_libgit2_init() >= 0 && supportsync_git_configure() == 0

/// Call before the first libgit2 call of every entry point that can be
/// reached without an existing `Repository`.
func ensureLibgit2() throws(GitError) {
    guard libgit2Initialised else {
        throw GitError(.failed, "could not start libgit2", "git_libgit2_init failed")
    }
}

/// Calls `body` with NUL-terminated copies of `strings` that stay valid for
/// the whole call, for C structures that hold several string pointers.
func withCStrings<R>(
    _ strings: [String], _ body: ([UnsafePointer<CChar>]) throws(GitError) -> R
) throws(GitError) -> R {
    var buffers: [UnsafeMutablePointer<CChar>] = []
    buffers.reserveCapacity(strings.count)
    defer { for buffer in buffers { buffer.deallocate() } }
    for string in strings {
        let utf8 = Array(string.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        buffer.initialize(from: utf8, count: utf8.count)
        buffers.append(buffer)
    }
    return try body(buffers.map { UnsafePointer($0) })
}

/// Rejects NUL bytes, which C would silently treat as the end of the string.
func requireNoNUL(_ value: String, _ what: @autoclosure () -> String) throws(GitError) {
    if value.utf8.contains(0) {
        throw GitError(.invalid, what(), "\(value.debugDescription) contains a NUL byte")
    }
}

/// Calls `body` with a `git_strarray` holding copies of `strings`, for the
/// option structures (pathspecs) that take one.
func withStrarray<R>(_ strings: [String], _ body: (git_strarray) throws(GitError) -> R) throws(GitError) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for pointer in pointers { free(pointer) } }
    return try pointers.withUnsafeMutableBufferPointer { (buffer) throws(GitError) in
        try body(git_strarray(strings: buffer.baseAddress, count: buffer.count))
    }
}
