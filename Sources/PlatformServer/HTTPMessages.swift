import Foundation
import Hummingbird
import PlatformWire
import SupportSync

/// How requests are read and responses written: JSON bodies with a size
/// limit, `ETag`/`If-Match`, and `ErrorBody` for every failure.
enum HTTPMessages {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON response written with the project's encoder (sorted keys, so
    /// the same value always gives the same bytes).
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, etag version: String? = nil)
        -> Response
    {
        guard let data = try? JSONCoding.encoder().encode(value) else {
            preconditionFailure("encoding \(T.self) cannot fail: it holds only strings, numbers and booleans")
        }
        return json(bytes: Array(data), status: status, etag: version)
    }

    /// A JSON response of bytes already encoded.
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, etag version: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: jsonContentType]
        if let version { headers[.eTag] = "\"\(version)\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The JSON error body for `error`, with the headers its status calls for.
    /// The error's JSON body, its message and field passed through `redacting`.
    static func error(_ error: PlatformError, redacting: (String) -> String = { $0 }) -> Response {
        var body = ErrorBody(error)
        body.error.message = redacting(body.error.message)
        body.error.field = body.error.field.map(redacting)
        var response = json(body, status: HTTPResponse.Status(code: error.httpStatus))
        switch error {
        case .unauthorized: response.headers[.wwwAuthenticate] = "Bearer"
        // A busy platform clears quickly; a second is long enough not to
        // hammer it and short enough for `apply`'s 60 s retry budget.
        case .unavailable: response.headers[.retryAfter] = "1"
        default: break
        }
        return response
    }

    /// The 415 answer for a request whose body is not declared JSON, or nil
    /// when it is: `Content-Type` must be `application/json`, or a type
    /// with the `+json` suffix, parameters (a charset) aside. A body in a
    /// form the API does not read, such as a form `curl -d` sends by default,
    /// is refused before it is read. The header's value is not echoed.
    static func unsupportedMediaType(_ request: Request) -> Response? {
        // Nor is a body in a coding it does not undo (gzip): read as it came,
        // it would fail as "not JSON", or pass for what it is not.
        let codings = request.headers[values: .contentEncoding].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if codings.contains(where: { $0 != "identity" }) {
            return json(
                ErrorBody(
                    code: "unsupported_media_type",
                    message: "the request body must be sent as it is, with no Content-Encoding"),
                status: .unsupportedMediaType)
        }
        if let value = request.headers[.contentType] {
            let type = value.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
            if type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) {
                return nil
            }
        }
        return json(
            ErrorBody(
                code: "unsupported_media_type",
                message: "the request body must be JSON, sent with Content-Type: application/json"),
            status: .unsupportedMediaType)
    }

    /// The request body, refused with 413 beyond `limit` bytes. A declared
    /// `Content-Length` over the limit is refused before reading anything, and
    /// a body without one is read only up to the limit, never further. A
    /// body still arriving after `timeout` is refused with 400.
    static func body(of request: Request, limit: Int, timeout: Duration) async throws(PlatformError) -> [UInt8] {
        let tooLarge = PlatformError.tooLarge("the request body is over the limit of \(limit) bytes")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        var bytes: [UInt8] = []
        // A body trickled a byte at a time keeps the idle timeout at bay:
        // the whole body has a deadline of its own.
        let deadline = ContinuousClock.now + timeout
        do {
            // Counted chunk by chunk so an oversized body is dropped as soon
            // as it crosses the limit, whatever it declared.
            for try await chunk in request.body {
                guard ContinuousClock.now < deadline else {
                    throw PlatformError.badRequest("the request body took longer than \(timeout) to arrive")
                }
                guard bytes.count + chunk.readableBytes <= limit else { throw tooLarge }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as PlatformError {
            throw error
        } catch {
            throw .badRequest("the request body could not be read")
        }
        return bytes
    }

    /// The request's `Idempotency-Key`, nil without one: 1 to 255 characters
    /// of printable ASCII, sent once. An empty one, two, or a longer one is
    /// refused (400) rather than taken for no key, which would let a retry
    /// make a second ticket, or for one key made of both.
    static func idempotencyKey(_ request: Request) throws(PlatformError) -> String? {
        let values = request.headers[values: .init("Idempotency-Key")!]
        guard let key = values.first else { return nil }
        guard values.count == 1 else { throw .badRequest("send one Idempotency-Key, not \(values.count)") }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .badRequest("the Idempotency-Key must be 1 to 255 characters of printable ASCII")
        }
        return key
    }

    /// No agent or ticket id holds a control character: one with a NUL
    /// would be compared by SQLite only up to it, and reach another's.
    static func requireNoControlCharacters(_ id: String) throws(PlatformError) {
        guard id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return }
        throw .notFound("there is no '\(PrintableText.escaping(id))': no id holds a control character")
    }

    /// What a write of an agent holds to: `If-None-Match: *` (create only),
    /// `If-Match` (replace only that version), or neither.
    static func agentPrecondition(_ request: Request) throws(PlatformError) -> AgentPrecondition {
        let ifMatch = try ifMatch(request)
        guard let noneMatch = request.headers[.ifNoneMatch]?.trimmingCharacters(in: .whitespaces) else {
            return ifMatch.map(AgentPrecondition.revision) ?? .unconditional
        }
        guard noneMatch == "*" else {
            throw .badRequest("If-None-Match takes only * (create only); to replace a version, send If-Match")
        }
        guard request.headers[.ifMatch] == nil else {
            throw .badRequest("If-Match and If-None-Match do not go together")
        }
        return .absent
    }

    /// The version an `If-Match` names, accepted quoted (as an ETag, weak or
    /// strong) or bare; nil without the header. `*` (any version) and a
    /// list of versions are refused (400): a write names the one it read,
    /// and neither may pass for a version that never matches.
    static func ifMatch(_ request: Request) throws(PlatformError) -> String? {
        guard var text = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces) else { return nil }
        // An empty one names no version: a write that meant to be
        // conditional, with its version lost, is not made unconditional.
        guard !text.isEmpty else {
            throw .badRequest(
                "If-Match is empty: send the one version the write expects (the ETag it read), or no If-Match")
        }
        guard text != "*", !text.contains(",") else {
            throw .badRequest(
                "If-Match takes the one version the write expects (the ETag it read), not '\(PrintableText.escaping(text))'"
            )
        }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        return text
    }
}
