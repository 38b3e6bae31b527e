import SupportSync

/// Every ticket file on a branch (`tickets/YYYY/MM/<id>.yaml`), found by id
/// in any case: where a pull keeps a ticket (its first path) and how it
/// finds case twins.
///
/// A pull over 100,000 tickets keeps one for the whole run, so it is kept
/// small: each file is its id (a short id is stored inline, no allocation)
/// and its folder as a number, and its path is built only when asked for.
struct TicketFileIndex {
    /// The first file seen of each id, compared without case: its folder
    /// as `YYYY * 100 + MM`.
    private var first: [FoldedID: UInt32] = [:]
    /// Further files whose ids equal an id of `first` without case (case
    /// twins, or one id in two folders): rare.
    private var more: [FoldedID: [String]] = [:]

    init() {}

    /// The ticket files among `paths` (see `TicketPaths.kind`); the others are left out.
    init(_ paths: some Sequence<String>) {
        for path in paths { insert(path) }
    }

    /// Adds the file at `path` if it is a ticket file and not already here.
    mutating func insert(_ path: String) {
        guard let (folder, id) = Self.parts(of: path) else { return }
        let key = FoldedID(id)
        guard let index = first.index(forKey: key) else {
            first[key] = folder
            return
        }
        let held = first[index]
        if held.key.id == id && held.value == folder { return }
        if more[key]?.contains(path) == true { return }
        more[key, default: []].append(path)
    }

    /// The files whose ids equal `id` without case, the first seen first.
    func paths(foldingCaseOf id: String) -> [String] {
        let key = FoldedID(id)
        guard let index = first.index(forKey: key) else { return [] }
        let held = first[index]
        return [Self.path(folder: held.value, id: held.key.id)] + (more[key] ?? [])
    }

    /// The file of the ticket `id` itself (not a case twin of it).
    func path(of id: String) -> String? {
        paths(foldingCaseOf: id).first { TicketPaths.id(ofPath: $0) == id }
    }

    func contains(_ path: String) -> Bool {
        paths(foldingCaseOf: String(TicketPaths.id(ofPath: path))).contains(path)
    }

    /// `tickets/2026/11/T-1.yaml` -> (202611, "T-1"); nil for any path
    /// that is not a ticket file.
    private static func parts(of path: String) -> (UInt32, String)? {
        TicketPaths.ticketFile(path).map { ($0.folder, String($0.id)) }
    }

    private static func path(folder: UInt32, id: String) -> String {
        let year = String(folder / 100)
        let month = String(folder % 100)
        return TicketPaths.folder + "/" + String(repeating: "0", count: 4 - year.count) + year + "/"
            + (month.count == 1 ? "0" : "") + month + "/" + id + ".yaml"
    }

    /// A ticket id hashed and compared without case. Ticket ids are ASCII
    /// (`TicketPaths.isSafeID`), so folding ASCII letters is the whole job.
    private struct FoldedID: Hashable {
        let id: String

        init(_ id: String) { self.id = id }

        static func == (lhs: FoldedID, rhs: FoldedID) -> Bool {
            lhs.id.utf8.elementsEqual(rhs.id.utf8) { fold($0) == fold($1) }
        }

        func hash(into hasher: inout Hasher) {
            // All the bytes at once: one call per byte costs more than the rest of a lookup.
            let count = id.utf8.count
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { folded in
                for (index, byte) in id.utf8.enumerated() { folded[index] = Self.fold(byte) }
                hasher.combine(bytes: UnsafeRawBufferPointer(folded))
            }
        }

        private static func fold(_ byte: UInt8) -> UInt8 {
            (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
        }
    }
}
