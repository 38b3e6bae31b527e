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
    private let database: OpaquePointer

    /// Where nodes are found before the commit is read, and recorded after.
    let index: HistoryIndex?

    init(_ repository: Repository, index: HistoryIndex? = nil) throws(GitError) {
        self.repository = repository
        self.index = index
        shallowRoots = try repository.shallowBoundary()
        var database: OpaquePointer?
        try check(git_repository_odb(&database, repository.pointer), "could not open the object database")
        self.database = database!
    }

    deinit { git_odb_free(database) }

    /// The committer time of commit `id`.
    func time(_ id: ObjectID) throws(GitError) -> Int64 {
        if let time = index?.time(id) { return time }
        return try node(id).time
    }

    /// Whether git treats `id` as a root because the clone is shallow there.
    func isShallowRoot(_ id: ObjectID) -> Bool { shallowRoots.contains(id) }

    /// Read from the commit's stored form (its header lines) rather than
    /// through `git_commit_lookup`: a walk reads thousands of commits once
    /// each, and a parsed commit costs several allocations to make and free.
    func node(_ id: ObjectID) throws(GitError) -> Node {
        if let known = nodes[id] { return known }
        // Read from the index where it lies each time: cheaper than keeping it.
        if var indexed = index?.node(id) {
            if shallowRoots.contains(id) { indexed.parents = [] }
            return indexed
        }
        var oid = id.gitOID
        var object: OpaquePointer?
        try check(git_odb_read(&object, database, &oid), "could not read the commit \(id)")
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object) else {
            throw GitError(.notFound, "could not read the commit \(id)", "\(id) is not a commit")
        }
        let bytes = UnsafeRawBufferPointer(start: data, count: git_odb_object_size(object)).bindMemory(to: UInt8.self)
        guard var made = Self.header(of: bytes) else {
            throw GitError(.invalid, "could not read the commit \(id)", "its header is malformed")
        }
        if shallowRoots.contains(id) { made.parents = [] }
        nodes[id] = made
        return made
    }

    /// The `tree`, `parent` and `committer` lines of a commit's stored form.
    private static func header(of bytes: UnsafeBufferPointer<UInt8>) -> Node? {
        var tree: ObjectID?
        var parents: [ObjectID] = []
        var time: Int64?
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end == start { break }  // the blank line before the message
            let line = bytes[start..<end]
            if line.starts(with: "tree ".utf8) {
                tree = ObjectID(hexDigits: UnsafeBufferPointer(rebasing: line.dropFirst(5)))
            } else if line.starts(with: "parent ".utf8) {
                guard let parent = ObjectID(hexDigits: UnsafeBufferPointer(rebasing: line.dropFirst(7))) else {
                    return nil
                }
                parents.append(parent)
            } else if line.starts(with: "committer ".utf8), let close = line.lastIndex(of: UInt8(ascii: ">")) {
                // "committer Name <email> 1790000060 +0000"
                let digits = line[(close + 1)...].drop { $0 == UInt8(ascii: " ") }.prefix { (0x30...0x39).contains($0) }
                time = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            }
            start = end + 1
        }
        guard let tree, let time else { return nil }
        return Node(parents: parents, tree: tree, time: time)
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
