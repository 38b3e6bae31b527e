internal import CLibGit2
import Foundation

extension Repository {
    /// The commits reachable from `tip` that changed `path`, newest first:
    /// what `git log --format=%H tip -- path` lists, with git's default
    /// history simplification.
    ///
    /// - A commit with one parent is listed when the entry at `path` (its id
    ///   or its file mode) differs from the parent's, including appearing or
    ///   disappearing.
    /// - A root commit is listed when `path` exists in it. In a shallow clone
    ///   the boundary commits count as roots, as they do for git.
    /// - A merge that has the same entry as one of its parents is not listed,
    ///   and only the first such parent is followed: changes that reached
    ///   the merge unchanged from that side are all that history shows,
    ///   exactly as `git log -- path` hides side branches whose work was
    ///   discarded. A merge that differs from every parent is listed, and
    ///   all its parents are followed.
    /// - The order is git's default: by committer time, newest first, ties
    ///   in the order commits were reached (not `--topo-order`).
    ///
    /// `path` may name a folder, whose history is then every change beneath
    /// it. Each commit's entry is found by walking tree ids one path part at
    /// a time and remembering the answer for every tree id met, so a subtree
    /// that did not change is never read twice.
    ///
    /// With `index`, the walk keeps a `HistoryIndex` in that file: each
    /// commit it meets is recorded with the paths it changed, and a later
    /// walk, of any path, reads neither the commits recorded nor the trees
    /// of those that did not change the path.
    ///
    /// - Throws: `.invalid` for a malformed path; `.notFound` when `tip` or a
    ///   parent outside the shallow boundary is missing.
    ///
    /// With `fullHistory`, what `git log --full-history -- path` lists
    /// instead: every parent of a merge is followed, and a merge is listed
    /// when its entry differs from at least one parent's (so a merge that
    /// took one side's change over the other's shows, as do the commits of
    /// the side it discarded).
    public func history(of path: String, from tip: ObjectID, index: String? = nil, fullHistory: Bool = false)
        throws(GitError) -> [CommitInfo]
    {
        try changes(of: path, from: tip, index: index, fullHistory: fullHistory).map(\.commit)
    }

    /// What sits at a path in a commit: its object's id and file mode.
    public struct PathEntry: Sendable, Hashable {
        public var id: ObjectID
        public var mode: UInt32
        /// A file or a symbolic link, whose object is a blob.
        public var isBlob: Bool { mode & 0o170000 == 0o100000 || mode & 0o170000 == 0o120000 }
    }

    /// A commit of `history(of:from:index:)`, with the entry at the path
    /// in its first parent (`before`; nil when absent, and for a root
    /// commit) and in itself (`after`; nil when deleted): what the walk has
    /// found already, so a caller reads no tree to learn it.
    public struct PathChange: Sendable {
        public var commit: CommitInfo
        public var before: PathEntry?
        public var after: PathEntry?
    }

    /// `history(of:from:index:)` with each commit's entries at the path.
    public func changes(of path: String, from tip: ObjectID, index: String? = nil, fullHistory: Bool = false)
        throws(GitError) -> [PathChange]
    {
        try validateTreePath(path)
        let historyIndex = index.map { HistoryIndex(location: $0) }
        let walker = try PathHistoryWalker(
            graph: try CommitGraph(self, index: historyIndex), trees: try RawTrees(self),
            path: path)
        let changing = try walker.changingCommits(from: tip, fullHistory: fullHistory)
        historyIndex?.save()
        var listed: [PathChange] = []
        for change in changing {
            listed.append(
                PathChange(
                    commit: try commit(change.id), before: change.before.map { PathEntry(id: $0.id, mode: $0.mode) },
                    after: change.after.map { PathEntry(id: $0.id, mode: $0.mode) }))
        }
        return listed
    }
}

/// The walk behind `Repository.history(of:from:)`. One instance serves one
/// call; its caches hold only ids, never libgit2 handles.
private final class PathHistoryWalker {
    /// What sits at the path: compared as a pair so that a mode change
    /// (a file made executable) counts as a change, as it does for git.
    struct Entry: Hashable {
        var id: ObjectID
        var mode: UInt32
    }

    struct TreeKey: Hashable {
        var depth: Int
        var tree: ObjectID
    }

    let graph: CommitGraph
    let parts: [String]
    /// Every tree the walk reads, and those the index's records are made from.
    let trees: RawTrees
    let pathHash: UInt64
    /// The entry at the rest of the path below a tree met at a given depth.
    private var entries: [TreeKey: Entry?] = [:]

    private let names: [[UInt8]]

    init(graph: CommitGraph, trees: RawTrees, path: String) throws(GitError) {
        self.graph = graph
        self.trees = trees
        parts = path.split(separator: "/").map(String.init)
        pathHash = HistoryIndex.hash(path.utf8)
        names = parts.map { Array($0.utf8) }
    }

