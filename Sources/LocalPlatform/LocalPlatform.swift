import Foundation
import GRDB
import SupportSync

/// The local platform: the platform's state in a SQLite file, used
/// in-process or served over HTTP by `PlatformServer`. WAL mode and a busy
/// timeout let a running server and a command share the file.
public final class LocalPlatform: AgentPlatform {
    let database: DatabasePool
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
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.label = "supportsync.platform"
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw .failed("cannot open the local platform at \(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
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
                arguments: [UUID().uuidString.lowercased()])
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
            try Row.fetchAll(db, sql: "SELECT * FROM agent ORDER BY id").map(Self.agent(from:))
        }
    }

    public func agent(id: String) async throws(PlatformError) -> Agent? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM agent WHERE id = ?", arguments: [id]).map(Self.agent(from:))
        }
    }

    public func putAgent(id: String, _ write: AgentWrite, expecting ifMatch: String?) async throws(PlatformError)
        -> Agent
    {
        // The same rules as `validate`, on the JSON the platform stores.
        let body = Self.encode(write)
        switch AgentBodyValidator.validate(json: Array(body.utf8), id: id) {
        case .failure(let problem): throw .invalid(field: problem.field, message: problem.message)
        case .success: break
        }
        return try await self.write { db in
            let current = try Row.fetchOne(db, sql: "SELECT version FROM agent WHERE id = ?", arguments: [id])
            let currentVersion: Int? = current?["version"]
            if let ifMatch {
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
    }

    public func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket {
        try TicketRules.check(draft)
        return try await write { db in
            if let idempotencyKey,
                let body = try String.fetchOne(
                    db, sql: "SELECT body FROM ticket WHERE idempotency_key = ?", arguments: [idempotencyKey])
            {
                return try Self.decode(Ticket.self, body)
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
                id = "T-" + String(format: "%08X", UInt32.random(in: 0...UInt32.max))
            } while try Bool.fetchOne(db, sql: "SELECT 1 FROM ticket WHERE id = ?", arguments: [id]) == true
            let seq = try Self.nextSequence(db)
            let now = Self.timestamp()
            let ticket = Ticket(
                id: id, agent: draft.agent, channel: draft.channel, conversation: draft.conversation, createdAt: now,
                reason: draft.reason, summary: draft.summary, customer: draft.customer, fields: draft.fields,
                tags: draft.tags, priority: draft.priority ?? agent.support.flag?.priority ?? .normal, status: .pending,
                updatedAt: now, version: String(seq))
            try db.execute(
                sql: "INSERT INTO ticket (id, seq, body, idempotency_key) VALUES (?, ?, ?, ?)",
                arguments: [id, seq, Self.encode(ticket), idempotencyKey])
            return ticket
        }
    }

    public func ticket(id: String) async throws(PlatformError) -> Ticket? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM ticket WHERE id = ?", arguments: [id]).map {
                try Self.decode(Ticket.self, $0)
            }
        }
    }

    public func tickets(after cursor: String?, limit: Int) async throws(PlatformError) -> TicketPage {
        var start = 0
        if let cursor {
            guard let value = Int(cursor), value >= 0 else {
                throw .badRequest("'\(cursor)' is not a cursor of this platform")
            }
            start = value
        }
        let position = start
        let pageSize = max(1, min(limit, 1000))
        return try await read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, body FROM ticket WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [position, pageSize + 1])
            let page = rows.prefix(pageSize)
            let tickets = try page.map { row in try Self.decode(Ticket.self, row["body"] as String) }
            let last: Int? = page.last?["seq"]
            return TicketPage(
                tickets: tickets, nextCursor: rows.count > pageSize ? last.map(String.init) : nil,
                cursor: String(last ?? position))
        }
    }

    public func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?) async throws(PlatformError)
        -> Ticket
    {
        try await write { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM ticket WHERE id = ?", arguments: [id])
            else {
                throw PlatformError.notFound("there is no ticket '\(id)'")
            }
            let current = try Self.decode(Ticket.self, body)
            if let ifMatch, Self.bareVersion(ifMatch) != current.version {
                throw PlatformError.versionConflict(
                    "ticket \(id) changed on the platform: it is at version \(current.version), not \(Self.bareVersion(ifMatch))"
                )
            }
            var updated = patch.applied(to: current)
            try TicketRules.checkTransition(from: current, to: updated)
            if updated == current { return current }
            let seq = try Self.nextSequence(db)
            updated.version = String(seq)
            updated.updatedAt = Self.timestamp()
            try db.execute(
                sql: "UPDATE ticket SET seq = ?, body = ? WHERE id = ?", arguments: [seq, Self.encode(updated), id])
            return updated
        }
    }

    // MARK: - Storage

    private static func nextSequence(_ db: Database) throws -> Int {
        try db.execute(sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
        return try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'") ?? 1
    }

    private static func agent(from row: Row) throws -> Agent {
        let write = try decode(AgentWrite.self, row["body"] as String)
        return Agent(
            write.settings(id: row["id"]), version: versionString(row["version"]), updatedAt: row["updated_at"])
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

    private static func encode<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONCoding.encoder().encode(value) else {
            preconditionFailure("\(T.self) holds only strings, numbers and booleans")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw PlatformError.failed("the local platform's database holds a \(T.self) it cannot read: \(error)")
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

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PlatformError) -> T
    {
        do {
            return try await database.write(body)
        } catch {
            throw Self.platformError(error)
        }
    }

    private static func platformError(_ error: any Error) -> PlatformError {
        if let error = error as? PlatformError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return .unavailable("the local platform's database is busy: \(error.message ?? "locked")")
        }
        return .failed("the local platform's database failed: \(error)")
    }
}
