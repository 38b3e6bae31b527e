import Foundation
import Hummingbird
import Logging
import PlatformWire
import SupportSync

/// Turns every failure into the API's JSON error body, so a client never
/// sees an empty 500 or an HTML page, and logs one line per request.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext
    let logger: Logger
    /// The tokens' bytes, so a path segment equal to one is never logged or echoed.
    let secrets: [[UInt8]]

    /// `path` with every segment that is a token (as sent or percent-decoded)
    /// replaced, and hidden whole when a token holding `/` shows in it.
    func shown(_ path: String) -> String {
        Redaction.redactingSegments(secrets.map { String(decoding: $0, as: UTF8.self) }, in: path)
    }

    /// `text` with every token, where it stands as a whole word, replaced.
    func redacted(_ text: String) -> String {
        secrets.reduce(text) { text, secret in Redaction.redacting(String(decoding: secret, as: UTF8.self), in: text) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as PlatformError {
            // Ids in messages come from the request: one may be a token.
            response = HTTPMessages.error(error, redacting: redacted)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own errors; in practice the router's "no such
            // route", which the API reports like any other 404.
            let allowed = PlatformServer.allowedMethods(for: request.uri.path)
            if error.status == .notFound, !allowed.isEmpty {
                var refused = HTTPMessages.json(
                    ErrorBody(
                        code: "method_not_allowed",
                        message:
                            "\(shown(request.uri.path)) accepts \(allowed.joined(separator: ", ")), not \(request.method)"
                    ),
                    status: .methodNotAllowed)
                refused.headers[.allow] = allowed.joined(separator: ", ")
                response = refused
            } else if error.status == .notFound {
                // HEAD answers as GET does, to the byte count of its body.
                let method = request.method == .head ? "GET" : "\(request.method)"
                response = HTTPMessages.error(.notFound("there is no route \(method) \(shown(request.uri.path))"))
            } else {
                response = HTTPMessages.error(Self.platformError(status: error.status))
            }
        } catch {
            // A bug or an unexpected failure: say so without leaking details
            // to the client; the log has them.
            logger.info("request failed", metadata: ["error": "\(String(reflecting: error))"])
            response = HTTPMessages.error(.failed("the server failed to answer this request"))
        }
        // Never log headers: they carry the token.
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method)", "path": "\(shown(request.uri.path))",
                "status": "\(response.status.code)",
            ])
        return response
    }

    private static func platformError(status: HTTPResponse.Status) -> PlatformError {
        let message = status.reasonPhrase.isEmpty ? "HTTP \(status.code)" : status.reasonPhrase
        switch status.code {
        case 400: return .badRequest(message)
        case 401, 403: return .unauthorized(message)
        case 413: return .tooLarge(message)
        case 429, 503: return .unavailable(message)
        default: return .failed(message)
        }
    }
}

/// Requires `Authorization: Bearer <token>` on every request, known route
/// or not, and puts the token's scopes in the context. Tokens are compared
/// in constant time, every one of them, and never logged or echoed.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext
    private let tokens: [ScopedToken]

    init(tokens: [ScopedToken]) {
        precondition(!tokens.isEmpty, "the platform server needs a token")
        self.tokens = tokens
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw PlatformError.unauthorized("the request has no 'Authorization: Bearer <token>' header")
        }
        guard let credentials = Self.bearerCredentials(header) else {
            throw PlatformError.unauthorized("the bearer token is not valid for this platform")
        }
        // Every token is compared, so timing does not tell which one matched.
        var scopes: Set<TokenScope>?
        for token in tokens where Self.constantTimeEquals(credentials, token.secret) {
            scopes = (scopes ?? []).union(token.scopes)
        }
        guard let scopes else { throw PlatformError.unauthorized("the bearer token is not valid for this platform") }
        var context = context
        context.scopes = scopes
        return try await next(request, context)
    }

    /// The credentials of a `Bearer` authorization; the scheme is
    /// case-insensitive (RFC 9110, section 11.1).
    static func bearerCredentials(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count >= scheme.count,
            zip(bytes, scheme).allSatisfy({ ((0x41...0x5A).contains($0) ? $0 | 0x20 : $0) == $1 })
        else { return nil }
        var credentials = bytes[scheme.count...]
        while credentials.first == 0x20 { credentials.removeFirst() }
        while credentials.last == 0x20 { credentials.removeLast() }
        return Array(credentials)
    }

    /// Equality whose time depends only on the expected token's length, so
    /// timing cannot reveal how many leading bytes a guess got right.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = given.count ^ expected.count
        for index in expected.indices {
            let byte = given.isEmpty ? 0 : given[index % given.count]
            difference |= Int(byte ^ expected[index])
        }
        return difference == 0
    }
}
