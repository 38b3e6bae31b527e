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

    /// Creates or replaces an agent, as `expecting` allows: only while it
    /// is still at a revision, or only when it does not exist yet
    /// (`.versionConflict` otherwise, and nothing is written). A platform
    /// that replaces only what it read (Vapi) creates when nothing is expected.
    func putAgent(id: String, _ write: AgentWrite, expecting precondition: AgentPrecondition)
        async throws(PlatformError)
        -> Agent

    /// `putAgent` for settings `AgentBodyValidator` already read from a
    /// request (the server's PUT): a platform that checks what it stores
    /// need not check them again.
    func putAgent(id: String, validated settings: AgentSettings, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent

    /// How `putAgent` holds to `expecting`.
    var conditionalWrites: ConditionalWrites { get }
}

extension AgentTarget {
    public var conditionalWrites: ConditionalWrites { .native }

    public func putAgent(id: String, validated settings: AgentSettings, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        try await putAgent(id: id, AgentWrite(settings), expecting: precondition)
    }
}

/// What a write of an agent holds to, as HTTP's preconditions do
/// (`If-Match`, `If-None-Match: *`).
public enum AgentPrecondition: Sendable, Hashable {
    /// Creates or replaces, whatever the platform holds.
    case unconditional
    /// Creates only: a conflict when the agent exists (created by someone
    /// else since it was read as absent).
    case absent
    /// Replaces only while the agent is at this revision: a conflict when
    /// it changed since, or does not exist.
    case revision(String)
}

/// How a platform makes a write conditional on the version read.
public enum ConditionalWrites: String, Sendable, Hashable, Codable {
    /// The platform refuses a write to a changed agent itself (`If-Match`).
    case native
    /// The platform has no conditional writes: the agent is read again and
    /// compared just before the write, which leaves a narrow race.
    case emulated
}

/// The ticket side of a platform: tickets after a cursor, one ticket, and
/// the team's fields written with the revision they were read at.
/// TicketPuller and TicketPusher need no more.
///
/// Every read names the fields the platform seals with the ticket's key
/// (`Sealing`); fewer than all needs the reveal scope over HTTP.
public protocol TicketSource: Sendable {
    /// Which platform this is: pulls resume only on the same instance.
    func info() async throws(PlatformError) -> PlatformInfo

    /// Tickets created or changed after `cursor` (from the start when nil),
    /// in a stable order.
    func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage

    /// One ticket; nil when there is no such ticket.
    func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket?

    /// Changes team fields while the ticket is still at `revision`.
    func patchTicket(id: String, _ patch: TicketPatch, expecting revision: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket

    /// Whether the platform keeps the team's fields (status, assignee, ...).
    /// A platform that does not (Vapi has no ticket status) reports each
    /// ticket with the team fields it was first pulled with: git is where
    /// they live, `tickets push` sends nothing, and a pull never takes them
    /// from the platform for a ticket already in git.
    var holdsTeamFields: Bool { get }
}

extension TicketSource {
    public var holdsTeamFields: Bool { true }
}

/// The platform as custodian of customer data: the keys that open sealed
/// values (reveal scope), the customers' tickets for an access request
/// (reveal scope), and erasure (erase scope).
public protocol TicketCustody: Sendable {
    /// The ticket's key; nil when there is no such ticket or its data was erased.
    func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial?

    /// Every ticket whose customer has this e-mail (any case) or phone (any
    /// punctuation), with plain values.
    func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket]

    /// Erases the customer data of the tickets `selection` names and destroys
    /// their keys. Each stays with a new version and an erasure record.
    /// Returns the erased tickets (with no customer data left to seal);
    /// `.notFound` for an unknown ticket id.
    func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]

    /// Whether an erased ticket stays on the platform (with its erasure
    /// record), so the next pull brings the erasure to git. A platform that
    /// erases by deleting the conversation (Vapi) forgets the ticket: the
    /// erasure is committed to git as the ticket is erased.
    var keepsErasedTickets: Bool { get }
}

