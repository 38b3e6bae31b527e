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
        var headers: HTTPFields = [.contentType: jsonContentType]
        if let version { headers[.eTag] = "\"\(version)\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The JSON error body for `error`, with the headers its status calls for.
    static func error(_ error: PlatformError) -> Response {
        var response = json(ErrorBody(error), status: HTTPResponse.Status(code: error.httpStatus))
        switch error {
        case .unauthorized: response.headers[.wwwAuthenticate] = "Bearer"
        // A busy platform clears quickly; a second is long enough not to
        // hammer it and short enough for `apply`'s 60 s retry budget.
        case .unavailable: response.headers[.retryAfter] = "1"
        default: break
        }
        return response
    }

    /// How long a request body may take to arrive, in all.
    static let bodyDeadline: Duration = .seconds(60)

    /// The request body, refused with 413 beyond `limit` bytes. A declared
    /// `Content-Length` over the limit is refused before reading anything, and
    /// a body without one is read only up to the limit, never further.
    static func body(of request: Request, limit: Int) async throws(PlatformError) -> [UInt8] {
        let tooLarge = PlatformError.tooLarge("the request body is over the limit of \(limit) bytes")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        var bytes: [UInt8] = []
        // A body trickled a byte at a time keeps the idle timeout at bay:
        // the whole body has a deadline of its own.
        let deadline = ContinuousClock.now + bodyDeadline
        do {
            // Counted chunk by chunk so an oversized body is dropped as soon
            // as it crosses the limit, whatever it declared.
            for try await chunk in request.body {
                guard ContinuousClock.now < deadline else {
                    throw PlatformError.badRequest("the request body took longer than \(bodyDeadline) to arrive")
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

    /// A JSON object body. Malformed JSON is a 400; a body that is JSON but
    /// not an object is a 422, like any other wrong shape.
    static func object(_ bytes: [UInt8]) throws(PlatformError) -> [String: Any] {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw .badRequest("the request body is not valid JSON")
        }
        guard let object = value as? [String: Any] else {
            throw .invalid(field: nil, message: "the request body must be a JSON object")
        }
        return object
    }

    /// Decodes a JSON object body, refusing keys outside `allowed` so that a
    /// misspelt or platform-owned field is reported rather than ignored.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], allowed: Set<String>) throws(PlatformError)
        -> T
    {
        let object = try object(bytes)
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalid(
                field: unknown,
                message: "'\(unknown)' is not a field of this request (\(allowed.sorted().joined(separator: ", ")))")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw invalid(error)
        } catch {
            throw .invalid(field: nil, message: "the request body could not be read: \(error)")
        }
    }

    /// A decoding failure as a 422 naming the field, in the same path
    /// spelling as the agent validator (`customer.email`, `tags[0]`).
    static func invalid(_ error: DecodingError) -> PlatformError {
        func path(_ keys: [any CodingKey]) -> String? {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? nil : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(field: path(context.codingPath + [key]), message: "'\(key.stringValue)' is required")
        case .typeMismatch(let type, let context):
            return .invalid(field: path(context.codingPath), message: "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(field: path(context.codingPath), message: "expected \(describe(type)), found null")
        case .dataCorrupted(let context):
            return .invalid(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return .invalid(field: nil, message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is [String].Type, is [Any].Type: return "a list"
        case is [String: String].Type, is [String: Any].Type: return "an object"
        default: return "a value of type \(type)"
        }
    }

    /// The version an `If-Match` names, accepted quoted (as an ETag, weak or
    /// strong) or bare; nil without the header.
    static func ifMatch(_ request: Request) -> String? {
        guard var text = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return nil
        }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        return text
    }
}
