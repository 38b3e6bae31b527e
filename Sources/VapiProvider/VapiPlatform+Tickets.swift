import Foundation
import PlatformClient
import SupportSync

/// Tickets on Vapi are calls: a call whose extraction says the agent
/// flagged the case, on an assistant bound to an agent of this environment,
/// is a ticket (`VapiCall`), paged by `updatedAt` (`VapiTicketCursor`).
///
/// Vapi keeps no ticket of its own: no status, assignee or resolution
/// (they live in git, and `tickets push` sends nothing), and no keys. With
/// sealing on, what would be sealed is withheld from git
/// (`WithheldValue`) and read from the call when revealed; erasing it
/// deletes the call, and the erasure is committed to git at once, since
/// the call is gone for every later pull.
extension VapiPlatform {
    public var holdsTeamFields: Bool { false }
    public var keepsErasedTickets: Bool { false }

    /// How many calls one list request asks for: Vapi's default page.
    static let callPage = 100

    static let noTeamFields =
        "Vapi holds no ticket status, assignee or resolution: they live in git, and tickets push sends nothing to Vapi"

    /// The calls updated since a cursor, read once for the pages of one pull.
    struct CallScan: Sendable {
        /// The cursor the next page starts from.
        var cursor: String
        var calls: [VapiCall]
        var newest: Int64?
        /// When each call listed that is not a ticket was updated.
        var others: [Int64] = []
    }