    func changingCommits(from tip: ObjectID, fullHistory: Bool) throws(GitError) -> [(
        id: ObjectID, before: Entry?, after: Entry?
    )] {
        var queue = DateQueue()
        var queued: Set<ObjectID> = [tip]
        queued.reserveCapacity(graph.index?.count ?? 0)
        queue.push(tip, time: try graph.time(tip))
        var changing: [(id: ObjectID, before: Entry?, after: Entry?)] = []
        while let id = queue.pop() {
            let current = try graph.node(id)
            record(id, current)
            var follow = current.parents
            if current.parents.isEmpty {
                if let after = try entry(in: current.tree, depth: 0) { changing.append((id, nil, after)) }
            } else if fullHistory {
                // Every parent followed; listed when it differs from any.
                let after = try entry(in: current.tree, depth: 0)
                var differs = false
                for (place, parent) in current.parents.enumerated() {
                    if graph.index?.unchanged(id, parent: place, hash: pathHash) == true { continue }
                    if try entry(in: graph.node(parent).tree, depth: 0) != after {
                        differs = true
                        break
                    }
                }
                if differs {
                    changing.append((id, try entry(in: graph.node(current.parents[0]).tree, depth: 0), after))
                }
            } else {
                var sameAs: ObjectID?
                for (place, parent) in current.parents.enumerated() {
                    if graph.index?.unchanged(id, parent: place, hash: pathHash) == true {
                        sameAs = parent
                        break
                    }
                    if try entry(in: current.tree, depth: 0) == entry(in: graph.node(parent).tree, depth: 0) {
                        sameAs = parent
                        break
                    }
                }
                if let sameAs {
                    follow = [sameAs]
                } else {
                    // Both entries were read to compare them: remembered, not read again.
                    changing.append(
                        (
                            id, try entry(in: graph.node(current.parents[0]).tree, depth: 0),
                            try entry(in: current.tree, depth: 0)
                        ))
                }
            }
            for parent in follow where queued.insert(parent).inserted {
                queue.push(parent, time: try graph.time(parent))
            }
        }
        return changing
    }

    /// Records a commit the index does not hold yet: what changed against
    /// each parent. A shallow clone's boundary commit is left out (its
    /// parents are not here to compare with).
    ///
    /// Recording reads whole trees where the walk reads one path: a tree it
    /// cannot read (missing, or not a tree) leaves that side unknown, and a
    /// parent it cannot read leaves the commit out, so the walk itself
    /// fails only where it would without the index.
    private func record(_ id: ObjectID, _ node: CommitGraph.Node) {
        guard let index = graph.index, !index.contains(id), !graph.isShallowRoot(id) else { return }
        var changes: [[UInt64]?] = []
        for parent in node.parents {
            guard let parentTree = try? graph.node(parent).tree else { return }
            var hashes: [UInt64] = []
            let complete = try? trees.changes(
                from: parentTree, to: node.tree, prefix: [], into: &hashes, limit: HistoryIndex.changeLimit)
            changes.append(complete == true ? hashes : nil)
        }
        index.add(id, node: node, changes: changes)
    }

    /// The entry at `parts[depth...]` below the tree `treeID`.
    private func entry(in treeID: ObjectID, depth: Int) throws(GitError) -> Entry? {
        let key = TreeKey(depth: depth, tree: treeID)
        if let known = entries[key] { return known }
        var found: Entry?
        if let child = try rawEntry(named: names[depth], in: treeID) {
            if depth == parts.count - 1 {
                found = child
            } else if child.mode == GIT_FILEMODE_TREE.rawValue {
                found = try entry(in: child.id, depth: depth + 1)
            }
        }
        entries[key] = found
        return found
    }

    /// Finds `name` among the tree's entries, read from its stored form
    /// without building libgit2's parsed tree (`RawTrees`), which keeps the
    /// trees the index's records were just made from.
    private func rawEntry(named name: [UInt8], in treeID: ObjectID) throws(GitError) -> Entry? {
        let tree = try trees.tree(treeID)
        return tree.entries.first { tree.bytes[$0.name].elementsEqual(name) }.map { Entry(id: $0.id, mode: $0.mode) }
    }
}

/// Commits by committer time, newest first, ties first-come first-served,
/// like git's date-ordered commit list.
private struct DateQueue {
    private var heap: [(time: Int64, order: Int, id: ObjectID)] = []
    private var pushed = 0

    mutating func push(_ id: ObjectID, time: Int64) {
        heap.append((time, pushed, id))
        pushed += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> ObjectID? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < heap.count && precedes(heap[left], heap[first]) { first = left }
            if right < heap.count && precedes(heap[right], heap[first]) { first = right }
            guard first != parent else { break }
            heap.swapAt(parent, first)
            parent = first
        }
        return top.id
    }

    private func precedes(_ a: (time: Int64, order: Int, id: ObjectID), _ b: (time: Int64, order: Int, id: ObjectID))
        -> Bool
    {
        a.time != b.time ? a.time > b.time : a.order < b.order
    }
}
