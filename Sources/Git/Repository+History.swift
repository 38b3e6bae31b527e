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
    /// that did not change is never read twice and no tree is diffed.
    ///
    /// - Throws: `.invalid` for a malformed path; `.notFound` when `tip` or a
    ///   parent outside the shallow boundary is missing.
    public func history(of path: String, from tip: ObjectID) throws(GitError) -> [CommitInfo] {
        try validateTreePath(path)
        let walker = try PathHistoryWalker(
            graph: try CommitGraph(self), parts: path.split(separator: "/").map(String.init))
        var listed: [CommitInfo] = []
        for id in try walker.changingCommits(from: tip) {
            listed.append(try commit(id))
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
    /// The entry at the rest of the path below a tree met at a given depth.
    private var entries: [TreeKey: Entry?] = [:]

    private let names: [[UInt8]]
    private let database: OpaquePointer

    init(graph: CommitGraph, parts: [String]) throws(GitError) {
        self.graph = graph
        self.parts = parts
        names = parts.map { Array($0.utf8) }
        var database: OpaquePointer?
        try check(git_repository_odb(&database, graph.repository.pointer), "could not open the object database")
        self.database = database!
    }

    deinit { git_odb_free(database) }

    func changingCommits(from tip: ObjectID) throws(GitError) -> [ObjectID] {
        var queue = DateQueue()
        var queued: Set<ObjectID> = [tip]
        queue.push(tip, time: try graph.node(tip).time)
        var changing: [ObjectID] = []
        while let id = queue.pop() {
            let current = try graph.node(id)
            let entry = try self.entry(in: current.tree, depth: 0)
            var follow = current.parents
            if current.parents.isEmpty {
                if entry != nil { changing.append(id) }
            } else {
                var sameAs: ObjectID?
                for parent in current.parents {
                    if try self.entry(in: graph.node(parent).tree, depth: 0) == entry {
                        sameAs = parent
                        break
                    }
                }
                if let sameAs {
                    follow = [sameAs]
                } else {
                    changing.append(id)
                }
            }
            for parent in follow where queued.insert(parent).inserted {
                queue.push(parent, time: try graph.node(parent).time)
            }
        }
        return changing
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

    /// Finds `name` in the tree's stored form ("<octal mode> <name>\0<20-byte
    /// id>" per entry) without building libgit2's parsed tree: only one
    /// entry is wanted, and most trees here are read exactly once.
    private func rawEntry(named name: [UInt8], in treeID: ObjectID) throws(GitError) -> Entry? {
        var oid = treeID.gitOID
        var object: OpaquePointer?
        try check(git_odb_read(&object, database, &oid), "could not read the tree \(treeID)")
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_TREE, let start = git_odb_object_data(object) else {
            throw GitError(.invalid, "could not read the tree \(treeID)", "the object is not a tree")
        }
        let bytes = UnsafeRawBufferPointer(start: start, count: git_odb_object_size(object)).bindMemory(to: UInt8.self)
        var position = 0
        while position < bytes.count {
            var mode: UInt32 = 0
            while position < bytes.count && bytes[position] != UInt8(ascii: " ") {
                mode = mode << 3 | UInt32(bytes[position] &- UInt8(ascii: "0"))
                position += 1
            }
            let nameStart = position + 1
            var nameEnd = nameStart
            while nameEnd < bytes.count && bytes[nameEnd] != 0 { nameEnd += 1 }
            let idStart = nameEnd + 1
            guard idStart + ObjectID.byteCount <= bytes.count else { break }
            if nameEnd - nameStart == name.count
                && name.withUnsafeBufferPointer({ wanted in
                    memcmp(wanted.baseAddress!, bytes.baseAddress! + nameStart, name.count) == 0
                })
            {
                return Entry(id: ObjectID(raw: bytes.baseAddress! + idStart), mode: mode)
            }
            position = idStart + ObjectID.byteCount
        }
        return nil
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
