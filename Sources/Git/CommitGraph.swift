internal import CLibGit2
import Foundation

/// The parent links of commits, read once each, for walks this module does
/// itself rather than with libgit2's revwalk: libgit2 1.5 knows nothing of
/// shallow clones and fails at the boundary, where git treats the boundary
/// commits as roots. So do we. One instance serves one call.
final class CommitGraph {
    struct Node {
        var parents: [ObjectID]
        var tree: ObjectID
        /// Committer time, seconds since 1970.
        var time: Int64
    }

    let repository: Repository
    private let shallowRoots: Set<ObjectID>
    private var nodes: [ObjectID: Node] = [:]

    init(_ repository: Repository) throws(GitError) {
        self.repository = repository
        shallowRoots = try repository.shallowBoundary()
    }

    func node(_ id: ObjectID) throws(GitError) -> Node {
        if let known = nodes[id] { return known }
        let commit = try repository.lookupCommit(id)
        defer { git_commit_free(commit) }
        let parents =
            shallowRoots.contains(id)
            ? [] : (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0)) }
        let made = Node(parents: parents, tree: ObjectID(git_commit_tree_id(commit)), time: git_commit_time(commit))
        nodes[id] = made
        return made
    }

    /// Every commit reachable from `starts`, them included.
    func ancestors(of starts: [ObjectID]) throws(GitError) -> Set<ObjectID> {
        var reached = Set(starts)
        var pending = starts
        while let id = pending.popLast() {
            for parent in try node(id).parents where reached.insert(parent).inserted {
                pending.append(parent)
            }
        }
        return reached
    }

    /// The commits reachable from `tip` but from none of `excluded`, in the
    /// order of `git rev-list --topo-order`: a commit comes only after all
    /// its children in the range, and after a merge the line of its last
    /// parent is listed first, down to where the lines meet.
    ///
    /// Exact even when commit dates are skewed: everything reachable from
    /// `excluded` is marked first (a walk of their whole history), rather
    /// than stopping on git's date heuristics.
    func range(from tip: ObjectID, excluding excluded: [ObjectID]) throws(GitError) -> [ObjectID] {
        let hidden = try ancestors(of: excluded)
        guard !hidden.contains(tip) else { return [] }
        var inRange: Set<ObjectID> = [tip]
        var pending = [tip]
        while let id = pending.popLast() {
            for parent in try node(id).parents where !hidden.contains(parent) && inRange.insert(parent).inserted {
                pending.append(parent)
            }
        }
        // git's sort: each commit starts at 1, plus one per child in range; a
        // commit is ready when only its own 1 is left. Ready parents go on a
        // stack, so the last parent's line is followed first.
        var indegree = Dictionary(uniqueKeysWithValues: inRange.map { ($0, 1) })
        for id in inRange {
            for parent in try node(id).parents where inRange.contains(parent) {
                indegree[parent]! += 1
            }
        }
        var ordered: [ObjectID] = []
        ordered.reserveCapacity(inRange.count)
        var ready = [tip]
        while let id = ready.popLast() {
            for parent in try node(id).parents {
                guard let count = indegree[parent] else { continue }
                indegree[parent] = count - 1
                if count - 1 == 1 { ready.append(parent) }
            }
            ordered.append(id)
        }
        return ordered
    }
}

extension Repository {
    /// The commits whose parents a shallow clone lacks (`<gitdir>/shallow`).
    func shallowBoundary() throws(GitError) -> Set<ObjectID> {
        guard try isShallow else { return [] }
        let file = String(cString: git_repository_commondir(pointer)) + "shallow"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw GitError(.failed, "could not read the shallow boundary", "\(file) is unreadable")
        }
        return Set(text.split(whereSeparator: \.isNewline).compactMap { ObjectID(hex: String($0)) })
    }
}
