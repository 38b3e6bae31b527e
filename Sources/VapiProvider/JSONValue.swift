import Foundation

/// Any JSON value, kept as it came: what supportsync reads from Vapi and
/// sends back untouched (an assistant's prompt, voice and model settings)
/// travels as this, so nothing it does not manage is lost or reshaped.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The strings of an array of strings (others skipped); nil when not an array.
    public var strings: [String]? { array?.compactMap(\.string) }

    /// One text for equal values: keys sorted, no spaces, slashes unescaped.
    public var canonical: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    public init(_ strings: [String]) { self = .array(strings.map(JSONValue.string)) }

    /// Whether this value holds everything `wanted` says: every key of an
    /// object (others may be added, as Vapi adds defaults), arrays item by
    /// item with the same length, anything else equal.
    public func includes(_ wanted: JSONValue) -> Bool {
        switch (self, wanted) {
        case (.object(let have), .object(let want)):
            return want.allSatisfy { key, value in have[key]?.includes(value) ?? false }
        case (.array(let have), .array(let want)):
            return have.count == want.count && zip(have, want).allSatisfy { $0.includes($1) }
        case (.integer(let have), .number(let want)): return Double(have) == want
        case (.number(let have), .integer(let want)): return have == Double(want)
        default: return self == wanted
        }
    }
}
