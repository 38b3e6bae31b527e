import Foundation
import Hummingbird
import Logging
import PlatformWire
import SupportSync
import Synchronization

/// The endpoints of SPEC section 5 over any `AgentPlatform`: each reads the
/// request, calls the platform once and writes its answer. Failures are
/// thrown as `PlatformError` and written by `ErrorMiddleware`.
struct Handlers: Sendable {
    let platform: any AgentPlatform
    let logger: Logger
    /// How long a request body may take to arrive, in all.
    let bodyTimeout: Duration
    var bodyLimit = PlatformServer.maxBodySize
    let encodedAgents = EncodedAgents()

    static let draftFields = WireRequest.draftFields
    static let patchFields = WireRequest.patchFields
    static let defaultPageSize = 100
    static let maxPageSize = 1000

    /// The platform's info, with the scopes of the token that asked.
    func platformInfo(scopes: Set<TokenScope>) async throws(PlatformError) -> Response {
        var info = try await platform.info()
        info.scopes = scopes.sorted().map(\.rawValue)
        return HTTPMessages.json(info)
    }

    /// `{"agents":[...]}`, each agent's JSON encoded once while it stays
    /// the same: the bytes `HTTPMessages.json(AgentList(...))` would write.
    func listAgents() async throws(PlatformError) -> Response {
        let agents = try await platform.agents()
        var body = Array(#"{"agents":["#.utf8)
        for (index, agent) in agents.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += encodedAgents.json(agent)
        }
        body += Array("]}".utf8)
        return HTTPMessages.json(bytes: body)
    }

    func getAgent(id: String) async throws(PlatformError) -> Response {
        guard let agent = try await platform.agent(id: id) else { throw .notFound("there is no agent '\(id)'") }
        return HTTPMessages.json(bytes: encodedAgents.json(agent), etag: agent.version)
    }

    func putAgent(id: String, _ request: Request) async throws(PlatformError) -> Response {
        let precondition = try HTTPMessages.agentPrecondition(request)
        let body = try await HTTPMessages.body(of: request, limit: bodyLimit, timeout: bodyTimeout)
        // Syntax first, so malformed JSON is a 400 and not a rule violation.
        _ = try WireRequest.object(body)
        // The same rules as `validate`, on the raw body: a JSON number where
        // a phone number belongs is caught here, before decoding could
        // coerce or hide it.
        let settings: AgentSettings
        switch AgentBodyValidator.validate(json: body, id: id) {
        case .failure(let problem): throw .invalid(field: problem.field, message: problem.message)
        case .success(let valid): settings = valid
        }
        // The validator's reading is the canonical form: what `validate`
        // would make of the same agent in a file, defaults made explicit.
        let agent = try await platform.putAgent(id: id, validated: settings, expecting: precondition)
        return HTTPMessages.json(bytes: encodedAgents.json(agent), etag: agent.version)
    }

    func createTicket(_ request: Request) async throws(PlatformError) -> Response {
        let body = try await HTTPMessages.body(of: request, limit: bodyLimit, timeout: bodyTimeout)
        let draft = try WireRequest.decode(TicketDraft.self, from: body, allowed: Self.draftFields)
        let key = try HTTPMessages.idempotencyKey(request)
        let ticket = try await platform.createTicket(draft, idempotencyKey: key)
        return HTTPMessages.json(ticket, status: .created, etag: ticket.version)
    }

    func getTicket(id: String, sealing: Sealing) async throws(PlatformError) -> Response {
        guard let ticket = try await platform.ticket(id: id, sealing: sealing) else {
            throw .notFound("there is no ticket '\(id)'")
        }
        return HTTPMessages.json(ticket, etag: ticket.version)
    }

    func listTickets(_ request: Request, sealing: Sealing) async throws(PlatformError) -> Response {
        let query = request.uri.queryParameters
        let after = query["after"].flatMap { $0.isEmpty ? nil : String($0) }
        var limit = Self.defaultPageSize
        if let text = query["limit"] {
            // Digits only (no sign, no space); any number of them.
            guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text.utf8.contains(where: { $0 != 0x30 })
            else {
                throw .badRequest(
                    "limit must be a whole number of at least 1, not '\(PrintableText.escaping(String(text)))'")
            }
            // Larger pages are served as the largest page, as the local
            // platform does in-process: a caller follows next_cursor anyway,
            // and `--batch 5000` must not work locally and fail over HTTP.
            limit = Int(text).map { min($0, Self.maxPageSize) } ?? Self.maxPageSize
        }
        return HTTPMessages.json(
            bytes: Self.json(try await platform.tickets(after: after, limit: limit, sealing: sealing)))
    }

