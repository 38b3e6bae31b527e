/// The agent platform as supportsync uses it (SPEC section 5). Implemented
/// in-process by `LocalPlatform` (SQLite) and over HTTP by `HTTPPlatform`;
/// `PlatformServer` serves any implementation over the same HTTP API.
public protocol AgentPlatform: Sendable {
    /// `GET /v1/platform`.
    func info() async throws(PlatformError) -> PlatformInfo

    /// `GET /v1/agents`, sorted by id.
    func agents() async throws(PlatformError) -> [Agent]

    /// `GET /v1/agents/{id}`; nil when there is no such agent.
    func agent(id: String) async throws(PlatformError) -> Agent?

    /// `PUT /v1/agents/{id}`: creates or replaces. With `ifMatch`, only when
    /// the agent is still at that version (`.versionConflict` otherwise); an
    /// `ifMatch` for an agent that does not exist is a conflict too.
    func putAgent(id: String, _ write: AgentWrite, ifMatch: String?) async throws(PlatformError) -> Agent

    /// `POST /v1/tickets`: what an agent does when it flags a case. The same
    /// `idempotencyKey` returns the ticket first created with it.
    func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket

    /// `GET /v1/tickets/{id}`; nil when there is no such ticket.
    func ticket(id: String) async throws(PlatformError) -> Ticket?

    /// `GET /v1/tickets?after=&limit=`: tickets created or changed after the
    /// cursor (from the start when nil), in a stable order.
    func tickets(after cursor: String?, limit: Int) async throws(PlatformError) -> TicketPage

    /// `PATCH /v1/tickets/{id}` with team-owned fields, conditional on `ifMatch`.
    func patchTicket(id: String, _ patch: TicketPatch, ifMatch: String?) async throws(PlatformError) -> Ticket
}

/// Why a platform call failed, with the HTTP status and error code the API
/// uses for it. Descriptions never contain the token.
public enum PlatformError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 404
    case notFound(String)
    /// 412: the resource changed since the version given in If-Match.
    case versionConflict(String)
    /// 422: the platform rejects the settings; `field` names the offending one.
    case invalid(field: String?, message: String)
    /// 400
    case badRequest(String)
    /// 401 / 403
    case unauthorized(String)
    /// 413
    case tooLarge(String)
    /// 429 / 503 after the retries ran out, a timeout, or no answer at all.
    case unavailable(String)
    /// Any other failure (5xx, an answer that is not the API's).
    case failed(String)

    public var status: Int {
        switch self {
        case .notFound: return 404
        case .versionConflict: return 412
        case .invalid: return 422
        case .badRequest: return 400
        case .unauthorized: return 401
        case .tooLarge: return 413
        case .unavailable: return 503
        case .failed: return 500
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .versionConflict: return "version_conflict"
        case .invalid: return "invalid"
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .tooLarge: return "too_large"
        case .unavailable: return "unavailable"
        case .failed: return "internal"
        }
    }

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

/// The JSON error body: `{"error": {"code": "...", "message": "...", "field": "..."}}`.
public struct ErrorBody: Sendable, Codable {
    public struct Detail: Sendable, Codable {
        public var code: String
        public var message: String
        public var field: String?
    }

    public var error: Detail

    public init(_ error: PlatformError) {
        var message = error.message
        var field: String?
        if case .invalid(let f, let m) = error {
            field = f
            message = m
        }
        self.error = Detail(code: error.code, message: message, field: field)
    }

    /// The error this body stands for, given the response status.
    public func platformError(status: Int) -> PlatformError {
        switch status {
        case 404: return .notFound(error.message)
        case 412: return .versionConflict(error.message)
        case 422: return .invalid(field: error.field, message: error.message)
        case 400: return .badRequest(error.message)
        case 401, 403: return .unauthorized(error.message)
        case 413: return .tooLarge(error.message)
        case 429, 503: return .unavailable(error.message)
        default: return .failed("HTTP \(status): \(error.message)")
        }
    }
}
