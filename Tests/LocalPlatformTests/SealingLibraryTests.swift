import Foundation
import GRDB
import SupportSync
import TestSupport
import Testing
import TicketSealing

@testable import LocalPlatform

/// The sealer on its own: deterministic, bound to its ticket and field,
/// padded, and opened only by its key.
@Suite struct SealingLibraryTests {
    static let record = TicketSamples.record

    @Test func sealingIsDeterministicPaddedAndOpensBack() throws {
        let key = TicketKey.generate()
        let sealed = TicketSealer.seal(Self.record, with: key, sealing: .all)
        #expect(sealed == TicketSealer.seal(Self.record, with: key, sealing: .all), "same value, same bytes")
        #expect(SealedValue.plainPlaces(in: sealed, sealing: .all).isEmpty)
        #expect(sealed.id == Self.record.id && sealed.tags == Self.record.tags && sealed.team == Self.record.team)
        #expect(try TicketSealer.open(sealed, with: key) == Self.record)
        // A null is sealed too, and opens as null.
        var withoutPhone = Self.record
        withoutPhone.customer.phone = nil
        let sealedNull = TicketSealer.seal(withoutPhone, with: key, sealing: .all)
        #expect(sealedNull.customer.phone.map(SealedValue.isSealed) == true)
        #expect(try TicketSealer.open(sealedNull, with: key).customer.phone == nil)
        // Lengths say little: one byte and thirty bytes seal to the same size.
        let short = TicketSealer.seal("a", at: "summary", of: "T-1", with: key)
        let longer = TicketSealer.seal(String(repeating: "a", count: 29), at: "summary", of: "T-1", with: key)
        #expect(short.count == longer.count)
        // Only the fields asked for.
        let onlyCustomer = TicketSealer.seal(Self.record, with: key, sealing: Sealing([.customer]))
        #expect(onlyCustomer.summary == Self.record.summary && onlyCustomer.reason == Self.record.reason)
    }

