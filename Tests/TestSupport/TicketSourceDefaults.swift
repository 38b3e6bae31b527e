import SupportSync

/// Tests read tickets in plain text unless they are about sealing: these
/// read and patch with `Sealing.none`, as a token with every scope may.
extension TicketSource {
    public func tickets(after cursor: String?, limit: Int) async throws(PlatformError) -> TicketPage {
        try await tickets(after: cursor, limit: limit, sealing: .none)
    }

    public func ticket(id: String) async throws(PlatformError) -> Ticket? {
        try await ticket(id: id, sealing: .none)
    }

    public func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?)
        async throws(PlatformError) -> Ticket
    {
        try await patchTicket(id: id, patch, expecting: revision, sealing: .none)
    }
}

/// A test platform around another (a local platform that fails or meddles
/// on purpose): every call goes to `base` unchanged unless the wrapper
/// declares it, so a wrapper shows only what it does differently.
public protocol WrappingPlatform: AgentPlatform {
    associatedtype Base: AgentPlatform
    var base: Base { get }
}

extension WrappingPlatform {
    public func info() async throws(PlatformError) -> PlatformInfo { try await base.info() }
    public func agents() async throws(PlatformError) -> [Agent] { try await base.agents() }
    public func agent(id: String) async throws(PlatformError) -> Agent? { try await base.agent(id: id) }

    public func putAgent(id: String, _ write: AgentWrite, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        try await base.putAgent(id: id, write, expecting: precondition)
    }

    public func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket {
        try await base.createTicket(draft, idempotencyKey: idempotencyKey)
    }

    public func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
        try await base.ticket(id: id, sealing: sealing)
    }

    public func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
        try await base.tickets(after: cursor, limit: limit, sealing: sealing)
    }

    public func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket
    {
        try await base.patchTicket(id: id, patch, expecting: revision, sealing: sealing)
    }

    public func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial? {
        try await base.ticketKey(id: id)
    }

    public func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket] {
        try await base.tickets(ofCustomer: contact)
    }

    public func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]
    {
        try await base.erase(selection, reason: reason, by: by)
    }
}
