import Foundation
import Git
import Logging
import SupportSync

/// `tickets seal` and `tickets unseal`: rewrites every ticket file on the
/// branch (and in the platform base) with its customer data as the platform
/// returns it under the new sealing, in one tool commit with the cursor.
/// The tool never holds a key for this: the platform seals; unsealing reads
/// plain values, which needs the reveal scope.
public struct TicketResealer {
    public struct Report: Sendable {
        public var rewritten: [String] = []
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

    public func reseal(author: Signature) async throws -> Report {
        let lock = try tickets.lock()
        defer { lock.release() }
        let info = try await platform.info()
        let tip = try tickets.tip()
        let baseTip = try tickets.baseTip()
        var report = Report()
        var change = TicketStore.Change()
        let files = try tip.map { try tickets.repository.files(under: TicketPaths.folder, in: $0) } ?? []
        let baseFiles = Dictionary(
            (try baseTip.map { try tickets.repository.files(under: TicketPaths.folder, in: $0) } ?? []).map {
                ($0.path, $0.blob)
            }, uniquingKeysWith: { first, _ in first })
        for file in files where file.path.hasSuffix(".yaml") {
            let bytes = try tickets.repository.blob(file.blob)
            guard let record = tickets.codec.decodeValid(bytes, path: file.path) else {
                report.skipped.append((file.path, "the file does not validate; fix it (supportsync audit) first"))
                continue
            }
            guard let current = try await platform.ticket(id: record.id, sealing: tickets.sealing) else {
                report.skipped.append((record.id, "the platform has no such ticket"))
                continue
            }
            try TicketPuller.requireSealed([current], tickets.sealing)
            let text = tickets.codec.encode(Self.customerData(of: current.record, in: record))
            if text != bytes {
                change.files.append((file.path, text))
                report.rewritten.append(record.id)
            }
            if let baseBlob = baseFiles[file.path] {
                let baseBytes = try tickets.repository.blob(baseBlob)
                if let base = tickets.codec.decode(baseBytes, path: file.path).record {
                    let baseText = tickets.codec.encode(Self.customerData(of: current.record, in: base))
                    if baseText != baseBytes { change.baseFiles.append((file.path, baseText)) }
                }
            }
        }
        guard report.skipped.isEmpty else { return report }  // all or nothing: one format per repository
        let stored = try tickets.cursor(at: tip)
        let cursor = TicketStore.Cursor(
            instance: stored?.instance ?? info.instance, position: stored?.position, sealing: tickets.sealing)
        let cursorText = Array(cursor.text.utf8)
        if try tickets.bytes(at: TicketStore.cursorPath, in: tip) != cursorText {
            change.files.append((TicketStore.cursorPath, cursorText))
        }
        if try tickets.legacyCursorBytes(at: tip) != nil { change.removals.append(TicketStore.legacyCursorPath) }
        let verb = tickets.sealing.isEmpty ? "unsealed" : "sealed"
        change.message =
            "tickets: \(verb) \(report.rewritten.count)\n\n"
            + (report.rewritten.isEmpty ? "" : "Rewritten: \(report.rewritten.joined(separator: " "))\n\n")
            + "\(TicketStore.trailer): \(cursor.instance) \(cursor.position ?? "start")\n"
        change.baseMessage = "supportsync: platform base \(verb)\n"
        let committed = try tickets.commit(author: author) { newTip, newBaseTip in
            guard newTip == tip, newBaseTip == baseTip else { throw TicketStore.RaceLost() }
            return change
        }
        report.commit = committed?.commit
        return report
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