    public func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
        var start: VapiTicketCursor
        if let cursor {
            guard let read = VapiTicketCursor(cursor) else {
                throw .badRequest(
                    "the ticket cursor '\(PrintableText.escaping(String(cursor.prefix(80))))' was not written by the Vapi provider"
                )
            }
            start = read
            // An older pull carried its window into the future (a call
            // updated then) and pulled nothing after it: every call is read
            // again, as on a first pull (tickets git holds unchanged make no
            // commit), so none updated since is lost.
            if let since = read.since, since > VapiTime.now {
                logger.warning(
                    "the ticket cursor is in the future (a call was updated then); reading every call again",
                    metadata: ["since": "\(VapiTime.text(since))"])
                start = VapiTicketCursor(since: nil, seen: [])
            }
        } else {
            start = VapiTicketCursor(since: nil, seen: [])
        }
        let scan: CallScan
        if let cursor, let cached = callScan.value, cached.cursor == cursor {
            scan = cached
        } else {
            scan = try await scanCalls(since: start.since)
        }
        let (page, after, more) = start.page(of: scan.calls, newest: scan.newest, limit: limit)
        let next = after.text
        var cached = scan
        cached.cursor = next ?? ""
        callScan.value = more ? cached : nil
        // Counted once, on the last page of the scan: the calls that are not
        // tickets which the next pull will not list again (those before the
        // window; the window itself is always read again).
        let passedOver = more ? 0 : scan.others.count { $0 < after.since ?? .min }
        return TicketPage(
            tickets: page.compactMap { $0.ticket.map { Self.withholding($0, sealing) } },
            nextCursor: more ? next : nil, cursor: next, passedOver: passedOver)
    }

    public func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
        guard let call = try await call(id) else { return nil }
        return call.ticket.map { Self.withholding($0, sealing) }
    }

    public func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket
    {
        throw .badRequest(Self.noTeamFields)
    }

    /// Vapi holds no keys: what is sealed elsewhere is withheld from git here.
    public func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial? { nil }

    public func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket] {
        try await calls(ofCustomer: contact).compactMap(\.ticket)
    }

    /// Every call that is a ticket of the customer with this e-mail or phone.
    func calls(ofCustomer contact: String) async throws(PlatformError) -> [VapiCall] {
        let match = try CustomerMatch(contact)
        return try await scanCalls(since: nil).calls.filter {
            $0.ticket.map { match.matches($0.record.report.customer) } ?? false
        }
    }

    /// Deletes the calls: on Vapi, erasing a ticket's customer data is
    /// deleting its call (recording, transcript and extraction with it).
    /// Returns each ticket as erased, for git.
    public func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]
    {
        guard !reason.allSatisfy(\.isWhitespace) else { throw .invalid(field: "reason", message: "give a reason") }
        let chosen: [VapiCall]
        switch selection {
        case .ticket(let id):
            guard UUID(uuidString: id) != nil else {
                throw .badRequest(
                    "'\(PrintableText.escaping(id))' is not a Vapi call id; nothing was deleted on Vapi")
            }
            // The ticket's call, flagged or not any more: its id is the ticket's.
            guard let call = try await call(id) else {
                // Gone, or never visible to this key: a key of another
                // organization finds no call and none of the environment's
                // assistants either, and must not have the ticket erased in git.
                let environment = self.environment
                guard
                    try await list().assistants.contains(where: {
                        VapiSlice.binding(of: $0)?.environment == environment
                    })
                else {
                    throw .failed(
                        "Vapi has no call \(PrintableText.escaping(id)), and this key sees none of environment \(PrintableText.escaping(environment))'s assistants: the key may belong to another organization, or the URL may be wrong. Check them; nothing was deleted, and the ticket was not erased"
                    )
                }
                throw .notFound("Vapi has no call \(PrintableText.escaping(id))")
            }
            chosen = [call]
        case .customer(let contact):
            chosen = try await calls(ofCustomer: contact)
        case .closedBefore:
            throw .badRequest(Self.noTeamFields + "; closed tickets are chosen from git")
        }
        if case .customer(let contact) = selection {
            try Erasure.requireNoCustomerData(reason: reason, by: by, contact: contact)
        }
        // No call is deleted while the reason or author would put a
        // customer's detail into git.
        for call in chosen {
            guard let ticket = call.ticket else { continue }
            try Erasure.requireNoCustomerData(
                reason: reason, by: by, customer: ticket.record.report.customer, ticket: ticket.id)
        }
        let erasure = Erasure(by: by, reason: reason)
        var erased: [Ticket] = []
        for call in chosen.sorted(by: { $0.id < $1.id }) {
            var request = PlatformRequest(.delete, ["call", call.id], resource: "call \(call.id)")
            // Sent again after a lost answer, it finds the call gone: done.
            request.idempotent = true
            _ = try await send(request, body: nil, missingIsNil: true)
            if let ticket = call.ticket { erased.append(erasure.erased(ticket.record)) }
        }
        return erased
    }

    // MARK: - Calls

    /// One call; nil when Vapi has none with this id. An id that is not
    /// Vapi's (a UUID) is none: it is never sent.
    func call(_ id: String) async throws(PlatformError) -> VapiCall? {
        guard UUID(uuidString: id) != nil else { return nil }
        let answer = try await send(
            PlatformRequest(.get, ["call", id], resource: "call \(id)"), body: nil, missingIsNil: true)
        guard answer != .null else { return nil }
        return VapiCall(answer, environment: environment, bindings: try await bindings())
    }

    /// Every call updated at or after `since` (all calls without it), each
    /// kept as a ticket or only its time. Calls are large (messages,
    /// transcript, costs): they are listed `callPage` at a time.
    func scanCalls(since: Int64?) async throws(PlatformError) -> CallScan {
        let bindings = try await bindings()
        var calls: [VapiCall] = []
        var newest: Int64?
        var others: [Int64] = []
        var unreadable = 0
        var oddIDs: [String] = []
        let filter = since.map { [("updatedAtGe", VapiTime.text($0))] } ?? []
        try await each("call", resource: "calls", filter: filter, pageSize: min(pageSize, Self.callPage)) { item in
            guard let call = VapiCall(item, environment: environment, bindings: bindings) else {
                unreadable += 1
                return
            }
            newest = max(newest ?? call.updated, call.updated)
            if call.flaggedWithOddID { oddIDs.append(call.id) }
            // Only tickets are kept: a call that is not one only moves the cursor.
            if call.ticket != nil { calls.append(call) } else { others.append(call.updated) }
        }
        if unreadable > 0 {
            logger.warning(
                "calls without an id or a readable updatedAt were left out", metadata: ["calls": "\(unreadable)"])
        }
        if !oddIDs.isEmpty {
            logger.warning(
                "flagged calls whose id is not a UUID (as Vapi's are) were left out: as tickets they could be neither read back nor erased",
                metadata: [
                    "calls": "\(oddIDs.count)",
                    "ids": "\(oddIDs.prefix(5).map { PrintableText.escaping($0) }.joined(separator: ", "))",
                ])
        }
        return CallScan(cursor: "", calls: calls, newest: newest, others: others)
    }

    /// The assistants bound to agents, by assistant id, from a listing.
    func bindings() async throws(PlatformError) -> [String: VapiSlice.Binding] {
        let listing = try await refreshed()
        var bindings: [String: VapiSlice.Binding] = [:]
        for assistant in listing.assistants {
            if let id = assistant["id"]?.string, let binding = VapiSlice.binding(of: assistant) {
                bindings[id] = binding
            }
        }
        return bindings
    }

    static func withholding(_ ticket: Ticket, _ sealing: Sealing) -> Ticket {
        guard !sealing.isEmpty else { return ticket }
        var withheld = ticket
        withheld.record = WithheldValue.withholding(ticket.record, sealing: sealing)
        return withheld
    }
}
