/// Every JSON document a command prints: one object carrying
/// `"format_version": 1`, so a script can tell which shape it reads. A
/// list (`tickets list`) goes under a key. The shapes are in README "JSON".
public enum JSONDocument {
    /// Raised when a document's shape changes in a way a reader must know.
    public static let formatVersion = 1

    /// `value` (which encodes as an object) with `format_version` added.
    public static func render<Value: Encodable>(_ value: Value) -> String {
        JSONCoding.prettyString(Versioned(value: value, key: nil), document: true)
    }

    /// `{"format_version": 1, key: list}`.
    public static func render<Value: Encodable>(_ list: Value, under key: String) -> String {
        JSONCoding.prettyString(Versioned(value: list, key: key), document: true)
    }

    private struct Versioned<Wrapped: Encodable>: Encodable {
        var value: Wrapped
        var key: String?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            if let key {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(value, forKey: Key(key))
                try container.encode(JSONDocument.formatVersion, forKey: Key("format_version"))
            } else {
                // The value's own keys, then one more in the same object.
                try value.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(JSONDocument.formatVersion, forKey: Key("format_version"))
            }
        }
    }
}

/// An optional member of a JSON document, written `null` when it has no
/// value: synthesized `Encodable` leaves such a key out, and a document
/// writes every key not marked `?` in README "JSON".
@propertyWrapper
public struct JSONNull<Value: Encodable>: Encodable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension JSONNull: Sendable where Value: Sendable {}
extension JSONNull: Equatable where Value: Equatable {}
extension JSONNull: Hashable where Value: Hashable {}

/// Read back as written (a saved plan): `null`, a value, or no key at all.
extension JSONNull: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }
}

extension KeyedDecodingContainer {
    /// A missing key is no value, as for an optional.
    public func decode<Value: Decodable>(_ type: JSONNull<Value>.Type, forKey key: Key) throws -> JSONNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? JSONNull(wrappedValue: nil)
    }
}

extension JSONDocument {
    /// `document` (as `render` prints it: pretty, keys sorted) with one more
    /// top-level string member, in its sorted place.
    public static func adding(_ key: String, _ value: String, to document: String) -> String {
        guard let literal = try? JSONCoding.encoder().encode(value), let name = try? JSONCoding.encoder().encode(key)
        else { return document }
        let member = "  \(String(decoding: name, as: UTF8.self)) : \(String(decoding: literal, as: UTF8.self))"
        var lines = document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Top-level members start with two spaces and a quote; the object closes on "}".
        guard lines.first == "{", let close = lines.lastIndex(of: "}") else { return document }
        let starts = lines.indices.filter { index in
            let line = lines[index]
            return line.hasPrefix("  \"") && !line.hasPrefix("   ")
        }
        let later = starts.first { index in
            let line = lines[index].dropFirst(3)
            return String(line.prefix { $0 != "\"" }) > key
        }
        if let later {
            lines.insert(member + ",", at: later)
        } else if close > 1 {
            lines[close - 1] += ","
            lines.insert(member, at: close)
        } else {
            lines.insert(member, at: close)
        }
        return lines.joined(separator: "\n")
    }
}
