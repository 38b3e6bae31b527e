import Foundation
import Git
import SupportSync

/// The tickets a pull refused (an id no file can hold here, a case twin of
/// another ticket, a file over the size limit), kept in the platform base
/// beside the conflict ledger. The cursor moves past them so nothing waits
/// for them, and every later pull reports them again, until the platform
/// sends the ticket again and it can be written.
struct RefusalLedger: Sendable, Hashable {
    /// At the root of the base's tree, beside `tickets/`.
    static let path = "supportsync-refused.json"

    /// By ticket id (as printable), why it was refused.
    var tickets: [String: String] = [:]

    static func read(_ store: TicketStore, at commit: ObjectID?) throws -> RefusalLedger {
        guard let bytes = try store.bytes(at: path, in: commit) else { return RefusalLedger() }
        let tickets = (try? JSONDecoder().decode([String: String].self, from: Data(bytes))) ?? [:]
        return RefusalLedger(tickets: tickets)
    }

    /// Records `refused`, forgets the tickets of `written` (merged and
    /// written, or unchanged), and returns the entries this pull did not
    /// meet, which are still refused.
    static func update(
        _ store: TicketStore, refused: [(id: String, reason: String)], written: Set<String>, author: Signature
    ) throws -> [(id: String, reason: String)] {
        var earlier: [(id: String, reason: String)] = []
        let refusedNow = Dictionary(refused.map { ($0.id, $0.reason) }, uniquingKeysWith: { _, last in last })
        _ = try store.commit(author: author) { _, baseTip in
            let before = try read(store, at: baseTip)
            var after = before
            for id in written where refusedNow[id] == nil { after.tickets[id] = nil }
            after.tickets.merge(refusedNow) { _, now in now }
            earlier = after.tickets.filter { refusedNow[$0.key] == nil }.sorted { $0.key < $1.key }
                .map { ($0.key, $0.value) }
            guard after != before else { return nil }
            return TicketStore.Change(
                baseFiles: [(path, Array(JSONCoding.prettyString(after.tickets).utf8))],
                baseMessage: "supportsync: refused tickets (\(plural(after.tickets.count, "ticket")))\n")
        }
        return earlier
    }
}
