import SupportSync

/// Tickets on Vapi are calls whose extraction says the agent flagged the
/// case. This version manages Vapi agents only: `supportsync.yaml` refuses
/// `pull_tickets: true` on a vapi platform, so no command reaches these.
extension VapiPlatform {
    static let noTickets = PlatformError.badRequest(
        "this version of supportsync manages Vapi agents only; tickets are not pulled from Vapi yet")

    public func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
        throw Self.noTickets
    }

    public func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
        throw Self.noTickets
    }

    public func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket
    {
        throw Self.noTickets
    }

    public func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial? {
        throw Self.noTickets
    }

    public func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket] {
        throw Self.noTickets
    }

    public func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]
    {
        throw Self.noTickets
    }
}
