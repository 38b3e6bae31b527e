internal import CLibGit2
import Foundation

/// An open git repository. It owns libgit2's handle and frees it when the
/// last reference goes away.
///
/// Not `Sendable`: libgit2 allows a repository handle on one thread at a
/// time, so each task or thread opens its own.
public final class Repository {
    let pointer: OpaquePointer
    /// Set on the handle `withPackedWrites` gives its body: the in-memory
    /// store that `writeBlob` writes to directly.
    var blobBackend: UnsafeMutablePointer<git_odb_backend>?

    private init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Opens the repository at `path`: a working tree's root, its `.git`
    /// directory, or a bare repository. Does not search parent folders.
    /// - Throws: `GitError` of kind `.notFound` when `path` is not a repository.
    public static func open(at path: String) throws(GitError) -> Repository {
        try ensureLibgit2()
        try requireNoNUL(path, "could not open a repository")
        var repository: OpaquePointer?
        try check(
            git_repository_open_ext(&repository, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "could not open the repository at \(path)")
        return Repository(owning: repository!)
    }

    /// Finds the repository that contains `path`, searching it and then its
    /// parent folders the way `git` does, and opens it.
    /// - Parameter ceilings: folders the search does not go above (it still
    ///   looks inside them), like `GIT_CEILING_DIRECTORIES`.
    /// - Returns: nil when neither `path` nor any folder above it, up to the
    ///   ceilings, is in a repository.
    public static func discover(from path: String, stoppingAt ceilings: [String] = []) throws(GitError) -> Repository? {
        try ensureLibgit2()
        try requireNoNUL(path, "could not look for a repository")
        var repository: OpaquePointer?
        // libgit2 takes ceilings as one string in PATH style.
        let ceilingList = ceilings.isEmpty ? nil : ceilings.joined(separator: ":")
        do {
            try check(
                git_repository_open_ext(&repository, path, 0, ceilingList),
                "could not look for a repository from \(path)")
        } catch  where error.kind == .notFound {
            return nil
        }
        return Repository(owning: repository!)
    }

    /// Creates a repository at `path` (making missing folders), or reopens
    /// the one already there, as `git init` does.
    /// - Parameter initialBranch: the branch HEAD names, e.g. "main"; nil
    ///   keeps git's choice (`init.defaultBranch`, else "master").
    public static func create(at path: String, bare: Bool = false, initialBranch: String? = nil) throws(GitError)
        -> Repository
    {
        try ensureLibgit2()
        try requireNoNUL(path, "could not create a repository")
        var options = git_repository_init_options()
        try check(
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "could not prepare to create a repository")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | (bare ? GIT_REPOSITORY_INIT_BARE.rawValue : 0)
        var repository: OpaquePointer?
        try withCStrings(initialBranch.map { [$0] } ?? []) { (strings) throws(GitError) in
            options.initial_head = strings.first
            try check(
                git_repository_init_ext(&repository, path, &options),
                "could not create a repository at \(path)")
        }
        return Repository(owning: repository!)
    }

    /// True for a repository without a working tree.
    public var isBare: Bool {
        git_repository_is_bare(pointer) != 0
    }

    /// The operation the working tree is in the middle of (`a merge`, `a
    /// rebase`, ...), as git's `status` would say; nil when there is none,
    /// or a bisect (git commits during one: it only moves HEAD).
    public var operationInProgress: String? {
        switch git_repository_state(pointer) {
        case Int32(GIT_REPOSITORY_STATE_NONE.rawValue): return nil
        case Int32(GIT_REPOSITORY_STATE_MERGE.rawValue): return "a merge"
        case Int32(GIT_REPOSITORY_STATE_REVERT.rawValue), Int32(GIT_REPOSITORY_STATE_REVERT_SEQUENCE.rawValue):
            return "a revert"
        case Int32(GIT_REPOSITORY_STATE_CHERRYPICK.rawValue), Int32(GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE.rawValue):
            return "a cherry-pick"
        case Int32(GIT_REPOSITORY_STATE_BISECT.rawValue): return nil
        case Int32(GIT_REPOSITORY_STATE_APPLY_MAILBOX.rawValue): return "an am"
        default: return "a rebase"
        }
    }

    /// True when history is cut short (a `git clone --depth` clone): walks
    /// of history stop at the shallow boundary instead of the first commit.
    public var isShallow: Bool {
        get throws(GitError) {
            try check(git_repository_is_shallow(pointer), "could not tell whether the repository is shallow") == 1
        }
    }

    /// The working tree's root, without a trailing slash; nil when bare.
    public var workdir: String? {
        git_repository_workdir(pointer).map { Self.trimmingSlash(String(cString: $0)) }
    }

    /// The folder holding git's own files (`.git`, or the bare repository
    /// itself), without a trailing slash.
    public var gitDirectory: String {
        Self.trimmingSlash(String(cString: git_repository_path(pointer)))
    }

    /// The commit HEAD points at; nil while its branch is unborn (a new
    /// repository before its first commit).
    public func head() throws(GitError) -> ObjectID? {
        try resolve(reference: "HEAD")
    }

    /// What the reference `name` (a full name such as "refs/heads/main", or
    /// "HEAD") points at, following symbolic references; nil when it does
    /// not exist or leads to an unborn branch. Tags are not peeled.
    public func resolve(reference name: String) throws(GitError) -> ObjectID? {
        try requireNoNUL(name, "could not read a reference")
        var oid = git_oid()
        do {
            try check(git_reference_name_to_id(&oid, pointer, name), "could not read the reference \(name)")
        } catch  where error.kind == .notFound {
            return nil
        }
        return ObjectID(oid)
    }

    /// A configuration value as git would see it here (repository, global
    /// and system files); nil when unset.
    public func configValue(_ key: String) throws(GitError) -> String? {
        try requireNoNUL(key, "could not read the configuration")
        // Only a snapshot hands out strings whose lifetime we control.
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, pointer), "could not read the configuration")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        do {
            try check(git_config_get_string(&value, config, key), "could not read \(key) from the configuration")
        } catch  where error.kind == .notFound {
            return nil
        }
        return String(cString: value!)
    }

    /// Whether the checkout is sparse (files of the branch may be left out
    /// of the working tree): `core.sparseCheckout` in the configuration, or
    /// in the worktree's own `config.worktree`, where `git sparse-checkout`
    /// writes it and which this libgit2 does not read.
    public var isSparseCheckout: Bool {
        func isOn(_ config: OpaquePointer?) -> Bool {
            var value: Int32 = 0
            return git_config_get_bool(&value, config, "core.sparseCheckout") == 0 && value != 0
        }
        var config: OpaquePointer?
        if git_repository_config_snapshot(&config, pointer) == 0 {
            defer { git_config_free(config) }
            if isOn(config) { return true }
        }
        var worktree: OpaquePointer?
        guard git_config_open_ondisk(&worktree, gitDirectory + "/config.worktree") == 0 else { return false }
        defer { git_config_free(worktree) }
        return isOn(worktree)
    }

    /// The signature git would use here: `user.name` and `user.email` from
    /// the configuration, dated `date`; nil unless both are set and not empty.
    /// The `GIT_AUTHOR_*` environment variables are not consulted.
    public func defaultSignature(date: Date = Date()) throws(GitError) -> Signature? {
        guard let name = try configValue("user.name"), let email = try configValue("user.email") else { return nil }
        let trimmedName = name.trimmingCharacters(in: .whitespaces)
        let trimmedEmail = email.trimmingCharacters(in: .whitespaces)
        guard !trimmedName.isEmpty, !trimmedEmail.isEmpty else { return nil }
        return Signature(name: trimmedName, email: trimmedEmail, date: date)
    }

    private static func trimmingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
