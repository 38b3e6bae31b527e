import Foundation
import Hummingbird
import SupportSync

/// One route of the platform API: an HTTP method and a path template in the
/// OpenAPI spelling (`/v1/agents/{id}`).
public struct PlatformRoute: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The method in upper case, as on the wire: `GET`, `PUT`, `POST`, `PATCH`.
    public var method: String
    /// The path template, with parameters in braces.
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }

    public static func < (lhs: PlatformRoute, rhs: PlatformRoute) -> Bool {
        (lhs.path, lhs.method) < (rhs.path, rhs.method)
    }
}

extension PlatformServer {
    /// Every route the server registers. The router is built from this list,
    /// and a test holds it against `openapi/platform.yaml`, so the server and
    /// its published contract cannot drift apart silently.
    public static let routes: [PlatformRoute] = Endpoint.allCases.map(\.route)
    /// The routes whose requests carry a JSON body.
    public static let routesTakingABody: [PlatformRoute] = Endpoint.allCases.filter(\.takesBody).map(\.route)

    /// The methods served at `path`, by the most specific templates it
    /// matches (a literal segment beats `{id}`, as in the router); HEAD
    /// wherever GET is. Empty for a path no route has.
    static func allowedMethods(for path: String) -> [String] {
        // The router skips empty segments (`/v1//platform/` is
        // `/v1/platform`): so does this.
        let segments = path.split(separator: "/")
        let matches = routes.compactMap { route -> (parameters: Int, method: String)? in
            let template = route.path.split(separator: "/")
            guard template.count == segments.count,
                zip(template, segments).allSatisfy({ $0.hasPrefix("{") ? !$1.isEmpty : $0 == $1 })
            else { return nil }
            return (template.filter { $0.hasPrefix("{") }.count, route.method)
        }
        guard let fewest = matches.map(\.parameters).min() else { return [] }
        var methods = Set(matches.filter { $0.parameters == fewest }.map(\.method))
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }
}

/// The endpoints of SPEC section 5. Each case owns its route and the handler
/// that serves it, so adding an endpoint means adding it here and nowhere else.
enum Endpoint: CaseIterable, Sendable {
    case platformInfo
    case listAgents
    case getAgent
    case putAgent
    case createTicket
    case listTickets
    case getTicket
    case patchTicket
    case ticketKey
    case searchTickets
    case erase

    var route: PlatformRoute {
        switch self {
        case .platformInfo: return PlatformRoute(method: "GET", path: "/v1/platform")
        case .listAgents: return PlatformRoute(method: "GET", path: "/v1/agents")
        case .getAgent: return PlatformRoute(method: "GET", path: "/v1/agents/{id}")
        case .putAgent: return PlatformRoute(method: "PUT", path: "/v1/agents/{id}")
        case .createTicket: return PlatformRoute(method: "POST", path: "/v1/tickets")
        case .listTickets: return PlatformRoute(method: "GET", path: "/v1/tickets")
        case .getTicket: return PlatformRoute(method: "GET", path: "/v1/tickets/{id}")
        case .patchTicket: return PlatformRoute(method: "PATCH", path: "/v1/tickets/{id}")
        case .ticketKey: return PlatformRoute(method: "GET", path: "/v1/tickets/{id}/key")
        case .searchTickets: return PlatformRoute(method: "POST", path: "/v1/tickets/search")
        case .erase: return PlatformRoute(method: "POST", path: "/v1/erasures")
        }
    }

    /// Whether the request carries a JSON body (and so must say it is JSON).
    var takesBody: Bool {
        switch self {
        case .putAgent, .createTicket, .patchTicket, .searchTickets, .erase: return true
        case .platformInfo, .listAgents, .getAgent, .listTickets, .getTicket, .ticketKey: return false
        }
    }

