internal import CLibGit2
import Foundation

/// What a walk of history needs of each commit, kept between runs in a
/// file of the caller's choosing: its tree, committer time and parents (so
/// the commit is not read again), and, for each parent, a hash of every path
/// whose entry differs between the two (each changed file and every folder
/// above it). A path whose hash is not among a parent's is unchanged from
/// it: the walk then reads no tree for that commit. This is git's commit
/// graph with changed-path filters, exact instead of probabilistic: a hash
/// that matches is confirmed on the trees, so a collision costs a read,
/// never a wrong answer.
///
/// An entry depends only on the commit's id (a commit names its tree and
/// parents, and objects never change), so it is never stale; a commit with
/// more than `changeLimit` changed paths against a parent (a pull of
/// thousands of tickets, a merge of a long-lived branch) records that side
/// as unknown, and the walk reads its trees as it would without the index.
/// A file that is not a whole index (cut short, another version, its
/// checksum wrong) is ignored and rewritten.
final class HistoryIndex {
    /// At most this many changed paths are recorded for one side of a commit.
    static let changeLimit = 1024
    private static let magic: [UInt8] = Array("SSHI".utf8)
    private static let version: UInt32 = 1

    private let location: String?
    /// The file's bytes and the entries added since, back to back: a
    /// record is read where it lies, never unpacked into objects.
    private var bytes: [UInt8] = []
    /// Where each commit's record starts in `bytes`.
    private var records: [ObjectID: Int] = [:]
    /// Where the records added in this run start.
    private var savedEnd = 0

    /// The index at `location`, empty when there is none or it is not whole;
    /// with nil, an index kept only in memory.
    init(location: String?) {
        self.location = location
        if let location, let data = FileManager.default.contents(atPath: location) {
            let read = [UInt8](data)
            if let found = Self.records(in: read) {
                bytes = read
                bytes.removeLast(8)
                records = found
            }
        }
        if bytes.isEmpty {
            bytes = Self.magic
            Self.append(Self.version, to: &bytes)
        }
        savedEnd = bytes.count
    }

    /// Each record's start, when `file` is a whole index.
    private static func records(in file: [UInt8]) -> [ObjectID: Int]? {
        guard file.count >= 16, file.starts(with: magic) else { return nil }
        let body = file.count - 8
        guard load(UInt32.self, file, 4) == version, load(UInt64.self, file, body) == FileChecksum.of(file[..<body])
        else {
            return nil
        }
        var found: [ObjectID: Int] = [:]
        found.reserveCapacity(body / 96)
        var position = 8
        while position < body {
            guard let end = recordEnd(file, from: position, limit: body) else { return nil }
            found[id(file, position)] = position
            position = end
        }
        return found
    }

    /// A record: commit (20), tree (20), time (8), parent count (4), then
    /// per parent its id (20), its count of changes (4; `UInt32.max` when
    /// unknown) and that many sorted hashes (8 each).
    private static func recordEnd(_ bytes: [UInt8], from start: Int, limit: Int) -> Int? {
        var position = start + 52
        guard position <= limit else { return nil }
        let parents = load(UInt32.self, bytes, start + 48)
        guard parents < 1 << 16 else { return nil }
        for _ in 0..<parents {
            guard position + 24 <= limit else { return nil }
            let count = load(UInt32.self, bytes, position + 20)
            position += 24
            if count != UInt32.max {
                guard count <= changeLimit, position + Int(count) * 8 <= limit else { return nil }
                position += Int(count) * 8
            }
        }
        return position
    }

    /// The committer time of a recorded commit.
    func time(_ id: ObjectID) -> Int64? {
        records[id].map { Int64(bitPattern: Self.load(UInt64.self, bytes, $0 + 40)) }
    }

    var count: Int { records.count }

    func node(_ id: ObjectID) -> CommitGraph.Node? {
        guard let start = records[id] else { return nil }
        let count = Int(Self.load(UInt32.self, bytes, start + 48))
        var parents: [ObjectID] = []
        parents.reserveCapacity(count)
        var position = start + 52
        for _ in 0..<count {
            parents.append(Self.id(bytes, position))
            let changes = Self.load(UInt32.self, bytes, position + 20)
            position += 24 + (changes == UInt32.max ? 0 : Int(changes) * 8)
        }
        return CommitGraph.Node(
            parents: parents, tree: Self.id(bytes, start + 20),
            time: Int64(bitPattern: Self.load(UInt64.self, bytes, start + 40)))
    }

