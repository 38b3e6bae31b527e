import Crypto
import Foundation
import GRDB
import Logging
import SupportSync
import Synchronization
import TicketSealing

/// The local platform: the platform's state in a SQLite file, used
/// in-process or served over HTTP by `PlatformServer`. WAL mode and a busy
/// timeout let a running server and a command share the file.
///
/// Each ticket has its own random key (`ticket_key`), kept next to its data;
/// reads seal the customer data with it. Erasure deletes the data and the
/// key with SQLite's `secure_delete` on, rebuilds the file (`VACUUM`), then
/// checkpoints the write-ahead log, so neither the file nor its log keeps
/// the erased bytes. Request
/// bodies are never stored.
public final class LocalPlatform: AgentPlatform {
    /// The file's pool; an in-memory queue for `empty()`.
    let database: any DatabaseWriter
    /// Each agent's stored body and what it decodes to: a body read again
    /// unchanged (the same text) is not decoded again. A no-change plan of
    /// 1,000 agents spent half the server's time decoding them.
    private let decoded = Mutex<[String: (body: String, write: AgentWrite)]>([:])
    public let path: String

    /// `.supportsync/platform.sqlite` under the repository root.
    public static func defaultPath(root: URL) -> String {
        root.appendingPathComponent(".supportsync/platform.sqlite").path
    }

