internal import CLibGit2
import Foundation

/// A file in a commit's tree.
public struct TreeFile: Sendable, Hashable {
    /// Slash-separated, from the root.
    public let path: String
    public let blob: ObjectID
}

extension Repository {
    /// Every file (blob) under `prefix` in `commit`'s tree, in tree order.
    /// An empty list when `prefix` does not exist.
    public func files(under prefix: String, in commit: ObjectID) throws(GitError) -> [TreeFile] {
        let root = try tree(of: commit)
        defer { git_tree_free(root) }
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        var start: OpaquePointer? = root
        var owned: OpaquePointer?
        defer { git_tree_free(owned) }
        if !trimmed.isEmpty {
            guard let entry = try treeEntry(at: trimmed, in: root) else { return [] }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
            try check(
                git_tree_lookup(&owned, pointer, git_tree_entry_id(entry)), "could not read the folder \(trimmed)")
            start = owned
        }
        let collector = FileCollector(prefix: trimmed.isEmpty ? "" : trimmed + "/")
        let box = Unmanaged.passUnretained(collector).toOpaque()
        try check(
            git_tree_walk(
                start, GIT_TREEWALK_PRE,
                { root, entry, payload in
                    guard let entry, let payload, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return 0 }
                    let collector = Unmanaged<FileCollector>.fromOpaque(payload).takeUnretainedValue()
                    let name = String(cString: git_tree_entry_name(entry))
                    let folder = root.map { String(cString: $0) } ?? ""
                    collector.files.append(
                        TreeFile(path: collector.prefix + folder + name, blob: ObjectID(git_tree_entry_id(entry))))
                    return 0
                }, box),
            "could not list the files under \(prefix)")
        return collector.files
    }

    /// The names at the root of `commit`'s tree that `matches`, in the tree's order.
    public func rootNames(in commit: ObjectID, where matches: (String) -> Bool) throws(GitError) -> [String] {
        let root = try tree(of: commit)
        defer { git_tree_free(root) }
        var names: [String] = []
        for index in 0..<git_tree_entrycount(root) {
            guard let entry = git_tree_entry_byindex(root, index) else { continue }
            let entryName = String(cString: git_tree_entry_name(entry))
            if matches(entryName) { names.append(entryName) }
        }
        return names
    }

    /// The branch HEAD points at (`refs/heads/main`), also when it has no
    /// commit yet; nil when HEAD is detached.
    public func headReference() throws(GitError) -> String? {
        try symbolicTarget(of: "HEAD")
    }

    /// Whether `branch` (a full name, `refs/heads/main`) is the checked-out
    /// branch of this repository or of any of its worktrees, as git asks
    /// before it moves a branch. False when no such branch exists.
    public func isCheckedOut(branch: String) throws(GitError) -> Bool {
        if try withReference(branch, { git_branch_is_checked_out($0) == 1 }) ?? false { return true }
        // A worktree rebasing or bisecting the branch has it checked out
        // too, as git counts it (`git branch -f` refuses it): its HEAD is
        // detached meanwhile, and `git rebase --continue` would fail on a
        // branch moved under it.
        return worktreeGitDirectories().contains { Self.isRebasingOrBisecting(branch, gitDirectory: $0) }
    }

    /// The git directory of each worktree: the main one (the common
    /// directory) and each linked one's, with a trailing slash.
    private func worktreeGitDirectories() -> [String] {
        let common = String(cString: git_repository_commondir(pointer))
        var names = git_strarray()
        guard git_worktree_list(&names, pointer) == 0 else { return [common] }
        defer { git_strarray_dispose(&names) }
        return [common]
            + (0..<names.count).compactMap { index in
                names.strings[index].map { common + "worktrees/" + String(cString: $0) + "/" }
            }
    }

    /// Whether the worktree whose git directory is `gitDirectory` is in the
    /// middle of rebasing `branch` (a full name) or of bisecting from it.
    static func isRebasingOrBisecting(_ branch: String, gitDirectory: String) -> Bool {
        func text(_ name: String) -> String? {
            FileManager.default.contents(atPath: gitDirectory + name).map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        if [text("rebase-merge/head-name"), text("rebase-apply/head-name")].contains(branch) { return true }
        // BISECT_START holds the branch bisecting started from, by its short name.
        // (with BISECT_LOG, as git tells a bisect under way).
        if let start = text("BISECT_START"), text("BISECT_LOG") != nil, branch.hasPrefix("refs/heads/") {
            return start == String(branch.dropFirst("refs/heads/".count)) || start == branch
        }
        return false
    }

    /// What the symbolic reference `name` points at (`HEAD` ->
    /// `refs/heads/main`, also when that branch has no commit yet); nil when
    /// `name` does not exist or is not symbolic.
    public func symbolicTarget(of name: String) throws(GitError) -> String? {
        try withReference(name) { reference in
            guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC,
                let target = git_reference_symbolic_target(reference)
            else {
                return nil
            }
            return String(cString: target)
        } ?? nil
    }

    /// `body` of the reference `name`, or nil when it does not exist (or
    /// is no valid name).
    private func withReference<T>(_ name: String, _ body: (OpaquePointer?) -> T) throws(GitError) -> T? {
        try requireNoNUL(name, "could not read \(name)")
        var reference: OpaquePointer?
        do {
            try check(git_reference_lookup(&reference, pointer, name), "could not read \(name)")
        } catch  where error.kind == .notFound || error.kind == .invalid {
            return nil
        }
        defer { git_reference_free(reference) }
        return body(reference)
    }
}

private final class FileCollector {
    let prefix: String
    var files: [TreeFile] = []

    init(prefix: String) {
        self.prefix = prefix
    }
}