    /// Whether the path hashed `hash` has the same entry in commit `id` as
    /// in its parent `parent` (the parent's place in the commit): true when
    /// known unchanged, nil when the index cannot tell (no record, the side
    /// unknown, or the hash among the changes, to be confirmed on the trees).
    func unchanged(_ id: ObjectID, parent: Int, hash: UInt64) -> Bool? {
        guard let start = records[id] else { return nil }
        var position = start + 52
        for index in 0..<Int(Self.load(UInt32.self, bytes, start + 48)) {
            let count = Self.load(UInt32.self, bytes, position + 20)
            position += 24
            if index == parent {
                guard count != UInt32.max else { return nil }
                var low = 0
                var high = Int(count)
                while low < high {
                    let middle = (low + high) / 2
                    let value = Self.load(UInt64.self, bytes, position + middle * 8)
                    if value == hash { return nil }
                    if value < hash { low = middle + 1 } else { high = middle }
                }
                return true
            }
            position += count == UInt32.max ? 0 : Int(count) * 8
        }
        return nil
    }

    func contains(_ id: ObjectID) -> Bool { records[id] != nil }

    /// Records commit `id`: its node and, per parent, the hashes of the
    /// paths that changed from it (nil when more than `changeLimit`).
    func add(_ id: ObjectID, node: CommitGraph.Node, changes: [[UInt64]?]) {
        guard records[id] == nil else { return }
        records[id] = bytes.count
        id.appendRaw(to: &bytes)
        node.tree.appendRaw(to: &bytes)
        Self.append(UInt64(bitPattern: node.time), to: &bytes)
        Self.append(UInt32(node.parents.count), to: &bytes)
        for (parent, hashes) in zip(node.parents, changes) {
            parent.appendRaw(to: &bytes)
            guard let hashes else {
                Self.append(UInt32.max, to: &bytes)
                continue
            }
            Self.append(UInt32(hashes.count), to: &bytes)
            for hash in hashes.sorted() { Self.append(hash, to: &bytes) }
        }
    }

    /// Writes the index when this run added to it, atomically; a repository
    /// that cannot take it (read only) goes without.
    func save() {
        guard let location, bytes.count > savedEnd else { return }
        var file = bytes
        Self.append(FileChecksum.of(bytes[...]), to: &file)
        try? WholeFile.write(file, to: location)
        savedEnd = bytes.count
    }

    /// FNV-1a, 64 bits: the hash of a path, the same in every run.
    static func hash(_ path: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func load<Integer: FixedWidthInteger>(_: Integer.Type, _ bytes: [UInt8], _ offset: Int) -> Integer {
        bytes.withUnsafeBytes { Integer(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Integer.self)) }
    }

    private static func id(_ bytes: [UInt8], _ offset: Int) -> ObjectID {
        bytes.withUnsafeBytes { ObjectID(raw: $0.baseAddress! + offset) }
    }
}

/// The entries of trees read raw from the object database, with the last
/// trees read kept: a walk meets each tree as one commit's and then as its
/// child's parent's.
final class RawTrees {
    struct Entry {
        var name: Range<Int>
        var mode: UInt32
        var id: ObjectID
        var isTree: Bool { mode == GIT_FILEMODE_TREE.rawValue }
    }

    struct Tree {
        var bytes: [UInt8]
        var entries: [Entry]
    }

    private let database: OpaquePointer
    private var kept: [ObjectID: Tree] = [:]
    private var keptBytes = 0

    init(_ repository: Repository) throws(GitError) {
        var database: OpaquePointer?
        try check(git_repository_odb(&database, repository.pointer), "could not open the object database")
        self.database = database!
    }

    deinit { git_odb_free(database) }