extension TicketCustody {
    public var keepsErasedTickets: Bool { true }
}

/// A ticket's key as the API hands it over: its id and its 32 bytes, base64.
public struct TicketKeyMaterial: Sendable, Hashable, Codable {
    public var ticket: String
    public var keyID: String
    public var key: String

    public init(ticket: String, keyID: String, key: String) {
        self.ticket = ticket
        self.keyID = keyID
        self.key = key
    }

    enum CodingKeys: String, CodingKey {
        case ticket
        case keyID = "key_id"
        case key
    }
}

/// The body of `POST /v1/erasures`: exactly one of `ticket`, `customer`
/// and `closed_before`, then why and who asks.
public struct ErasureRequest: Sendable, Hashable, Codable {
    public var ticket: String?
    public var customer: String?
    public var closedBefore: String?
    public var reason: String
    public var by: String

    public init(selection: ErasureSelection, reason: String, by: String) {
        switch selection {
        case .ticket(let id): ticket = id
        case .customer(let contact): customer = contact
        case .closedBefore(let time): closedBefore = time
        }
        self.reason = reason
        self.by = by
    }

    /// Nil unless exactly one selector is given.
    public var selection: ErasureSelection? {
        switch (ticket, customer, closedBefore) {
        case (let id?, nil, nil): return .ticket(id)
        case (nil, let contact?, nil): return .customer(contact)
        case (nil, nil, let time?): return .closedBefore(time)
        default: return nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case ticket, customer
        case closedBefore = "closed_before"
        case reason, by
    }
}

/// Which tickets an erasure reaches.
public enum ErasureSelection: Sendable, Hashable {
    case ticket(String)
    /// Every ticket of the customer with this e-mail or phone.
    case customer(String)
    /// Closed tickets created before this UTC time (RFC 3339): retention.
    case closedBefore(String)
}

/// Creating a ticket is what an agent does when it flags a case, not what
/// supportsync does: only the local platform, the server in front of it,
/// the HTTP client (for a served local platform) and tests implement it.
public protocol TicketCreator: Sendable {
    /// The same `idempotencyKey` returns the ticket first created with it.
    func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket
}

/// What supportsync manages on any provider: agents, tickets and their
/// customer data. A vendor's platform (Vapi) is one; ours is one too.
public typealias ManagedPlatform = AgentTarget & TicketSource & TicketCustody

extension AgentTarget {
    /// `agents()`, refused when the platform lists one agent id twice: a
    /// plan would take the first and an import write both, one over the
    /// other, each meaning a different agent.
    public func agentsOnce() async throws(PlatformError) -> [Agent] {
        let agents = try await agents()
        var seen: Set<String> = []
        for agent in agents where !agent.adoptable {
            guard seen.insert(agent.id).inserted else {
                throw .failed(
                    "the platform lists agent '\(PrintableText.escaping(agent.id))' twice; report it to the platform's operators"
                )
            }
        }
        return agents
    }
}

/// A whole platform as this project's own API serves it: `LocalPlatform`
/// in-process and `HTTPPlatform` over HTTP; `PlatformServer` serves any.
public typealias AgentPlatform = ManagedPlatform & TicketCreator

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
    /// The credentials are missing or wrong.
    case unauthorized(String)
    /// The credentials are good but their scope does not allow this.
    case forbidden(String)
    /// The request is too large (413), or the answer larger than the client takes.
    case tooLarge(String)
    /// Busy or unreachable after the retries ran out, a timeout, or no answer at all.
    case unavailable(String)
    /// Any other failure (a server error, an answer that is not the API's).
    case failed(String)

    public var message: String {
        switch self {
        case .notFound(let m), .versionConflict(let m), .badRequest(let m), .unauthorized(let m), .forbidden(let m),
            .tooLarge(let m),
            .unavailable(let m), .failed(let m):
            return m
        case .invalid(let field, let message):
            return field.map { "\($0): \(message)" } ?? message
        }
    }

    public var description: String { message }
}
