internal import CLibGit2

/// Why a git operation failed: what this module was doing, what libgit2 said,
/// and a `kind` callers can branch on without parsing messages.
public struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failures callers are expected to react to differently.
    public enum Kind: Sendable, Hashable {
        /// The repository, object, reference or path does not exist.
        case notFound
        /// Something with that name already exists.
        case alreadyExists
        /// A compare-and-swap lost: the reference no longer points where the
        /// caller expected (it moved, was created, or was deleted meanwhile).
        /// Re-read the tip, rebuild, and try again.
        case referenceMoved
        /// A lock file is held, usually by another writer right now; a stale
        /// lock left by a crash needs removing by hand.
        case locked
        /// The input was refused: a bad path, name, signature or revision.
        case invalid
        /// The repository belongs to another user and libgit2 refuses to open
        /// it (git's `safe.directory` rule).
        case unsafeOwnership
        /// Anything else libgit2 reported.
        case failed
    }

    public let kind: Kind
    /// What this module was doing, e.g. "could not open the repository at /x".
    public let operation: String
    /// libgit2's own explanation, or ours for checks made before calling it.
    public let message: String
    /// libgit2's return code; 0 when the error comes from this module's checks.
    public let code: Int

    init(_ kind: Kind, _ operation: String, _ message: String, code: Int = 0) {
        self.kind = kind
        self.operation = operation
        self.message = message
        self.code = code
    }

    public var description: String { "\(operation): \(message)" }
}

/// Turns a libgit2 return code into a `GitError`. It must be called directly
/// after the call that produced `code`: libgit2 keeps the error message in
/// thread-local storage, so it is read here, synchronously, before anything
/// else can replace it (and never after an `await`, which may change thread).
@discardableResult
func check(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) -> Int32 {
    guard code < 0 else { return code }
    var message = "libgit2 error \(code)"
    var klass = Int32(GIT_ERROR_NONE.rawValue)
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
        klass = last.pointee.klass
    }
    // Cleared so a later failure that sets no message of its own cannot be
    // reported with this one's text.
    git_error_clear()
    throw GitError(kind(for: code, klass: klass), what(), message, code: Int(code))
}

private func kind(for code: Int32, klass: Int32) -> GitError.Kind {
    switch code {
    case GIT_ENOTFOUND.rawValue: return .notFound
    case GIT_EEXISTS.rawValue: return .alreadyExists
    case GIT_EMODIFIED.rawValue: return .referenceMoved
    case GIT_ELOCKED.rawValue: return .locked
    case GIT_EOWNER.rawValue: return .unsafeOwnership
    case GIT_EINVALIDSPEC.rawValue, GIT_EINVALID.rawValue: return .invalid
    default:
        // Many input checks (bad signature, bad reference name) return the
        // generic -1 and only say what they are through the error class.
        return klass == Int32(GIT_ERROR_INVALID.rawValue) ? .invalid : .failed
    }
}