    func tree(_ id: ObjectID) throws(GitError) -> Tree {
        if let known = kept[id] { return known }
        var oid = id.gitOID
        var object: OpaquePointer?
        try check(git_odb_read(&object, database, &oid), "could not read the tree \(id)")
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_TREE, let start = git_odb_object_data(object) else {
            throw GitError(.invalid, "could not read the tree \(id)", "the object is not a tree")
        }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: git_odb_object_size(object)))
        var entries: [Entry] = []
        bytes.withUnsafeBufferPointer { bytes in
            // "<octal mode> <name>\0<20-byte id>" per entry.
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
                guard nameEnd + 1 + ObjectID.byteCount <= bytes.count else { break }
                entries.append(
                    Entry(name: nameStart..<nameEnd, mode: mode, id: ObjectID(raw: bytes.baseAddress! + nameEnd + 1)))
                position = nameEnd + 1 + ObjectID.byteCount
            }
        }
        let tree = Tree(bytes: bytes, entries: entries)
        // Bounded by size: a folder of 100,000 tickets is a tree of megabytes.
        if keptBytes + bytes.count > 16 << 20 {
            kept.removeAll(keepingCapacity: true)
            keptBytes = 0
        }
        kept[id] = tree
        keptBytes += bytes.count + entries.count * MemoryLayout<Entry>.stride
        return tree
    }

    /// Adds to `hashes` the hash of every path whose entry differs between
    /// the trees `old` and `new` (nil: no tree), each under `prefix`, and of
    /// every path beneath a folder that appeared or went away. False, with
    /// `hashes` incomplete, once there are more than `limit`.
    func changes(
        from old: ObjectID?, to new: ObjectID?, prefix: [UInt8], into hashes: inout [UInt64], limit: Int
    ) throws(GitError) -> Bool {
        guard old != new else { return true }
        let before = try old.map { id throws(GitError) in try tree(id) }
        let after = try new.map { id throws(GitError) in try tree(id) }
        var (left, right) = (0, 0)
        let leftCount = before?.entries.count ?? 0
        let rightCount = after?.entries.count ?? 0
        while left < leftCount || right < rightCount {
            let a = left < leftCount ? before!.entries[left] : nil
            let b = right < rightCount ? after!.entries[right] : nil
            let order: Int
            if let a, let b {
                order = Self.order(before!.bytes, a, after!.bytes, b)
            } else {
                order = a == nil ? 1 : -1
            }
            let name: ArraySlice<UInt8> = order <= 0 ? before!.bytes[a!.name] : after!.bytes[b!.name]
            let oldEntry = order <= 0 ? a : nil
            let newEntry = order >= 0 ? b : nil
            if order <= 0 { left += 1 }
            if order >= 0 { right += 1 }
            if let oldEntry, let newEntry, oldEntry.id == newEntry.id, oldEntry.mode == newEntry.mode { continue }
            let path = prefix + name
            hashes.append(HistoryIndex.hash(path))
            guard hashes.count <= limit else { return false }
            let oldTree = oldEntry.flatMap { $0.isTree ? $0.id : nil }
            let newTree = newEntry.flatMap { $0.isTree ? $0.id : nil }
            if oldTree != nil || newTree != nil {
                guard try changes(from: oldTree, to: newTree, prefix: path + [0x2F], into: &hashes, limit: limit)
                else { return false }
            }
        }
        return true
    }

    /// git's order of tree entries: by name, a folder's as if it ended in "/".
    private static func order(_ aBytes: [UInt8], _ a: Entry, _ bBytes: [UInt8], _ b: Entry) -> Int {
        let aName = aBytes[a.name]
        let bName = bBytes[b.name]
        let common = min(aName.count, bName.count)
        for offset in 0..<common {
            let x = aName[aName.startIndex + offset]
            let y = bName[bName.startIndex + offset]
            if x != y { return x < y ? -1 : 1 }
        }
        let x: UInt8 = aName.count > common ? aName[aName.startIndex + common] : a.isTree ? 0x2F : 0
        let y: UInt8 = bName.count > common ? bName[bName.startIndex + common] : b.isTree ? 0x2F : 0
        return x == y ? 0 : x < y ? -1 : 1
    }
}
