import Foundation
import Git
import Logging
import SupportSync
import YAML

/// `tickets seal` and `tickets unseal`: rewrites every ticket file on the
/// branch (and in the platform base) with its customer data as the platform
/// returns it under the new sealing, in one tool commit with the cursor.
/// The tool never holds a key for this: the platform seals; unsealing reads
/// plain values, which needs the reveal scope.
public struct TicketResealer {
    public struct Report: Sendable {
        public var rewritten: [String] = []
        /// Of `rewritten`, the tickets erased on the platform since the last
        /// pull: their files take the erasure (never plain data again), which
        /// the commit names.
        public var erased: [String] = []
        /// Tickets the platform does not have, or whose file does not validate: left as they were.
        public var skipped: [(id: String, reason: String)] = []
        public var commit: ObjectID?

        public var exitStatus: ExitStatus { skipped.isEmpty ? .success : .needsAttention }
    }

    let tickets: TicketStore
    let platform: any TicketSource
    let logger: Logger

    /// `tickets.sealing` is the sealing to write.
    public init(tickets: TicketStore, platform: any TicketSource, logger: Logger = Logger(label: "supportsync.seal")) {
        self.tickets = tickets
        self.platform = platform
        self.logger = logger
    }

    /// `seal` writes more places sealed than the files hold; `unseal` writes
    /// some in plain text, which only ever happens when asked by name.
    public enum Direction: Sendable {
        case seal, unseal
    }

    public func reseal(_ direction: Direction, author: Signature) async throws -> Report {
        let lock = try tickets.lock()
        defer { lock.release() }
        let tip = try tickets.tip()
        let storedSealing =
            try tickets.cursor(at: tip)?.sealing ?? (try tickets.holdsSealedValues(at: tip) ? .all : .none)
        let widens = tickets.sealing.fields.isSuperset(of: storedSealing.fields)
        switch direction {
        case .seal where !widens: throw ResealError.wouldUnseal(stored: storedSealing, configured: tickets.sealing)
        case .unseal where widens:
            throw ResealError.nothingToUnseal(stored: storedSealing, configured: tickets.sealing)
        default: break
        }
        let info = try await platform.info()
        let baseTip = try tickets.baseTip()
        var report = Report()
        var change = TicketStore.Change()
        let files = try tip.map { try tickets.repository.files(under: TicketPaths.folder, in: $0) } ?? []
        let baseFiles = Dictionary(
            (try baseTip.map { try tickets.repository.files(under: TicketPaths.folder, in: $0) } ?? []).map {
                ($0.path, $0.blob)
            }, uniquingKeysWith: { first, _ in first })
        // The files as they are now: sealed where the stored sealing says.
        let asStored = TicketCodec(sealing: storedSealing)
        for file in files where file.path.hasSuffix(".yaml") {
            let bytes = try tickets.repository.blob(file.blob)
            guard let record = asStored.decodeValid(bytes, path: file.path) else {
                report.skipped.append((file.path, "the file does not validate; fix it (supportsync audit) first"))
                continue
            }
            // An erased ticket holds no customer data to seal or open (and a
            // platform that forgets erased tickets has nothing to say of it).
            if record.erasure != nil { continue }
            guard let current = try await platform.ticket(id: record.id, sealing: tickets.sealing) else {
                report.skipped.append(
                    (
                        record.id,
                        "the platform has no such ticket, so it cannot seal it; remove \(file.path) in a commit (or restore the ticket on the platform) and run this again"
                    ))
                continue
            }
            try TicketPuller.requireSealed([current], tickets.sealing)
            let text = tickets.codec.encode(Self.customerData(of: current.record, in: record))
            // Sealed text is longer than plain: never write what the reader would refuse.
            if text.count > YAMLLimits.default.maxBytes {
                report.skipped.append(
                    (
                        record.id,
                        "its file would be \(text.count) bytes, over the \(YAMLLimits.default.maxBytes)-byte limit of a ticket file"
                    ))
                continue
            }
            if text != bytes {
                change.files.append((file.path, text))
                report.rewritten.append(record.id)
                if current.record.erasure != nil { report.erased.append(record.id) }
            }
            if let baseBlob = baseFiles[file.path] {
                try rewriteBase(file.path, baseBlob, with: current.record, into: &change)
            }
        }
        // The base may hold tickets the branch does not (a branch reset, say): rewritten too.
        let onBranch = Set(files.map(\.path))
        for (path, blob) in baseFiles.sorted(by: { $0.key < $1.key }) where !onBranch.contains(path) {
            guard path.hasSuffix(".yaml"),
                let base = tickets.codec.decode(try tickets.repository.blob(blob), path: path).record,
                base.erasure == nil,
                let current = try await platform.ticket(id: base.id, sealing: tickets.sealing)
            else { continue }
            try TicketPuller.requireSealed([current], tickets.sealing)
            try rewriteBase(path, blob, with: current.record, into: &change)
        }
        // All or nothing: one format per repository.
        guard report.skipped.isEmpty else {
            report.rewritten = []
            report.erased = []
            return report
        }
        let stored = try tickets.cursor(at: tip)
        let cursor = TicketStore.Cursor(
            instance: stored?.instance ?? info.instance, position: stored?.position, sealing: tickets.sealing)
        try TicketPuller.requireCommitSafe(cursor)
        let cursorText = Array(cursor.text.utf8)
        if try tickets.bytes(at: TicketStore.cursorPath, in: tip) != cursorText {
            change.files.append((TicketStore.cursorPath, cursorText))
        }
        if try tickets.legacyCursorBytes(at: tip) != nil { change.removals.append(TicketStore.legacyCursorPath) }
        // What this commit did: an unseal that keeps other places sealed
        // still put customer data into git in plain text.
        let verb = direction == .seal ? "sealed" : "unsealed"
        change.message =
            "tickets: \(verb) \(report.rewritten.count)\n\n"
            + (report.rewritten.isEmpty ? "" : "Rewritten: \(IDList.capped(report.rewritten, separator: " "))\n\n")
            + (report.erased.isEmpty
                ? ""
                : "Erased on the platform since the last pull: \(IDList.capped(report.erased, separator: " "))\n\n")
            + "\(TicketStore.trailer): \(cursor.instance) \(cursor.position ?? "start")\n"
        change.baseMessage = "supportsync: platform base \(verb)\n"
        let committed = try tickets.commit(author: author) { newTip, newBaseTip in
            guard newTip == tip, newBaseTip == baseTip else { throw TicketStore.RaceLost() }
            try tickets.refuseDirtyPaths(change.files, removing: change.removals)
            return change
        }
        report.commit = committed?.commit
        // The list cache's reasons were the files' before: not kept past the rewrite.
        if committed != nil { TicketListCache.forget(gitDirectory: tickets.repository.gitDirectory) }
        return report
    }

