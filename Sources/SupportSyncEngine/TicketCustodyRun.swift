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
    public static func reveal(_ record: TicketRecord, platform: any TicketCustody) async throws -> Revealed {
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
