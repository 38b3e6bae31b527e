import Foundation
import Git
import SupportSync
import YAML

/// The conflicts a pull, a push or a resolve found open, kept in the
/// platform base (`refs/supportsync/platform`, which the sync job pushes
/// with the branch), so `tickets list --conflicts` answers in any clone,
/// offline. Each entry is replaced whenever its ticket is merged again:
/// found again, or gone.
public struct ConflictLedger: Sendable, Hashable {
    /// At the root of the base's tree, beside `tickets/`.
    static let path = "supportsync-conflicts.json"

    public struct Entry: Sendable, Hashable, Codable {
        public var field: String
        /// The values as the ticket file holds them.
        public var base: YAMLValue?
        public var git: YAMLValue
        public var platform: YAMLValue

        init(_ conflict: TicketConflict) {
            field = conflict.field.rawValue
            base = conflict.base
            git = conflict.git
            platform = conflict.platform
        }

        enum CodingKeys: String, CodingKey { case field, base, git, platform }

        /// A base that was `null` stays `null` (written as such); no base at
        /// all is no key. Optional decoding alone would read both as none.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            field = try container.decode(String.self, forKey: .field)
            base = container.contains(.base) ? try container.decode(YAMLValue.self, forKey: .base) : nil
            git = try container.decode(YAMLValue.self, forKey: .git)
            platform = try container.decode(YAMLValue.self, forKey: .platform)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(field, forKey: .field)
            if let base { try container.encode(base, forKey: .base) }
            try container.encode(git, forKey: .git)
            try container.encode(platform, forKey: .platform)
        }

        /// The conflict it records, to be described like any other; nil for
        /// a field this version does not know.
        public var conflict: TicketConflict? {
            TicketRecord.Field(rawValue: field).map {
                TicketConflict(field: $0, base: base, git: git, platform: platform)
            }
        }
    }

    /// By ticket id, each ticket's open conflicts in field order.
    public var tickets: [String: [Entry]] = [:]

    /// The ledger in the base at `commit`; empty when it has none.
    static func read(_ store: TicketStore, at commit: ObjectID?) throws -> ConflictLedger {
        guard let bytes = try store.bytes(at: path, in: commit) else { return ConflictLedger() }
        let tickets = (try? JSONDecoder().decode([String: [Entry]].self, from: Data(bytes))) ?? [:]
        return ConflictLedger(tickets: tickets)
    }

    /// Replaces the entries of the tickets in `found` (their conflicts now)
    /// and removes those of `cleared`, committing the ledger in the base
    /// when it changes (a base-only commit; the branch does not move).
    static func update(
        _ store: TicketStore, found: [(id: String, conflict: TicketConflict)], cleared: Set<String>,
        author: Signature
    ) throws {
        let now = Dictionary(grouping: found, by: \.id).mapValues { $0.map { Entry($0.conflict) } }
        _ = try store.commit(author: author) { _, baseTip in
            let before = try read(store, at: baseTip)
            var after = before
            for id in cleared { after.tickets[id] = nil }
            for (id, entries) in now { after.tickets[id] = entries }
            guard after != before else { return nil }
            let text = JSONCoding.prettyString(after.tickets)
            return TicketStore.Change(
                baseFiles: [(path, Array(text.utf8))],
                baseMessage: "supportsync: open conflicts (\(plural(after.tickets.count, "ticket")))\n")
        }
    }
}

extension TicketQueries {
    /// The open conflicts the last pull, push or resolve recorded; nil when
    /// this clone lacks the platform base that holds them.
    public func conflicts() throws -> ConflictLedger? {
        guard let baseTip = try tickets.baseTip() else { return nil }
        return try ConflictLedger.read(tickets, at: baseTip)
    }
}