    private func rewriteBase(
        _ path: String, _ blob: ObjectID, with platform: TicketRecord, into change: inout TicketStore.Change
    ) throws {
        let bytes = try tickets.repository.blob(blob)
        guard let base = tickets.codec.decode(bytes, path: path).record else { return }
        let text = tickets.codec.encode(Self.customerData(of: platform, in: base))
        if text != bytes { change.baseFiles.append((path, text)) }
    }

    /// `record` with the platform's customer data (reason, summary, customer,
    /// fields) and erasure record in place of its own; team fields kept.
    static func customerData(of platform: TicketRecord, in record: TicketRecord) -> TicketRecord {
        var result = record
        result.report.reason = platform.report.reason
        result.report.summary = platform.report.summary
        result.report.customer = platform.report.customer
        result.report.fields = platform.report.fields
        result.erasure = platform.erasure
        return result
    }
}

public enum ResealError: UserError {
    case wouldUnseal(stored: Sealing, configured: Sealing)
    case nothingToUnseal(stored: Sealing, configured: Sealing)

    static func names(_ sealing: Sealing) -> String {
        sealing.isEmpty ? "nothing" : sealing.sorted.map(\.rawValue).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .wouldUnseal(let stored, let configured):
            return
                "the ticket files seal \(Self.names(stored)) and supportsync.yaml seals \(Self.names(configured)): writing that would store customer data in plain text, which takes supportsync tickets unseal"
        case .nothingToUnseal(let stored, let configured):
            return
                "the ticket files seal \(Self.names(stored)) and supportsync.yaml seals \(Self.names(configured)): nothing would be stored in plain text; take fields out of tickets.seal first, or run supportsync tickets seal"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}
