import Foundation
import NIOCore
import PlatformWire
import SupportSync

extension HTTPPlatform {
    /// Sends `request` and decodes its 2xx answer as `T`.
    ///
    /// - missingIsNil: a 404 that carries the API's error body means "no such
    ///   resource" and gives nil. A 404 without it (a web server's page) is an
    ///   error: the URL is wrong, and treating it as "missing" would make
    ///   `apply` create every agent anew.
    /// - recheck: for a 412 after an earlier attempt may have been carried out
    ///   (its answer lost to a timeout), asks whether the platform already
    ///   holds what this request wrote; if so that is the result, not a conflict.
    func call<T: Decodable>(
        _ request: PlatformRequest, as type: T.Type, missingIsNil: Bool = false,
        recheck: (() async throws(PlatformError) -> T?)? = nil
    ) async throws(PlatformError) -> T? {
        try await answer(try await send(request), to: request, as: type, missingIsNil: missingIsNil, recheck: recheck)
    }

    /// `call` for an answer already received.
    func answer<T: Decodable>(
        _ exchange: Exchange, to request: PlatformRequest, as type: T.Type, missingIsNil: Bool = false,
        recheck: (() async throws(PlatformError) -> T?)? = nil
    ) async throws(PlatformError) -> T? {
        let context = "\(request.resource): HTTP \(exchange.status) on \(shown(request))"
        let data = Data(exchange.body.readableBytesView)
        if (200...299).contains(exchange.status) {
            do {
                return try JSONDecoder().decode(T.self, from: data)
            } catch {
                throw .failed(
                    token.redacting(
                        "\(context): the answer is not the platform API's (\(JSONCoding.summary(of: error, json: data)))"
                    ))
            }
        }
        let body = try? JSONDecoder().decode(ErrorBody.self, from: data)
        if exchange.status == 404, missingIsNil, body?.error.code == PlatformError.notFound("").code {
            return nil
        }
        if exchange.status == 412, exchange.earlierAttemptMayHaveLanded, let recheck {
            logger.debug("412 after an attempt whose answer was lost; checking whether the write landed")
            if let value = try await recheck() {
                return value
            }
        }
        throw error(for: exchange, body: body, context: context)
    }

    /// `METHOD /path?query` as sent, the base URL's path included, for messages.
    package func shown(_ request: PlatformRequest) -> String {
        token.redacting("\(request.method.rawValue) \(basePath)\(request.target)")
    }

    /// `text` with the token replaced wherever it occurs.
    package func redact(_ text: String) -> String { token.redacting(text) }

    /// `call` for requests whose answer is never missing.
    func callRequired<T: Decodable>(
        _ request: PlatformRequest, as type: T.Type, recheck: (() async throws(PlatformError) -> T?)? = nil
    ) async throws(PlatformError) -> T {
        try await answerRequired(try await send(request), to: request, as: type, recheck: recheck)
    }

    /// `answer` for requests whose answer is never missing.
    func answerRequired<T: Decodable>(
        _ exchange: Exchange, to request: PlatformRequest, as type: T.Type,
        recheck: (() async throws(PlatformError) -> T?)? = nil
    ) async throws(PlatformError) -> T {
        guard let value = try await answer(exchange, to: request, as: type, recheck: recheck) else {
            preconditionFailure("an answer is nil only when missingIsNil")
        }
        return value
    }

    /// The error an answer that is not a success stands for. Messages start
    /// with the resource, the status and the request, then what the server
    /// said, then how retrying ended.
    private func error(for exchange: Exchange, body: ErrorBody?, context: String) -> PlatformError {
        let detail: String
        if let body {
            // What the platform says is shown, with control characters
            // escaped: a line break must not start a line of its making.
            detail = PrintableText.escaping(body.error.message)
        } else if (300...399).contains(exchange.status) {
            detail = "a redirect, which the client does not follow; is the platform URL right?"
        } else if exchange.status == 401 || exchange.status == 403 {
            detail = "the platform refused the token"
        } else {
            detail = "the answer is not the platform API's (\(Self.describeBody(exchange)))"
        }
        var hint = ""
        if exchange.status == 404, basePath.hasSuffix("/v1") {
            // GET /v1/v1/agents: the base URL already names the version.
            hint = "; the platform URL ends in /v1, which supportsync adds itself: drop the suffix"
        }
        let message = token.redacting(
            context + ": " + detail + hint + (exchange.note.map { "; " + $0 } ?? ""))
        // A wrong URL is an operation that cannot work, never a missing resource.
        if !hint.isEmpty { return .failed(message) }
        switch exchange.status {
        case 401: return .unauthorized(message)
        case 403: return body == nil ? .unauthorized(message) : .forbidden(message)
        case 413: return .tooLarge(message)
        case 429, 502, 503, 504: return .unavailable(message)
        default: break
        }
        // Without the API's error body the status may come from anything
        // between us and the platform, so it says nothing about the resource.
        guard let body else { return .failed(message) }
        switch exchange.status {
        case 404: return .notFound(message)
        case 412: return .versionConflict(message)
        case 422:
            return .invalid(
                field: body.error.field.map { PrintableText.escaping(token.redacting($0)) }, message: message)
        case 400: return .badRequest(message)
        default: return .failed(message)
        }
    }

    private static func describeBody(_ exchange: Exchange) -> String {
        let size = exchange.body.readableBytes
        guard size > 0 else { return "an empty body" }
        let type = exchange.headers.first(name: "Content-Type") ?? "no content type"
        return "\(size) bytes of \(type)"
    }

}
