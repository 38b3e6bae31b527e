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
        let (file, diagnostics) = Workspace.projectFile(root: root)
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

    /// A customer's tickets as the platform finds them (`tickets find`), with
    /// git's team fields where the platform keeps none (Vapi): its own say
    /// nothing of the team's work.
    public static func find(customer: String, platform: any ManagedPlatform, root: URL) async throws
        -> [TicketRecord]
    {
        var records = try await platform.tickets(ofCustomer: customer).map(\.record)
        guard !platform.holdsTeamFields else { return records }
        let queries = TicketQueries(tickets: try TicketStore.project(root: root))
        for index in records.indices {
            if let git = try? queries.show(records[index].id).record { records[index].team = git.team }
        }
        return records
    }

    /// `record` with its sealed values opened with the ticket's key. Without
    /// the reveal scope, or once the key is destroyed, the record comes back
    /// sealed with a note, never an error. A value that does not open
    /// (tampered, moved, another key) is an error naming the field. Only the
    /// places `sealing` covers (the repository's) are opened: elsewhere a
    /// value is text, whatever it starts with.
    public static func reveal(_ record: TicketRecord, sealing: Sealing = .all, platform: any ManagedPlatform)
        async throws -> Revealed
    {
        if WithheldValue.isWithheld(in: record) { return try await revealWithheld(record, platform: platform) }
        // Plain text where the platform seals did not come from it sealed,
        // nor any value of an erased ticket: shown beside what the platform
        // sent, it would pass for the customer's.
        let plainNote: String?
        if record.erasure != nil {
            let held = SealedPlace.all(in: record).filter {
                guard case .some(.some(let text)) = $0.value(in: record) else { return false }
                return !text.isEmpty
            }
            plainNote =
                held.isEmpty
                ? nil
                : "\(held.map(\.path).joined(separator: ", ")) \(held.count == 1 ? "holds" : "hold") a value, but the ticket's customer data was erased: not a value the platform sent (written in git by hand, or brought back by a merge); `supportsync audit` shows who wrote it"
        } else {
            let plain = sealing.isEmpty ? [] : SealedValue.plainPlaces(in: record, sealing: sealing)
            plainNote =
                plain.isEmpty
                ? nil
                : "\(plain.map(\.path).joined(separator: ", ")) \(plain.count == 1 ? "holds" : "hold") plain text where the platform seals: not a value the platform sent (written in git by hand, or pulled before sealing); `supportsync audit` shows who wrote it"
        }
        guard !SealedValue.values(in: record, sealing: sealing).isEmpty else {
            return Revealed(record: record, note: plainNote)
        }
        let material: TicketKeyMaterial?
        do {
            material = try await platform.ticketKey(id: record.id)
        } catch {
            guard case .forbidden = error else { throw error }
            return Revealed(record: record, note: noRevealScope)
        }
        guard let material else {
            // No key: erased, or a platform that never had the ticket (another
            // database or environment), which must not read as an erasure.
            guard try await platform.ticket(id: record.id, sealing: .all) != nil else {
                throw PlatformError.notFound(
                    "the platform has no ticket \(record.id): its sealed values open only with the key of the platform it was pulled from (check --platform, --db or the environment)"
                )
            }
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
            return Revealed(record: try TicketSealer.open(record, with: key, sealing: sealing), note: plainNote)
        } catch {
            throw RevealError(id: record.id, problem: error)
        }
    }

    static let noRevealScope = "this token may not reveal customer data (it lacks the reveal scope)"

    /// Withheld values (a platform that holds no keys, such as Vapi) are
    /// read from the platform, which keeps them with the conversation.
    static func revealWithheld(_ record: TicketRecord, platform: any ManagedPlatform) async throws -> Revealed {
        let current: Ticket?
        do {
            current = try await platform.ticket(id: record.id, sealing: .none)
        } catch {
            guard case .forbidden = error else { throw error }
            return Revealed(record: record, note: noRevealScope)
        }
        guard let current else {
            return Revealed(
                record: record,
                note:
                    "the platform has no ticket \(record.id) any more (its conversation was deleted, or is no longer a flagged case of this environment): its withheld customer data cannot be read"
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
        /// The tickets erased now.
        public var ids: [String]
        /// Tickets the platform named that git holds erased already:
        /// erasing an erased ticket changes nothing.
        public var alreadyErased: [String] = []
        /// The commit of the erasures, for a platform that forgets erased
        /// tickets; nil when the next pull brings them, or git held none.
        public var commit: ObjectID?
        /// Whether the platform forgets erased tickets (no later pull brings them).
        public var forgotten = false
    }

    /// Erases on the platform. A platform that keeps erased tickets reports
    /// them to the next pull. For one that forgets them (Vapi deletes the
    /// call), the tickets are erased one by one and the erasures committed
    /// now (`TicketPuller.eraseForgotten`), each from git's record; a
    /// customer's tickets are those the platform finds.
    public static func erase(
        _ selection: ErasureSelection, reason: String, by: String, platform: any ManagedPlatform,
        tickets: TicketStore, author: Signature
    ) async throws -> Erased {
        guard !platform.keepsErasedTickets else {
            let erased = try await platform.erase(selection, reason: reason, by: by).map(\.id)
            // The platform's word for what it erased is checked where it can be.
            if case .ticket(let id) = selection, erased != [id] {
                throw PlatformError.failed(
                    "the platform answered the erasure of ticket '\(PrintableText.escaping(id))' by naming "
                        + (erased.isEmpty
                            ? "no ticket"
                            : erased.prefix(5).map { "'\(PrintableText.escaping($0))'" }.joined(separator: ", "))
                        + " as erased; erase it again, and report it to the platform's operators if it persists")
            }
            // Erasing again changes nothing: said, when git holds the erasure already.
            let queries = TicketQueries(tickets: tickets)
            let already = erased.filter { id in (try? queries.committed(id))??.erasure != nil }
            return Erased(ids: erased.filter { !already.contains($0) }, alreadyErased: already)
        }
        let ids: [String]
        switch selection {
        case .ticket(let id): ids = [id]
        case .customer(let contact): ids = try await platform.tickets(ofCustomer: contact).map(\.id)
        case .closedBefore(let limit): ids = try closedTickets(before: limit, in: tickets)
        }
        let done = try await TicketPuller(tickets: tickets, platform: platform).eraseForgotten(
            ids, erasure: Erasure(by: by, reason: reason), options: TicketPuller.Options(author: author)
        ) { id throws(PlatformError) in
            _ = try await platform.erase(.ticket(id), reason: reason, by: by)
        }
        if let failure = done.failure {
            throw PartialErasure(erased: done.erased, commit: done.commit, failure: failure)
        }
        if case .ticket(let id) = selection, done.unknown.contains(id) {
            throw PlatformError.notFound("there is no ticket '\(PrintableText.escaping(id))' on the platform or in git")
        }
        return Erased(ids: done.erased, commit: done.commit, forgotten: true)
    }

    /// The closed tickets in git created before `limit` (RFC 3339, UTC) and not erased yet.
    static func closedTickets(before limit: String, in tickets: TicketStore) throws -> [String] {
        guard let limit = TicketTimestamp(limit) else { return [] }
        return try TicketQueries(tickets: tickets).list(TicketQueries.Filter(status: .closed)).map(\.record)
            .filter { record in
                record.erasure == nil && TicketTimestamp(record.createdAt).map { $0 < limit } == true
            }
            .map(\.id)
    }

    /// An erasure stopped by the platform: what it erased before is committed.
    public struct PartialErasure: UserError {
        public var erased: [String]
        public var commit: ObjectID?
        public var failure: PlatformError

        public var description: String {
            "the erasure stopped: \(failure.message)"
                + (erased.isEmpty
                    ? "; nothing was erased"
                    : "; erased before it, and committed\(commit.map { " (\($0.hex.prefix(8)))" } ?? ""): \(IDList.capped(erased, separator: " "))")
        }

        public var exitStatus: ExitStatus { failure.exitStatus }
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