    @Test func aValueMovedToAnotherTicketOrFieldOrChangedDoesNotOpen() throws {
        let key = TicketKey.generate()
        let other = TicketKey.generate()
        let value = TicketSealer.seal("ana@example.com", at: "customer.email", of: "T-1", with: key)
        #expect(try TicketSealer.open(value, at: "customer.email", of: "T-1", with: key) == "ana@example.com")
        #expect(throws: TicketSealer.OpenError.self) {
            try TicketSealer.open(value, at: "customer.name", of: "T-1", with: key)
        }
        #expect(throws: TicketSealer.OpenError.self) {
            try TicketSealer.open(value, at: "customer.email", of: "T-2", with: key)
        }
        #expect(throws: TicketSealer.OpenError.self) {
            try TicketSealer.open(value, at: "customer.email", of: "T-1", with: other)
        }
        var bytes = Array(value.utf8)
        let index = bytes.count - 6
        bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: TicketSealer.OpenError.self) {
            try TicketSealer.open(String(decoding: bytes, as: UTF8.self), at: "customer.email", of: "T-1", with: key)
        }
    }

    @Test func erasureDestroysTheKeyAndTheDataAndKeepsTheTicket() async throws {
        let folder = try TemporaryFolder()
        let local = try await Self.platformWithAgent(in: folder)
        let draft = TicketDraft(
            agent: "billing-line", channel: .calls, conversation: "c", reason: "why-MARK", summary: "what-MARK",
            customer: Customer(name: "Ana-MARK", email: "ana@example.com"), fields: ["order": "o-MARK"])
        let ticket = try await local.createTicket(draft, idempotencyKey: nil)
        #expect(try await local.ticketKey(id: ticket.id) != nil)
        let erased = try await local.erase(.ticket(ticket.id), reason: "request 1", by: "dpo")
        #expect(erased.map(\.id) == [ticket.id])
        #expect(try await local.ticketKey(id: ticket.id) == nil, "the key is destroyed")
        let after = try #require(try await local.ticket(id: ticket.id, sealing: .none))
        #expect(after.erasure?.reason == "request 1" && after.erasure?.by == "dpo")
        #expect(after.customer == Customer() && after.summary.isEmpty && after.reason.isEmpty && after.fields.isEmpty)
        #expect(after.version != ticket.version, "a new version, so the next pull commits it")
        #expect(try await local.tickets(ofCustomer: "ANA@example.com").isEmpty)
        // Erasing again changes nothing; an unknown id is not found.
        #expect(try await local.erase(.ticket(ticket.id), reason: "again", by: "x") == [after])
        await #expect(throws: PlatformError.self) {
            try await local.erase(.ticket("T-00000000"), reason: "r", by: "b")
        }
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: local.path + suffix) ?? Data()
            #expect(!String(decoding: bytes, as: UTF8.self).contains("MARK"), "platform.sqlite\(suffix)")
        }
    }

    /// SQLite's `secure_delete` zeroes a deleted row, but a page rebuilt when
    /// rows grow and shrink (every push changes a ticket) can keep an older
    /// copy of a row in its unused middle. After an erasure no copy of the
    /// customer's data may be left anywhere in the file, whatever the
    /// tickets went through before.
    @Test func noOlderCopyOfAnErasedTicketSurvivesInTheFile() async throws {
        let folder = try TemporaryFolder()
        let local = try await Self.platformWithAgent(in: folder)
        // Sizes from a fixed sequence, so every run moves the same rows.
        var state: UInt64 = 1
        func size(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Int(state >> 33) % range.count
        }
        var tickets: [Ticket] = []
        for number in 0..<1000 {
            // Nine tickets in ten are of the customer who asks to be erased.
            let email = number % 10 != 1 ? "erase-me@example.com" : "keep-\(number)@example.com"
            let draft = TicketDraft(
                agent: "billing-line", channel: .calls, conversation: "c\(number)", reason: "reason \(number)",
                summary: String(repeating: "s", count: size(100...900)),
                customer: Customer(name: "Customer \(number)", email: email), fields: [:])
            tickets.append(try await local.createTicket(draft, idempotencyKey: nil))
        }
        // Team changes of every size, as pushes make them, move rows around.
        for round in 0..<3 {
            for (index, ticket) in tickets.enumerated() {
                var patch = TicketPatch(status: round == 0 ? .inProgress : nil)
                patch.resolution = .set(String(repeating: "r", count: size(100...900)))
                tickets[index] = try await local.patchTicket(id: ticket.id, patch, expecting: nil, sealing: .none)
            }
        }
        let erased = try await local.erase(.customer("erase-me@example.com"), reason: "request", by: "dpo")
        #expect(erased.count == 900)
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: local.path + suffix) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("erase-me@example.com"), "platform.sqlite\(suffix)")
            if suffix.isEmpty { #expect(text.contains("keep-1@example.com"), "the others are kept") }
        }
    }

    /// A local platform in `folder` with one flag agent, `billing-line`.
    static func platformWithAgent(in folder: TemporaryFolder) async throws -> LocalPlatform {
        let local = try LocalPlatform(path: folder.url.appendingPathComponent("platform.sqlite").path)
        _ = try await local.putAgent(
            id: "billing-line",
            AgentWrite(
                name: "Billing", channels: [.calls],
                support: SupportSettings(mode: .flag, flag: FlagSettings(priority: .normal))),
            expecting: .unconditional)
        return local
    }

    /// A local platform in `folder` with one flag agent and one ticket of it.
    static func platformWithOneTicket(in folder: TemporaryFolder) async throws -> (LocalPlatform, Ticket) {
        let local = try await Self.platformWithAgent(in: folder)
        let ticket = try await local.createTicket(
            TicketDraft(
                agent: "billing-line", channel: .calls, conversation: "c1", reason: "reason", summary: "summary",
                customer: Customer(name: "Ana", email: "ana@example.com"), fields: [:]),
            idempotencyKey: nil)
        return (local, ticket)
    }

    /// The mark that asks for a rebuild is taken away only once the rebuild
    /// is done: a run killed in the middle of the rebuild leaves it, and the
    /// next erasure rebuilds. Seen from another connection while the
    /// rebuild runs.
    @Test func theRebuildMarkOutlivesARebuildThatDoesNotFinish() async throws {
        let folder = try TemporaryFolder()
        let (local, ticket) = try await Self.platformWithOneTicket(in: folder)
        let path = local.path
        let seen = LockedMarks()
        try await local.database.writeWithoutTransaction { db in
            db.trace(options: .statement) { event in
                guard "\(event)".uppercased().hasPrefix("VACUUM") else { return }
                let witness = try? DatabaseQueue(path: path)
                let mark = try? witness?.read { db in
                    try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rebuild_pending'")
                }
                seen.append(mark ?? nil)
            }
        }
        _ = try await local.erase(.ticket(ticket.id), reason: "request", by: "dpo")
        #expect(seen.values.count == 1 && seen.values.first! != nil, "the mark while the rebuild runs: \(seen.values)")
        let after = try await local.database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rebuild_pending'")
        }
        #expect(after == nil, "and gone once it is done")
    }

    /// An erasure another process commits while a rebuild runs leaves its
    /// own mark, which that rebuild does not take away.
    @Test func anErasureDuringARebuildKeepsItsMark() async throws {
        let folder = try TemporaryFolder()
        let (local, ticket) = try await Self.platformWithOneTicket(in: folder)
        let path = local.path
        try await local.database.writeWithoutTransaction { db in
            db.trace(options: .statement) { event in
                guard "\(event)".uppercased().hasPrefix("VACUUM") else { return }
                // The other process's erasure, committed as the rebuild begins.
                let other = try? DatabaseQueue(path: path)
                try? other?.write { db in
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild_pending', 'another erasure')")
                }
            }
        }
        _ = try await local.erase(.ticket(ticket.id), reason: "request", by: "dpo")
        let after = try await local.database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rebuild_pending'")
        }
        #expect(after == "another erasure", "left for the next rebuild")
    }
}

/// Values a SQLite trace callback records, read after the call.
private final class LockedMarks: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String?] = []
    func append(_ value: String?) { lock.withLock { stored.append(value) } }
    var values: [String?] { lock.withLock { stored } }
}