    /// The bytes `HTTPMessages.json(page)` would write, each ticket encoded
    /// on a core of its own: a page of 1,000 sealed tickets is otherwise
    /// mostly one core encoding JSON while the client waits.
    static func json(_ page: TicketPage) -> [UInt8] {
        // The keys are sorted, so "tickets" comes last: `...,"tickets":[]}`.
        var body = Array(
            (try? JSONCoding.encoder().encode(TicketPage(tickets: [], nextCursor: page.nextCursor, cursor: page.cursor)))
                ?? Data())
        guard body.suffix(3) == Array("[]}".utf8) else { preconditionFailure("a ticket page encodes its tickets last") }
        body.removeLast(2)
        let tickets = concurrentMap(page.tickets) { ticket in try? JSONCoding.encoder().encode(ticket) }
        for (index, ticket) in tickets.enumerated() {
            guard let ticket else {
                preconditionFailure("encoding a ticket cannot fail: it holds only strings and numbers")
            }
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += ticket
        }
        body += Array("]}".utf8)
        return body
    }

    func patchTicket(id: String, _ request: Request, sealing: Sealing) async throws(PlatformError) -> Response {
        let body = try await HTTPMessages.body(of: request, limit: bodyLimit, timeout: bodyTimeout)
        let patch = try WireRequest.decode(TicketPatch.self, from: body, allowed: Self.patchFields)
        let ticket = try await platform.patchTicket(
            id: id, patch, expecting: try HTTPMessages.ifMatch(request), sealing: sealing)
        return HTTPMessages.json(ticket, etag: ticket.version)
    }

    func ticketKey(id: String) async throws(PlatformError) -> Response {
        guard let key = try await platform.ticketKey(id: id) else {
            throw .notFound("ticket '\(id)' has no key: there is no such ticket, or its customer data was erased")
        }
        return HTTPMessages.json(key)
    }

    func searchTickets(_ request: Request) async throws(PlatformError) -> Response {
        struct Search: Decodable { var customer: String }
        let body = try await HTTPMessages.body(of: request, limit: bodyLimit, timeout: bodyTimeout)
        let search = try WireRequest.decode(Search.self, from: body, allowed: ["customer"])
        return HTTPMessages.json(TicketList(tickets: try await platform.tickets(ofCustomer: search.customer)))
    }

    func erase(_ request: Request) async throws(PlatformError) -> Response {
        let body = try await HTTPMessages.body(of: request, limit: bodyLimit, timeout: bodyTimeout)
        let erasure = try WireRequest.decode(
            ErasureRequest.self, from: body, allowed: ["ticket", "customer", "closed_before", "reason", "by"])
        guard let selection = erasure.selection else {
            throw .badRequest("name exactly one of ticket, customer and closed_before")
        }
        if case .ticket(let id) = selection { try HTTPMessages.requireNoControlCharacters(id) }
        let erased = try await platform.erase(selection, reason: erasure.reason, by: erasure.by)
        return HTTPMessages.json(TicketList(tickets: erased))
    }
}

/// `POST /v1/tickets/search` and `POST /v1/erasures`.
struct TicketList: Codable, Sendable {
    var tickets: [Ticket]
}

/// `GET /v1/agents`.
/// Each agent's JSON as last encoded, reused while the agent is equal: a
/// no-change plan of 1,000 agents spent half the server's time encoding them.
final class EncodedAgents: Sendable {
    private let cache = Mutex<[String: (agent: Agent, json: [UInt8])]>([:])

    func json(_ agent: Agent) -> [UInt8] {
        if let known = cache.withLock({ $0[agent.id] }), known.agent == agent { return known.json }
        guard let data = try? JSONCoding.encoder().encode(agent) else {
            preconditionFailure("encoding an agent cannot fail: it holds only strings, numbers and booleans")
        }
        let json = Array(data)
        cache.withLock { $0[agent.id] = (agent, json) }
        return json
    }
}

struct AgentList: Codable, Sendable {
    var agents: [Agent]
}
