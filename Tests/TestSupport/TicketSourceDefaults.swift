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
/// on purpose): custody calls go to `base` unchanged.
public protocol WrappingPlatform: AgentPlatform {
    associatedtype Base: AgentPlatform
    var base: Base { get }
}

extension WrappingPlatform {
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
