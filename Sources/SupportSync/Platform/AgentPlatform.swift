/// The agent side of a platform: the agents supportsync manages, each
/// written with the revision it was read at. Reconciler and Importer need
/// no more. What a provider can express is declared offline, by provider
/// (`ProviderSupport.of`), so `validate` knows it without a connection.
public protocol AgentTarget: Sendable {
    /// Which platform this is (`GET /v1/platform`): an instance id and an API version.
    func info() async throws(PlatformError) -> PlatformInfo

    /// Every agent, sorted by id.
    func agents() async throws(PlatformError) -> [Agent]

    /// One agent; nil when there is no such agent.
    func agent(id: String) async throws(PlatformError) -> Agent?

    /// Creates or replaces an agent. With `expecting`, only while the agent
    /// is still at that revision (`.versionConflict` otherwise); a revision
    /// expected of an agent that does not exist is a conflict too.
    func putAgent(id: String, _ write: AgentWrite, expecting revision: String?) async throws(PlatformError) -> Agent
}

/// The ticket side of a platform: tickets after a cursor, one ticket, and
/// the team's fields written with the revision they were read at.
/// TicketPuller and TicketPusher need no more.
public protocol TicketSource: Sendable {
    /// Which platform this is: pulls resume only on the same instance.
    func info() async throws(PlatformError) -> PlatformInfo

    /// Tickets created or changed after `cursor` (from the start when nil),
    /// in a stable order.
    func tickets(after cursor: String?, limit: Int) async throws(PlatformError) -> TicketPage

    /// One ticket; nil when there is no such ticket.
    func ticket(id: String) async throws(PlatformError) -> Ticket?

    /// Changes team fields while the ticket is still at `revision`.
    func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?) async throws(PlatformError)
        -> Ticket
}

/// Creating a ticket is what an agent does when it flags a case, not what
/// supportsync does: only the local platform, the server in front of it,
/// the HTTP client (for a served local platform) and tests implement it.
public protocol TicketCreator: Sendable {
    /// The same `idempotencyKey` returns the ticket first created with it.
    func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket
}

/// A whole platform as this project's own API serves it: `LocalPlatform`
/// in-process and `HTTPPlatform` over HTTP; `PlatformServer` serves any.
public typealias AgentPlatform = AgentTarget & TicketSource & TicketCreator

/// Why a platform call failed, in the platform's terms (no transport's):
/// `PlatformWire` maps these to and from HTTP. Descriptions never contain
/// the token.
public enum PlatformError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such resource.
    case notFound(String)
    /// The resource changed since the revision the write expected.
    case versionConflict(String)
    /// The platform rejects the settings; `field` names the offending one.
    case invalid(field: String?, message: String)
    /// The request is malformed.
    case badRequest(String)
    /// The credentials are missing, wrong, or not allowed this.
    case unauthorized(String)
    /// The request is too large.
    case tooLarge(String)
    /// Busy or unreachable after the retries ran out, a timeout, or no answer at all.
    case unavailable(String)
    /// Any other failure (a server error, an answer that is not the API's).
    case failed(String)

    public var message: String {
        switch self {
        case .notFound(let m), .versionConflict(let m), .badRequest(let m), .unauthorized(let m), .tooLarge(let m),
            .unavailable(let m), .failed(let m):
            return m
        case .invalid(let field, let message):
            return field.map { "\($0): \(message)" } ?? message
        }
    }

    public var description: String { message }
}
