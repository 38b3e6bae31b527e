import Foundation
import SupportSync

/// How the platform API reads a request's JSON body, shared by the server
/// and the fuzz target that feeds it arbitrary bytes: an object, with no
/// key outside the request's fields, decoded into the domain type, every
/// failure a `PlatformError` (400 for bytes that are not JSON, 422 for the
/// wrong shape, naming the field).
public enum WireRequest {
    /// The fields of `POST /v1/tickets`.
    public static let draftFields: Set<String> = [
        "agent", "channel", "conversation", "reason", "summary", "customer", "fields", "tags", "priority",
    ]
    /// The parts of a draft's `customer`.
    public static let customerFields: Set<String> = ["name", "email", "phone"]
    /// The fields of `PATCH /v1/tickets/{id}`.
    public static let patchFields = Set(TeamFields.Field.allCases.map(\.rawValue))

    /// A JSON object body. Malformed JSON is a 400; a body that is JSON but
    /// not an object is a 422, like any other wrong shape.
    public static func object(_ bytes: [UInt8]) throws(PlatformError) -> [String: Any] {
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
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], allowed: Set<String>)
        throws(PlatformError)
        -> T
    {
        let object = try object(bytes)
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalid(
                field: unknown,
                message: "'\(unknown)' is not a field of this request (\(allowed.sorted().joined(separator: ", ")))")
        }
        // A customer part misspelt (`mail`) would be dropped with the data in it.
        if allowed == draftFields, let customer = object["customer"] as? [String: Any],
            let unknown = customer.keys.sorted().first(where: { !customerFields.contains($0) })
        {
            throw .invalid(
                field: "customer.\(unknown)",
                message:
                    "'\(unknown)' is not a part of customer (\(customerFields.sorted().joined(separator: ", ")))")
        }
        // A key written twice: the decoder keeps one of the two in silence,
        // and a reader in front of this one may have seen the other.
        if let duplicate = AgentBodyValidator.duplicateKey(inJSON: bytes) {
            throw .invalid(field: duplicate.field, message: duplicate.message)
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
    public static func invalid(_ error: DecodingError) -> PlatformError {
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
}
