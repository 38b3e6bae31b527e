import Foundation
import Git
import SupportSync
import SupportSyncGit
import TicketSealing

extension TicketStore {
    /// The repository's tickets at `root`, sealed as `supportsync.yaml` says
    /// (every field without one). Refuses (64) when that file has errors.
    public static func project(root: URL, ref: String? = nil) throws -> TicketStore {
        try project(root: root, ref: ref, settings: try ticketSettings(root: root))
    }

    /// The repository's tickets with `settings` already read.
    static func project(root: URL, ref: String? = nil, settings: ProjectFile.TicketSettings) throws -> TicketStore {
        var store = try TicketStore(root: root, ref: ref)
        store.sealing = settings.sealing
        return store
    }

    /// The `tickets:` section of `supportsync.yaml` at `root` (the defaults
    /// without the file); refuses (64) when the file has errors.
    static func ticketSettings(root: URL) throws -> ProjectFile.TicketSettings {
        let (file, diagnostics) = ProjectFile.load(root: root)
        guard !diagnostics.contains(where: { $0.severity == .error }) else {
            throw ConfigInvalid(
                report: DiagnosticReport(files: 1, diagnostics: diagnostics), subject: ProjectFile.path)
        }
        return file?.tickets ?? ProjectFile.TicketSettings()
    }
}

/// Revealing, finding and erasing customer data: what the reveal and erase
/// scopes allow. The tool opens sealed values itself with the key the
/// platform hands over, in memory only.
public enum TicketCustodyRun {
    /// A ticket as `tickets show --reveal` prints it.
    public struct Revealed: Sendable {
        public var record: TicketRecord
        /// Why values still print sealed (no reveal scope, an erased key); nil when all opened.
        public var note: String?
    }

    /// `record` with its sealed values opened with the ticket's key. Without
    /// the reveal scope, or once the key is destroyed, the record comes back
    /// sealed with a note, never an error. A value that does not open
    /// (tampered, moved, another key) is an error naming the field.
    public static func reveal(_ record: TicketRecord, platform: any ManagedPlatform) async throws -> Revealed {
        if WithheldValue.isWithheld(in: record) { return try await revealWithheld(record, platform: platform) }
        guard !SealedValue.values(in: record, sealing: .all).isEmpty else { return Revealed(record: record) }
        let material: TicketKeyMaterial?
        do {
            material = try await platform.ticketKey(id: record.id)
        } catch {
            guard case .forbidden = error else { throw error }
            return Revealed(record: record, note: "this token may not reveal customer data (it lacks the reveal scope)")
        }
        guard let material else {
            return Revealed(
                record: record,
                note:
                    "the platform has no key for \(record.id): its customer data was erased, and sealed copies can no longer be opened"
            )
        }
        guard let bytes = Base64.decode(material.key), let key = TicketKey(id: material.keyID, bytes: bytes) else {
            throw PlatformError.failed("the platform's key for \(record.id) is not a key")
        }
        do {
            return Revealed(record: try TicketSealer.open(record, with: key))
        } catch {
            throw RevealError(id: record.id, problem: error)
        }
    }

    /// Withheld values (a platform that holds no keys, such as Vapi) are
    /// read from the platform, which keeps them with the conversation.
    static func revealWithheld(_ record: TicketRecord, platform: any ManagedPlatform) async throws -> Revealed {
        let current: Ticket?
        do {
            current = try await platform.ticket(id: record.id, sealing: .none)
        } catch {
            guard case .forbidden = error else { throw error }
            return Revealed(record: record, note: "this token may not reveal customer data (it lacks the reveal scope)")
        }
        guard let current else {
            return Revealed(
                record: record,
                note:
                    "the platform no longer has \(record.id)'s conversation (erased or deleted there): its withheld customer data is gone"
            )
        }
        var opened = record
        for place in WithheldValue.places(in: record) {
            place.set(place.value(in: current.record) ?? nil, in: &opened)
        }
        return Revealed(record: opened)
    }

    /// What `tickets erase` did.
    public struct Erased: Sendable {
        public var ids: [String]
        /// The commit of the erasures, for a platform that forgets erased
        /// tickets; nil when the next pull brings them.
        public var commit: ObjectID?
    }

    /// Erases on the platform. A platform that keeps erased tickets reports
    /// them to the next pull; for one that forgets them (`keepsErasedTickets`
    /// false: Vapi deletes the call) the erasures are committed to git now,
    /// and a ticket git holds that the platform no longer has is erased in
    /// git alone (its conversation is already gone there).
    public static func erase(
        _ selection: ErasureSelection, reason: String, by: String, platform: any ManagedPlatform,
        tickets: TicketStore, author: Signature
    ) async throws -> Erased {
        guard !platform.keepsErasedTickets else {
            return Erased(ids: try await platform.erase(selection, reason: reason, by: by).map(\.id))
        }
        var erased: [Ticket]
        do {
            erased = try await platform.erase(selection, reason: reason, by: by)
        } catch {
            guard case .notFound = error, case .ticket(let id) = selection,
                let record = try? TicketQueries(tickets: tickets).show(id).record, record.erasure == nil
            else { throw error }
            erased = [Erasure(by: by, reason: reason).erased(record)]
        }
        return try await commitErasures(erased, platform: platform, tickets: tickets, author: author)
    }

    /// Commits the erasures of the tickets git holds; one never pulled
    /// leaves nothing in git to erase.
    static func commitErasures(
        _ erased: [Ticket], platform: any ManagedPlatform, tickets: TicketStore, author: Signature
    ) async throws -> Erased {
        let queries = TicketQueries(tickets: tickets)
        let held = erased.filter { (try? queries.path(of: $0.id)) != nil }
        let report = try await TicketPuller(tickets: tickets, platform: platform).record(
            held, TicketPuller.Options(author: author))
        return Erased(ids: erased.map(\.id), commit: report.commits.last)
    }

    /// Retention (`tickets.erase_closed_after`) on a platform that keeps no
    /// ticket status: the closed tickets are chosen from git, erased one by
    /// one on the platform, and the erasures committed.
    public static func eraseClosed(
        before limit: String, reason: String, by: String, platform: any ManagedPlatform, tickets: TicketStore,
        author: Signature
    ) async throws -> Erased {
        let closed = try TicketQueries(tickets: tickets).list(TicketQueries.Filter(status: .closed)).map(\.record)
            .filter { $0.erasure == nil && $0.createdAt < limit }
        var erased: [Ticket] = []
        for record in closed {
            do {
                erased += try await platform.erase(.ticket(record.id), reason: reason, by: by)
            } catch {
                guard case .notFound = error else { throw error }
                erased.append(Erasure(by: by, reason: reason).erased(record))
            }
        }
        return try await commitErasures(erased, platform: platform, tickets: tickets, author: author)
    }

    public struct RevealError: UserError {
        public var id: String
        public var problem: TicketSealer.OpenError
        public var description: String { "ticket \(id): \(problem)" }
        public var exitStatus: ExitStatus { .needsAttention }
    }

    /// The time `days` before `now`, as the platform's `closed_before`.
    public static func retentionLimit(days: Int, now: Date = Date()) -> String {
        let limit = now.addingTimeInterval(-Double(days) * 86_400)
        return limit.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
                .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