    /// Opens (creating when needed) the database at `path`. When the file
    /// lives in a `.supportsync` folder, that folder gets a `.gitignore`
    /// holding `*` so local state never reaches a commit.
    public init(path: String) throws(PlatformError) {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if folder.lastPathComponent == ".supportsync" {
                let ignore = folder.appendingPathComponent(".gitignore")
                if !FileManager.default.fileExists(atPath: ignore.path) {
                    try Data("*\n".utf8).write(to: ignore)
                }
            }
            database = try DatabasePool(path: path, configuration: Self.configuration)
            try Self.migrator(instance: UUID().uuidString.lowercased()).migrate(database)
        } catch {
            throw .failed("cannot open the local platform at \(path): \(error)")
        }
    }

    /// A platform with nothing on it, in memory, for a run that only reads
    /// (a plan, a dry run) where no file exists yet: reading writes nothing,
    /// not even an empty file. `path` is the file it stands for. Its
    /// instance is `PlatformInfo.noInstance`.
    public static func empty(standingFor path: String) throws(PlatformError) -> LocalPlatform {
        do {
            return try LocalPlatform(path: path, database: DatabaseQueue(configuration: configuration))
        } catch {
            throw .failed("cannot open an empty local platform in memory: \(error)")
        }
    }

    private init(path: String, database: any DatabaseWriter) throws {
        self.path = path
        self.database = database
        try Self.migrator(instance: PlatformInfo.noInstance).migrate(database)
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "supportsync.platform"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Deleted and overwritten content is zeroed, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    static func migrator(instance: String) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE agent (
                        id TEXT PRIMARY KEY,
                        body TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE ticket (
                        id TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL UNIQUE,
                        body TEXT NOT NULL,
                        idempotency_key TEXT UNIQUE
                    );
                    """)
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('instance', ?), ('seq', '0')",
                arguments: [instance])
        }
        migrator.registerMigration("v2-ticket-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ticket_key (
                        ticket_id TEXT PRIMARY KEY REFERENCES ticket(id),
                        key_id TEXT NOT NULL,
                        key BLOB NOT NULL
                    )
                    """)
            // Tickets from before sealing get their key now.
            for id in try String.fetchAll(db, sql: "SELECT id FROM ticket") {
                try Self.insertKey(TicketKey.generate(), for: id, db)
            }
        }
        migrator.registerMigration("v3-conversations") { db in
            // What `platform simulate` played: each conversation, what the
            // agent did, who was rung, who answered, the ticket it made.
            try db.execute(
                sql: """
                    CREATE TABLE conversation (
                        id TEXT PRIMARY KEY,
                        agent TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        at TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        rung TEXT NOT NULL,
                        answered_by TEXT,
                        ticket_id TEXT REFERENCES ticket(id)
                    )
                    """)
        }
        // What a ticket's Idempotency-Key was first used with: a digest of
        // the request (never the request itself), so a reuse with another
        // body is told apart. Cleared when the ticket is erased.
        migrator.registerMigration("v4-idempotency-digest") { db in
            try db.execute(sql: "ALTER TABLE ticket ADD COLUMN request_digest TEXT")
        }
        return migrator
    }

    // MARK: - AgentPlatform

    public func info() async throws(PlatformError) -> PlatformInfo {
        try await read { db in
            PlatformInfo(instance: try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instance'") ?? "")
        }
    }

    public func agents() async throws(PlatformError) -> [Agent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agent ORDER BY id").map(self.agent(from:))
        }
    }

    public func agent(id: String) async throws(PlatformError) -> Agent? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM agent WHERE id = ?", arguments: [id]).map(self.agent(from:))
        }
    }

    public func putAgent(id: String, _ write: AgentWrite, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        // The same rules as `validate`, on the JSON the platform stores.
        let body = Self.encode(write)
        switch AgentBodyValidator.validate(json: Array(body.utf8), id: id) {
        case .failure(let problem): throw .invalid(field: problem.field, message: problem.message)
        case .success: break
        }
        return try await store(id: id, write, body: body, expecting: precondition)
    }

    /// What `AgentBodyValidator` read from a request is valid: stored
    /// without being checked a second time (the server's PUT read each
    /// body twice, a tenth of its time applying 1,000 agents).
    public func putAgent(id: String, validated settings: AgentSettings, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        let write = AgentWrite(settings)
        return try await store(id: id, write, body: Self.encode(write), expecting: precondition)
    }

    private func store(id: String, _ write: AgentWrite, body: String, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        let written = try await self.write { db in
            let current = try Row.fetchOne(db, sql: "SELECT version FROM agent WHERE id = ?", arguments: [id])
            let currentVersion: Int? = current?["version"]
            switch precondition {
            case .unconditional: break
            case .absent:
                if let currentVersion {
                    throw PlatformError.versionConflict(
                        "agent \(id) exists on the platform (version \(Self.versionString(currentVersion))), expected none"
                    )
                }
            case .revision(let ifMatch):
                guard let currentVersion, Self.versionString(currentVersion) == Self.bareVersion(ifMatch) else {
                    throw PlatformError.versionConflict(
                        currentVersion == nil
                            ? "agent \(id) does not exist (expected version \(ifMatch))"
                            : "agent \(id) changed on the platform: it is at version \(Self.versionString(currentVersion!)), not \(Self.bareVersion(ifMatch))"
                    )
                }
            }
            let version = (currentVersion ?? 0) + 1
            let now = Self.timestamp()
            try db.execute(
                sql: """
                    INSERT INTO agent (id, body, version, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at
                    """,
                arguments: [id, body, version, now])
            return Agent(write.settings(id: id), version: Self.versionString(version), updatedAt: now)
        }
        // What a read will decode the stored body to, decoded once now.
        if let stored = try? Self.decode(AgentWrite.self, body) { decoded.withLock { $0[id] = (body, stored) } }
        return written
    }

    public func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket {
        try TicketRules.check(draft)
        return try await write { db in
            let digest = Self.digest(of: draft)
            if let idempotencyKey,
                let row = try Row.fetchOne(
                    db, sql: "SELECT body, request_digest FROM ticket WHERE idempotency_key = ?",
                    arguments: [idempotencyKey])
            {
                // A retry of the same request gets the same ticket; another
                // request under a used key is refused, never dropped. A key
                // whose request is no longer kept (its ticket erased since, or
                // made before requests were kept) cannot tell a retry: refused.
                guard let stored: String = row["request_digest"] else {
                    throw PlatformError.invalid(
                        field: nil,
                        message:
                            "the Idempotency-Key was already used, for a ticket whose request is no longer kept (erased since); use a new key for a new ticket"
                    )
                }
                if stored != digest {
                    throw PlatformError.invalid(
                        field: nil,
                        message:
                            "the Idempotency-Key was already used with a different request; use a new key for a new ticket"
                    )
                }
                return try Self.decode(Ticket.self, row["body"] as String)
            }
            guard
                let agentBody = try String.fetchOne(
                    db, sql: "SELECT body FROM agent WHERE id = ?", arguments: [draft.agent])
            else {
                throw PlatformError.invalid(
                    field: "agent", message: "there is no agent '\(draft.agent)' on this platform")
            }
            let agent = try Self.decode(AgentWrite.self, agentBody)
            guard agent.channels.contains(draft.channel) else {
                throw PlatformError.invalid(
                    field: "channel", message: "agent '\(draft.agent)' does not serve \(draft.channel.rawValue)")
            }
            var id: String
            repeat {
                id = Self.ticketID(UInt32.random(in: 0...UInt32.max))
            } while try Self.ticketExists(id, db)
            return try Self.insertTicket(
                draft, agent: agent, id: id, createdAt: Self.timestamp(), idempotencyKey: idempotencyKey,
                requestDigest: idempotencyKey == nil ? nil : digest, db)
        }
    }

    /// SHA-256 of the draft's canonical JSON (sorted keys), hex.
    static func digest(of draft: TicketDraft) -> String {
        SHA256.hash(data: Data(encode(draft).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func ticketID(_ number: UInt32) -> String { "T-" + String(format: "%08X", number) }

    static func ticketExists(_ id: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM ticket WHERE id = ?", arguments: [id]) == true
    }

    /// Stores a new pending ticket with its own key; `createdAt` is when
    /// the conversation happened (now, except for simulated ones).
    static func insertTicket(
        _ draft: TicketDraft, agent: AgentWrite, id: String, createdAt: String, idempotencyKey: String?,
        requestDigest: String? = nil, _ db: Database
    ) throws -> Ticket {
        let seq = try nextSequence(db)
        let ticket = Ticket(
            id: id, agent: draft.agent, channel: draft.channel, conversation: draft.conversation, createdAt: createdAt,
            reason: draft.reason, summary: draft.summary, customer: draft.customer, fields: draft.fields,
            tags: draft.tags, priority: draft.priority ?? agent.support.flag?.priority ?? .normal, status: .pending,
            updatedAt: createdAt, version: String(seq))
        try db.execute(
            sql: "INSERT INTO ticket (id, seq, body, idempotency_key, request_digest) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, seq, encode(ticket), idempotencyKey, requestDigest])
        try insertKey(TicketKey.generate(), for: id, db)
        return ticket
    }

    public func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
        try await readKeyed { db in
            try Row.fetchOne(db, sql: Self.ticketQuery + " WHERE t.id = ?", arguments: [id]).map {
                try Self.sealedTicket($0, sealing)
            }
        }
    }

    public func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
        var start = 0
        if let cursor {
            guard let value = Int(cursor), value >= 0 else {
                throw .badRequest("'\(cursor)' is not a cursor of this platform")
            }
            start = value
        }
        let position = start
        let pageSize = max(1, min(limit, 1000))
        return try await readKeyed { db in
            let rows = try Row.fetchCursor(
                db, sql: Self.ticketQuery + " WHERE t.seq > ? ORDER BY t.seq LIMIT ?",
                arguments: [position, pageSize + 1])
            var stored: [(body: String, key: TicketKey?)] = []
            var bytes = 0
            var last: Int?
            var more = false
            while let row = try rows.next() {
                let body: String = row["body"]
                if stored.count == pageSize || (!stored.isEmpty && bytes + body.utf8.count > Self.pageBytes) {
                    more = true
                    break
                }
                bytes += body.utf8.count
                stored.append((body, try Self.key(in: row)))
                last = row["seq"]
            }
            // A cursor past the last position handed out is no cursor of
            // this platform (another database under the same instance, a
            // hand edit): read as one, it would skip every ticket before it.
            if stored.isEmpty, position > 0,
                position > (try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'") ?? 0)
            {
                throw PlatformError.badRequest("'\(position)' is not a cursor of this platform: it never got that far")
            }
            // Decoding and sealing, the bulk of a page's work, on every core.
            let tickets = try concurrentMap(stored) { body, key in
                Result { try Self.sealed(Self.decode(Ticket.self, body), key: key, sealing) }
            }.map { try $0!.get() }
            return TicketPage(
                tickets: tickets, nextCursor: more ? last.map(String.init) : nil, cursor: String(last ?? position))
        }
    }

    /// The stored JSON a page of the feed holds at most, past its first
    /// ticket: a page of large tickets is a short page (its `next_cursor`
    /// says where the rest begin), so that no answer is too large for a
    /// client to take, nor a page too large for either side to hold.
    public static let pageBytes = 8 << 20

    public func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket
    {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: Self.ticketQuery + " WHERE t.id = ?", arguments: [id]) else {
                throw PlatformError.notFound("there is no ticket '\(id)'")
            }
            let current = try Self.decode(Ticket.self, row["body"] as String)
            if let ifMatch, Self.bareVersion(ifMatch) != current.version {
                throw PlatformError.versionConflict(
                    "ticket \(id) changed on the platform: it is at version \(current.version), not \(Self.bareVersion(ifMatch))"
                )
            }
            var updated = patch.applied(to: current)
            try TicketRules.checkTransition(from: current, to: updated)
            // A ticket another program wrote has no key yet: it gets one
            // here, as on its first read, so the answer can be sealed.
            var key = try Self.key(in: row)
            if key == nil, current.erasure == nil {
                let made = TicketKey.generate()
                try Self.insertKey(made, for: id, db)
                key = made
            }
            if updated == current { return try Self.sealed(current, key: key, sealing) }
            let seq = try Self.nextSequence(db)
            updated.version = String(seq)
            updated.updatedAt = Self.timestamp()
            try db.execute(
                sql: "UPDATE ticket SET seq = ?, body = ? WHERE id = ?", arguments: [seq, Self.encode(updated), id])
            return try Self.sealed(updated, key: key, sealing)
        }
    }

    // MARK: - TicketCustody

    public func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT key_id, key FROM ticket_key WHERE ticket_id = ?", arguments: [id]).map {
                TicketKeyMaterial(ticket: id, keyID: $0["key_id"], key: Base64.encode([UInt8]($0["key"] as Data)))
            }
        }
    }

    public func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket] {
        let match = try CustomerMatch(contact)
        return try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM ticket ORDER BY seq").compactMap { body in
                let ticket = try Self.decode(Ticket.self, body)
                return match.matches(ticket.record.report.customer) ? ticket : nil
            }
        }
    }

    public func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]
    {
        guard !reason.allSatisfy(\.isWhitespace) else { throw .invalid(field: "reason", message: "give a reason") }
        let match: CustomerMatch?
        if case .customer(let contact) = selection {
            match = try CustomerMatch(contact)
            try Erasure.requireNoCustomerData(reason: reason, by: by, contact: contact)
        } else {
            match = nil
        }
        if case .closedBefore(let time) = selection, TicketTimestamp(time) == nil {
            throw .invalid(field: "closed_before", message: "'\(time)' is not a UTC time YYYY-MM-DDTHH:MM:SSZ")
        }
        let erased = try await write { db -> [Ticket] in
            var chosen: [Ticket] = []
            switch selection {
            case .ticket(let id):
                guard let body = try String.fetchOne(db, sql: "SELECT body FROM ticket WHERE id = ?", arguments: [id])
                else { throw PlatformError.notFound("there is no ticket '\(id)'") }
                chosen = [try Self.decode(Ticket.self, body)]
            case .customer, .closedBefore:
                for body in try String.fetchAll(db, sql: "SELECT body FROM ticket ORDER BY seq") {
                    let ticket = try Self.decode(Ticket.self, body)
                    switch selection {
                    case .customer: if match!.matches(ticket.record.report.customer) { chosen.append(ticket) }
                    case .closedBefore(let time):
                        if ticket.status == .closed, ticket.erasure == nil,
                            let created = TicketTimestamp(ticket.createdAt), let limit = TicketTimestamp(time),
                            created < limit
                        {
                            chosen.append(ticket)
                        }
                    case .ticket: break
                    }
                }
            }
            // Nothing is erased while the reason or author would put a
            // customer's detail into git.
            for ticket in chosen where ticket.erasure == nil {
                try Erasure.requireNoCustomerData(
                    reason: reason, by: by, customer: ticket.record.report.customer, ticket: ticket.id)
            }
            let now = Self.timestamp()
            var erased: [Ticket] = []
            for ticket in chosen {
                // Erasing again erases nothing more, and keeps the first record.
                guard ticket.erasure == nil else {
                    erased.append(ticket)
                    continue
                }
                var updated = ticket
                updated.record = Erasure(at: now, by: by, reason: reason).applied(to: ticket.record)
                let seq = try Self.nextSequence(db)
                updated.version = String(seq)
                updated.updatedAt = now
                try db.execute(
                    sql: "UPDATE ticket SET seq = ?, body = ?, request_digest = NULL WHERE id = ?",
                    arguments: [seq, Self.encode(updated), ticket.id])
                try db.execute(sql: "DELETE FROM ticket_key WHERE ticket_id = ?", arguments: [ticket.id])
                // Until the file is rebuilt (below), older copies may remain.
                // The mark names this erasure, so a rebuild that began before
                // it does not take it away (rebuild()).
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild_pending', ?)",
                    arguments: [String(seq)])
                erased.append(updated)
            }
            return erased
        }
        // On every erasure call, also one that found nothing new to erase: a
        // rebuild or checkpoint an earlier call could not finish is finished here.
        await rebuild()
        await checkpoint()
        return erased
    }

    /// Rebuilds the whole file (SQLite's `VACUUM`) after an erasure.
    /// `secure_delete` zeroes a deleted or overwritten row, but a page that
    /// SQLite rebuilt as rows grew and shrank keeps an older copy of a row in
    /// its unused middle, which the row's later erasure never reaches; the
    /// rebuilt file holds the rows as they are now and nothing else. Only
    /// after an erasure (`rebuild_pending`), so a call that erases nothing
    /// new costs nothing; one that fails (a full disk: the rebuild needs
    /// room for a copy) or is killed is tried again by the next erasure call.
    func rebuild() async {
        do {
            try await database.writeWithoutTransaction { db in
                guard
                    let mark = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rebuild_pending'")
                else { return }
                // The mark goes only once the rebuild is done: a run killed
                // in the middle of it leaves the mark for the next erasure.
                // An erasure another process commits meanwhile leaves its
                // own mark, which stays for the rebuild after it.
                try db.execute(sql: "VACUUM")
                try db.execute(
                    sql: "DELETE FROM meta WHERE key = 'rebuild_pending' AND value = ?", arguments: [mark])
            }
        } catch {
            Logger(label: "supportsync.platform").warning(
                "the database could not be rebuilt after an erasure, so older copies of erased rows may remain in it; the next erasure tries again",
                metadata: ["database": "\(path)", "error": "\(error)"])
        }
    }

    /// Moves every page out of the write-ahead log into the database file
    /// and truncates the log, so an erased value survives in neither. A
    /// reader in the middle of a read holds the log: tried again for up to
    /// a few seconds. The erasure itself is already committed either way,
    /// and the next erasure call checkpoints again.
    func checkpoint() async {
        for attempt in 0..<50 {
            let done =
                (try? await database.writeWithoutTransaction { db -> Bool in
                    let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                    return (row?[0] as Int?) == 0
                }) ?? false
            if done { return }
            try? await Task.sleep(for: .milliseconds(20 * min(attempt + 1, 10)))
        }
        Logger(label: "supportsync.platform").warning(
            "the write-ahead log could not be cleared after an erasure: a reader held it; the next erasure clears it",
            metadata: ["database": "\(path)"])
    }

    // MARK: - Sealing

    /// A ticket's body and its key.
    private static let ticketQuery =
        "SELECT t.seq, t.body, k.key_id, k.key FROM ticket t LEFT JOIN ticket_key k ON k.ticket_id = t.id"

    private static func key(in row: Row) throws -> TicketKey? {
        guard let id: String = row["key_id"], let bytes: Data = row["key"] else { return nil }
        guard let key = TicketKey(id: id, bytes: [UInt8](bytes)) else {
            throw PlatformError.failed("the local platform's database holds a ticket key it cannot read")
        }
        return key
    }

    private static func sealedTicket(_ row: Row, _ sealing: Sealing) throws -> Ticket {
        try sealed(decode(Ticket.self, row["body"] as String), key: key(in: row), sealing)
    }

    private static func sealed(_ ticket: Ticket, key: TicketKey?, _ sealing: Sealing) throws -> Ticket {
        guard !sealing.isEmpty, ticket.erasure == nil else { return ticket }
        guard let key else { throw MissingKey() }
        var sealed = ticket
        sealed.record = TicketSealer.seal(ticket.record, with: key, sealing: sealing)
        return sealed
    }

    /// A ticket stored without a key (by another program writing the file).
    private struct MissingKey: Error {}

    /// Reads; when a ticket read has no key yet, gives every such ticket
    /// one and reads again.
    private func readKeyed<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
        async throws(PlatformError) -> T
    {
        do {
            return try await database.read(body)
        } catch is MissingKey {
            try await write { db in
                let missing = try String.fetchAll(
                    db,
                    sql:
                        // A body that is not JSON (written by another program)
                        // gets a key too, rather than fail every reader.
                        "SELECT t.id FROM ticket t LEFT JOIN ticket_key k ON k.ticket_id = t.id WHERE k.ticket_id IS NULL AND (CASE WHEN json_valid(t.body) THEN json_extract(t.body, '$.erasure') END) IS NULL"
                )
                for id in missing { try Self.insertKey(TicketKey.generate(), for: id, db) }
            }
            return try await read(body)
        } catch {
            throw Self.platformError(error)
        }
    }

    static func insertKey(_ key: TicketKey, for id: String, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO ticket_key (ticket_id, key_id, key) VALUES (?, ?, ?)",
            arguments: [id, key.id, Data(key.bytes)])
    }

    // MARK: - Storage

    static func nextSequence(_ db: Database) throws -> Int {
        try db.execute(sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
        return try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'") ?? 1
    }

    private func agent(from row: Row) throws -> Agent {
        let id: String = row["id"]
        let body: String = row["body"]
        let write: AgentWrite
        if let known = decoded.withLock({ $0[id] }), known.body == body {
            write = known.write
        } else {
            write = try Self.decode(AgentWrite.self, body)
            decoded.withLock { $0[id] = (body, write) }
        }
        return Agent(
            write.settings(id: row["id"]), version: Self.versionString(row["version"]), updatedAt: row["updated_at"])
    }

    static func versionString(_ version: Int) -> String { String(version) }

    /// `If-Match` may carry the version quoted (as an ETag) or bare.
    static func bareVersion(_ tag: String) -> String {
        var text = tag.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        return text
    }

    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(
                .colon
            ).timeZone(separator: .omitted))
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONCoding.encoder().encode(value) else {
            preconditionFailure("\(T.self) holds only strings, numbers and booleans")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            let what = T.self == AgentWrite.self ? "an agent" : T.self == Ticket.self ? "a ticket" : "a record"
            throw PlatformError.failed(
                "the local platform's database holds \(what) it cannot read (written by another program?): \(error)")
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PlatformError) -> T
    {
        do {
            return try await database.read(body)
        } catch {
            throw Self.platformError(error)
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PlatformError) -> T {
        do {
            return try await database.write(body)
        } catch {
            throw Self.platformError(error)
        }
    }

    static func platformError(_ error: any Error) -> PlatformError {
        if let error = error as? PlatformError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return .unavailable("the local platform's database is busy: \(error.message ?? "locked")")
        }
        // SQLite's own words, not the statement GRDB adds (the server
        // answers with this message).
        if let error = error as? DatabaseError {
            return .failed(
                "the local platform's database failed: SQLite error \(error.resultCode.rawValue): \(error.message ?? "no message")"
            )
        }
        return .failed("the local platform's database failed: \(error)")
    }
}
