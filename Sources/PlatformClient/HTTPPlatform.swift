import AsyncHTTPClient
import Foundation
import Logging
import SupportSync

/// The platform API of SPEC section 5 spoken over HTTP, to any server that
/// speaks it (`PlatformServer` included).
///
/// Every call carries the bearer token, retries what is safe to retry
/// (see `RetryPolicy`) and reports failures as `PlatformError`s whose
/// messages name the resource, the request and the HTTP status. The token
/// never appears in an error, a log line or the client's own description.
///
/// The client owns its `HTTPClient` rather than using `HTTPClient.shared`:
/// the connect timeout, redirects and connection retries are settings of
/// the client, not of a request, and the shared client follows redirects
/// (which would carry the token elsewhere) and retries refused connections
/// silently until the request's deadline. Call `shutdown()` when done.
public final class HTTPPlatform: AgentPlatform, CustomStringConvertible, CustomReflectable {
    /// The base URL without a trailing slash; request paths go after it.
    public let baseURL: String
    public let configuration: Configuration
    let token: BearerToken
    let client: HTTPClient
    let logger: Logger
    /// What AsyncHTTPClient logs through: `logger`, never below debug. At
    /// trace it logs the first and last bytes of every body part, which
    /// hold customer data revealed on purpose and ticket keys.
    let transportLogger: Logger
    /// `host:port`, for messages about connecting.
    let authority: String
    /// The base URL's path (`/support` or empty), shown in messages so they
    /// name the path a request really went to.
    let basePath: String
    /// Told of each retry as it is about to wait, in words for a person
    /// (`platform busy (HTTP 503 on GET /v1/agents); retrying in 2 s, attempt 3`).
    let onRetry: (@Sendable (String) -> Void)?
    /// `info()`'s request, once asked: its answer is the answer for the run.
    let infoAnswer = LockedValue<Task<Result<PlatformInfo, PlatformError>, Never>?>(nil)
    /// The next page of the ticket feed, when `readsFeedAhead` asked for it.
    let feedReadAhead = FeedReadAhead()
    /// The page size of the feed after a page came too large: asked for
    /// from then on, whatever the caller asks.
    let feedLimit = LockedValue<Int?>(nil)

    /// - Parameters:
    ///   - baseURL: `http://` or `https://`, with or without a trailing slash
    ///     or a path prefix (`https://example.com/support/`); no user,
    ///     password, query or fragment.
    ///   - token: sent as `Authorization: Bearer <token>` on every request.
    /// - Throws: when the URL or the token cannot work.
    public init(
        baseURL: String, token: String, configuration: Configuration = Configuration(), logger: Logger,
        onRetry: (@Sendable (String) -> Void)? = nil
    ) throws(HTTPPlatformSetupError) {
        self.onRetry = onRetry
        let secret = BearerToken(token)
        if let problem = Redaction.tokenProblem(token) {
            throw HTTPPlatformSetupError(
                "the platform token \(problem)\(token.isEmpty ? "" : "; use the platform's full token, as it gave it")")
        }
        let shown = secret.redacting(baseURL)
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased() else {
            throw HTTPPlatformSetupError("the platform URL \"\(shown)\" is not a URL")
        }
        guard components.user == nil, components.password == nil else {
            // Not echoed: the URL holds a password. The token has its own channel.
            throw HTTPPlatformSetupError("the platform URL must not contain a user name or password")
        }
        guard scheme == "http" || scheme == "https" else {
            throw HTTPPlatformSetupError("the platform URL \"\(shown)\" must start with http:// or https://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw HTTPPlatformSetupError("the platform URL \"\(shown)\" has no host")
        }
        guard components.query == nil, components.fragment == nil else {
            throw HTTPPlatformSetupError("the platform URL \"\(shown)\" must not have a query or fragment")
        }
        guard scheme == "https" || Self.isLoopback(host) else {
            throw HTTPPlatformSetupError(
                "the platform URL \"\(shown)\" uses plain http:// to a host that is not this machine by its usual name (localhost, 127.x.x.x, [::1]), so the token could travel unencrypted; use https://, or one of those names"
            )
        }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
        self.token = secret
        self.configuration = configuration
        self.logger = logger
        var transportLogger = logger
        transportLogger.logLevel = max(logger.logLevel, .debug)
        self.transportLogger = transportLogger
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        self.authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"

        var settings = HTTPClient.Configuration()
        settings.timeout = .init(connect: Self.timeAmount(configuration.connectTimeout))
        settings.redirectConfiguration = .disallow
        // Our own retries count attempts, honour the budget and log; the
        // pool's would hide a refused connection until the request timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings,
            backgroundActivityLogger: transportLogger)
    }