    /// What the token must hold for this endpoint; reads that ask for plain
    /// values also need `reveal` (checked where the sealing is read).
    var scope: (TokenScope, String) {
        switch self {
        case .platformInfo, .listAgents, .getAgent, .listTickets, .getTicket: return (.read, "read the platform")
        case .putAgent: return (.sync, "write agents")
        case .patchTicket: return (.sync, "change tickets")
        case .createTicket: return (.create, "create tickets")
        case .ticketKey: return (.reveal, "read a ticket's key")
        case .searchTickets: return (.reveal, "find a customer's tickets")
        case .erase: return (.erase, "erase customer data")
        }
    }

    func respond(_ handlers: Handlers, _ request: Request, _ context: PlatformRequestContext)
        async throws(PlatformError) -> Response
    {
        try context.require(scope.0, for: scope.1)
        if takesBody, let refused = HTTPMessages.unsupportedMediaType(request) { return refused }
        switch self {
        case .platformInfo: return try await handlers.platformInfo(scopes: context.scopes)
        case .listAgents: return try await handlers.listAgents()
        case .getAgent: return try await handlers.getAgent(id: context.pathID())
        case .putAgent: return try await handlers.putAgent(id: context.pathID(), request)
        case .createTicket: return try await handlers.createTicket(request)
        case .listTickets: return try await handlers.listTickets(request, sealing: context.sealing(of: request))
        case .getTicket:
            return try await handlers.getTicket(id: context.pathID(), sealing: context.sealing(of: request))
        case .patchTicket:
            return try await handlers.patchTicket(id: context.pathID(), request, sealing: context.sealing(of: request))
        case .ticketKey: return try await handlers.ticketKey(id: context.pathID())
        case .searchTickets: return try await handlers.searchTickets(request)
        case .erase: return try await handlers.erase(request)
        }
    }
}

extension PlatformServer {
    /// The router serving the API: authentication and error mapping first (so
    /// they cover unknown routes too), then one route per `Endpoint`.
    func makeRouter() -> Router<PlatformRequestContext> {
        // HEAD answers as GET does, without the body.
        let router = Router(context: PlatformRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ErrorMiddleware(logger: logger, secrets: tokens.map(\.secret)))
        router.add(middleware: BearerAuthMiddleware(tokens: tokens))
        let handlers = Handlers(platform: platform, logger: logger, bodyTimeout: bodyTimeout)
        for endpoint in Endpoint.allCases {
            let route = endpoint.route
            guard let method = HTTPRequest.Method(route.method) else {
                preconditionFailure("\(route.method) is not an HTTP method")
            }
            router.on(RouterPath(route.path), method: method) { request, context in
                try await endpoint.respond(handlers, request, context)
            }
        }
        return router
    }
}

extension PlatformRequestContext {
    /// The fields a ticket read returns sealed: `seal=a,b` names them,
    /// `reveal=true` asks for none; absent, every one. Anything but every
    /// one needs the reveal scope.
    fileprivate func sealing(of request: Request) throws(PlatformError) -> Sealing {
        let query = request.uri.queryParameters
        var sealing = Sealing.all
        if let reveal = query["reveal"] {
            guard reveal == "true" || reveal == "false" else {
                throw .badRequest("reveal must be true or false, not '\(reveal)'")
            }
            if reveal == "true" { sealing = .none }
        }
        if let names = query["seal"] {
            guard sealing == .all else { throw .badRequest("give seal or reveal=true, not both") }
            guard let chosen = Sealing(parameter: String(names)) else {
                throw .badRequest(
                    "seal names the fields to seal, from \(SealedField.allCases.map(\.rawValue).joined(separator: ", ")); not '\(names)'"
                )
            }
            sealing = chosen
        }
        if sealing != .all { try require(.reveal, for: "read customer data in plain text") }
        return sealing
    }

    /// The `{id}` of the route, percent-decoded (the router matches on the
    /// raw path, and clients encode every id as one path segment).
    fileprivate func pathID() throws(PlatformError) -> String {
        guard let raw = parameters.get("id") else { throw .notFound("the path has no id") }
        guard let id = raw.removingPercentEncoding else {
            throw .badRequest("the id in the path is not valid percent-encoding")
        }
        try HTTPMessages.requireNoControlCharacters(id)
        return id
    }
}
