import Git
import Logging
import SupportSync

/// Erasure on a platform that forgets erased tickets
/// (`TicketCustody.keepsErasedTickets` false: Vapi deletes the call), where
/// no later pull brings the erasure: it is committed as the tickets are
/// erased, as a pull would commit it (merged, with the base moved, the
/// cursor kept where it is).
extension TicketPuller {
    public struct Erasures: Sendable {
        /// Erased on the platform, or in git alone when the platform no longer had them.
        public var erased: [String] = []
        /// Neither the platform nor git has them.
        public var unknown: [String] = []
        /// The commit of the erasures; nil when git held none of them.
        public var commit: ObjectID?
        /// Why the erasure stopped before the end (what was erased before it is committed).
        public var failure: PlatformError?
    }

    /// Under the repository's lock: refuses first what would stop the
    /// commit (files sealed another way, uncommitted changes to the files),
    /// then has `delete` erase each ticket on the platform, and commits an
    /// erasure for each file git holds, built from git's record. A ticket the
    /// platform no longer has (`.notFound`) is erased in git alone. When
    /// `delete` fails, the erasures before it are committed and the failure
    /// returned.
    public func eraseForgotten(
        _ ids: [String], erasure: Erasure, options: Options,
        delete: (String) async throws(PlatformError) -> Void
    ) async throws -> Erasures {
        let lock = try tickets.lock()
        defer { lock.release() }
        let info = try await platform.info()
        var tip = try tickets.tip()
        try tickets.requireStoredSealing(try tickets.cursor(at: tip), at: tip)
        var known = try tickets.ticketIndex(at: tip)
        var held: [String: TicketRecord] = [:]
        var paths: [String] = []
        for id in Set(ids) {
            guard let path = known.path(of: id),
                let bytes = try tickets.bytes(at: path, in: tip),
                let record = tickets.codec.decode(bytes, path: path).record, record.erasure == nil
            else { continue }
            held[id] = record
            paths.append(path)
        }
        if tickets.followsWorkingTree {
            let dirty = try tickets.repository.uncommittedPaths(among: paths)
            if !dirty.isEmpty { throw TicketPullError.dirtyPaths(dirty.sorted()) }
        }
        // Before anything is deleted: the erasures' commit would be refused.
        if !paths.isEmpty { try tickets.requireNoOperationInProgress() }
        var result = Erasures()
        // A conversation the platform does not know is gone only if this is
        // the platform git's tickets came from: another URL knows none of them.
        let storedInstance = try tickets.cursor(at: tip)?.instance
        for id in ids {
            do {
                try await delete(id)
            } catch {
                guard case .notFound = error else {
                    result.failure = error
                    break
                }
                guard held[id] != nil else {
                    result.unknown.append(id)
                    continue
                }
                if let storedInstance, storedInstance != info.instance {
                    result.failure = .failed(
                        "the platform has no conversation \(PrintableText.escaping(id)), but git's tickets came from \(PrintableText.escaping(storedInstance)), not \(PrintableText.escaping(info.instance)): check the platform's URL; the ticket was not erased"
                    )
                    break
                }
            }
            result.erased.append(id)
        }
        let reported = result.erased.compactMap { held[$0].map(erasure.erased) }
        guard !reported.isEmpty else { return result }
        var report = Report()
        for _ in 0..<20 {
            let stored = try tickets.cursor(at: tip)
            let cursor = TicketStore.Cursor(
                instance: stored?.instance ?? info.instance, position: stored?.position, sealing: tickets.sealing)
            try TicketPuller.requireCommitSafe(cursor)
            var refused: [(id: String, reason: String)] = []
            do {
                result.commit = try write(
                    reported, cursor: cursor, tip: tip, options: options, known: &known, refused: &refused,
                    report: &report)
                return result
            } catch is TicketStore.RaceLost {
                logger.info("the branch moved; writing the erasures again on the new tip")
                tip = try tickets.tip()
                known = try tickets.ticketIndex(at: tip)
            }
        }
        throw TicketStore.RaceLost()
    }
}