    /// This machine: `localhost`, 127.0.0.0/8, `::1`. Plain http:// carries
    /// the token only there.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    deinit {
        // A safety net for a caller that forgot `shutdown()`: an HTTPClient
        // dropped while running leaks (and traps in debug builds). Starting
        // the shutdown keeps the client alive until it has finished; after
        // an explicit shutdown this fails harmlessly.
        client.shutdown().whenComplete { _ in }
    }

    /// Closes the connections. Calls after this fail; calling it twice is harmless.
    public func shutdown() async throws {
        // A closed client answers nothing, not even what it remembered.
        infoAnswer.value = nil
        feedReadAhead.cancel()
        do {
            try await client.shutdown()
        } catch let error as HTTPClientError where error == .alreadyShutdown {
            return
        }
    }

    public var description: String { "HTTPPlatform(\(baseURL))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "configuration": configuration], displayStyle: .class)
    }

    // MARK: - AgentPlatform

    /// Asked once per client: who the platform is does not change within a
    /// run, and a platform that did not answer (after the retries) is not
    /// asked again, so saying which platform a run talks to never doubles
    /// the wait for one that is down.
    public func info() async throws(PlatformError) -> PlatformInfo {
        // One request however many ask at once; later callers share its answer.
        let task = infoAnswer.take { existing in
            existing
                ?? Task { () async -> Result<PlatformInfo, PlatformError> in
                    do {
                        let info = try await self.callRequired(
                            PlatformRequest(.get, ["v1", "platform"], resource: "platform"), as: PlatformInfo.self)
                        // "none" stands for a local platform not created yet: a
                        // platform that calls itself so would take its plans.
                        guard info.instance != PlatformInfo.noInstance else {
                            return .failure(
                                .failed(
                                    "platform: the platform calls itself \"\(PlatformInfo.noInstance)\", the name supportsync keeps for a local platform not created yet; give it another instance id"
                                ))
                        }
                        return .success(info)
                    } catch {
                        return .failure(error as? PlatformError ?? .failed("platform: \(error)"))
                    }
                }
        }
        return try await task.value.get()
    }

    public func agents() async throws(PlatformError) -> [Agent] {
        struct List: Decodable { var agents: [Agent] }
        let list = try await callRequired(PlatformRequest(.get, ["v1", "agents"], resource: "agents"), as: List.self)
        // The protocol promises id order; a server that forgets must not reorder plans.
        return list.agents.sorted { $0.id < $1.id }
    }

    public func agent(id: String) async throws(PlatformError) -> Agent? {
        try await call(try agentRequest(.get, id: id), as: Agent.self, missingIsNil: true)
    }

    public func putAgent(id: String, _ write: AgentWrite, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        var request = try agentRequest(.put, id: id)
        request.body = try encode(write, for: request)
        switch precondition {
        case .unconditional: break
        case .absent: request.ifNoneMatchAny = true
        case .revision(let revision): request.ifMatch = revision
        }
        return try await callRequired(request, as: Agent.self) { () async throws(PlatformError) -> Agent? in
            guard let current = try await self.agent(id: id), current.settings == write.settings(id: id) else {
                return nil
            }
            return current
        }
    }

    public func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket {
        var request = PlatformRequest(
            .post, ["v1", "tickets"], resource: "new ticket for agent \(PrintableText.escaping(draft.agent))")
        request.body = try encode(draft, for: request)
        // One key per logical create, kept across retries: a retry after a
        // lost answer then returns the ticket already made, not a second one.
        request.idempotencyKey = idempotencyKey ?? UUID().uuidString.lowercased()
        return try await callRequired(request, as: Ticket.self)
    }

    public func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? {
        try await call(
            try ticketRequest(.get, id: id, query: Self.sealingQuery(sealing)), as: Ticket.self, missingIsNil: true)
    }

    public func tickets(after cursor: String?, limit requested: Int, sealing: Sealing) async throws(PlatformError)
        -> TicketPage
    {
        var limit = min(requested, feedLimit.value ?? requested)
        var request = Self.feedRequest(after: cursor, limit: limit, sealing: sealing)
        var exchange: Exchange
        while true {
            do throws(PlatformError) {
                if let early = await feedReadAhead.answer(to: request.target) {
                    exchange = try early.get()
                } else {
                    exchange = try await send(request)
                }
                break
            } catch {
                // A page over `maxResponseBytes` (large tickets, a server
                // that does not end its pages early): asked again in halves,
                // and the pages after it as small as the one that came.
                guard case .tooLarge = error, limit > 1 else { throw error }
                // (The API serves at most 1,000 a page: halving starts there.)
                limit = min(limit, 1_000) / 2
                feedLimit.value = limit
                logger.info(
                    "a page of the ticket feed was too large; asking for smaller pages",
                    metadata: ["limit": "\(limit)"])
                request = Self.feedRequest(after: cursor, limit: limit, sealing: sealing)
            }
        }
        // Pages well under the answer limit again: the page size grows
        // back, doubling a page, to what the caller asks.
        if let cap = feedLimit.value, (200...299).contains(exchange.status),
            exchange.body.readableBytes < configuration.maxResponseBytes / 4
        {
            feedLimit.value = cap * 2 >= requested ? nil : cap * 2
        }
        // Not for a caller already cancelled: nobody would ask for the page.
        if configuration.readsFeedAhead, !Task.isCancelled, (200...299).contains(exchange.status),
            let next = Self.nextCursor(in: exchange)
        {
            let nextLimit = min(requested, feedLimit.value ?? requested)
            let following = Self.feedRequest(after: next, limit: nextLimit, sealing: sealing)
            feedReadAhead.start(following.target) { () async -> FeedReadAhead.Answer in
                do throws(PlatformError) {
                    return .success(try await self.send(following))
                } catch {
                    return .failure(error)
                }
            }
        }
        return try await answerRequired(exchange, to: request, as: TicketPage.self)
    }

    static func feedRequest(after cursor: String?, limit: Int, sealing: Sealing) -> PlatformRequest {
        var query: [(String, String)] = []
        if let cursor { query.append(("after", cursor)) }
        query.append(("limit", String(limit)))
        query += Self.sealingQuery(sealing)
        let resource = cursor.map { "tickets after cursor \(PrintableText.escaping($0))" } ?? "tickets from the start"
        return PlatformRequest(.get, ["v1", "tickets"], query: query, resource: resource)
    }

    /// A page's `next_cursor`, read without building its tickets (the JSON
    /// is only scanned); nil on the last page and when the answer is not a
    /// page at all (decoding it then says why).
    static func nextCursor(in exchange: Exchange) -> String? {
        struct Position: Decodable {
            var nextCursor: String?
            enum CodingKeys: String, CodingKey { case nextCursor = "next_cursor" }
        }
        return try? JSONDecoder().decode(Position.self, from: Data(exchange.body.readableBytesView)).nextCursor
    }

    public func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket
    {
        var request = try ticketRequest(.patch, id: id, query: Self.sealingQuery(sealing))
        request.body = try encode(patch, for: request)
        request.ifMatch = ifMatch
        return try await callRequired(request, as: Ticket.self) { () async throws(PlatformError) -> Ticket? in
            guard let current = try await self.ticket(id: id, sealing: sealing), patch.applied(to: current) == current
            else { return nil }
            return current
        }
    }

    // MARK: - TicketCustody

    public func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial? {
        guard !id.isEmpty else { throw .badRequest("a ticket id is empty") }
        return try await call(
            PlatformRequest(
                .get, ["v1", "tickets", id, "key"], resource: "key of ticket \(PrintableText.escaping(id))"),
            as: TicketKeyMaterial.self, missingIsNil: true)
    }

    public func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket] {
        struct Search: Encodable { var customer: String }
        struct Found: Decodable { var tickets: [Ticket] }
        // A POST, so the customer's e-mail or phone is never in a URL (and a proxy's log).
        var request = PlatformRequest(.post, ["v1", "tickets", "search"], resource: "tickets of a customer")
        request.body = try encode(Search(customer: contact), for: request)
        request.idempotent = true  // a read: safe to retry, with no Idempotency-Key (the API takes none here)
        return try await callRequired(request, as: Found.self).tickets
    }

    public func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]
    {
        struct Erased: Decodable { var tickets: [Ticket] }
        let resource: String
        switch selection {
        case .ticket(let id): resource = "erasure of ticket \(PrintableText.escaping(id))"
        case .customer: resource = "erasure of a customer's tickets"
        case .closedBefore(let time): resource = "erasure of tickets closed and created before \(time)"
        }
        var request = PlatformRequest(.post, ["v1", "erasures"], resource: resource)
        request.body = try encode(ErasureRequest(selection: selection, reason: reason, by: by), for: request)
        // Erasing twice erases nothing more: safe to retry after a lost
        // answer, with no Idempotency-Key (the platform keeps no trace of
        // an erasure request, which may name the customer).
        request.idempotent = true
        let exchange = try await send(request)
        let erased = try await answerRequired(exchange, to: request, as: Erased.self).tickets
        // The attempt whose answer was lost may have erased what this one
        // no longer finds (a customer's tickets no longer name the
        // customer): the answer is not what was erased, so it is not taken
        // for it. A ticket named by id is found erased either way.
        var byID = false
        if case .ticket = selection { byID = true }
        if exchange.earlierAttemptMayHaveLanded, !byID {
            throw .unavailable(
                "\(resource): the answer to an earlier attempt was lost, and that attempt may have erased tickets this answer (\(erased.count) erased) cannot list: the next tickets pull shows what was erased; do not take this for nothing erased"
            )
        }
        return erased
    }

    /// `seal=customer,summary,fields,reason`, or `reveal=true` for plain values.
    static func sealingQuery(_ sealing: Sealing) -> [(String, String)] {
        sealing.isEmpty ? [("reveal", "true")] : [("seal", sealing.parameter)]
    }

    // MARK: - Requests

    private func agentRequest(_ method: PlatformRequest.Method, id: String) throws(PlatformError) -> PlatformRequest {
        // An empty id would address the collection instead of one agent.
        guard !id.isEmpty else { throw .badRequest("an agent id is empty") }
        return PlatformRequest(method, ["v1", "agents", id], resource: "agent \(PrintableText.escaping(id))")
    }

    private func ticketRequest(_ method: PlatformRequest.Method, id: String, query: [(String, String)] = [])
        throws(PlatformError) -> PlatformRequest
    {
        guard !id.isEmpty else { throw .badRequest("a ticket id is empty") }
        return PlatformRequest(
            method, ["v1", "tickets", id], query: query, resource: "ticket \(PrintableText.escaping(id))")
    }

    private func encode(_ value: some Encodable, for request: PlatformRequest) throws(PlatformError) -> Data {
        do {
            return try JSONCoding.encoder().encode(value)
        } catch {
            throw .failed("\(request.resource): cannot encode the body of \(shown(request)) (this is a bug): \(error)")
        }
    }
}
