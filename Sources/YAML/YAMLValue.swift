/// The one value tree for YAML and JSON: what supportsync writes as YAML
/// (ticket and agent files, with mappings in the order given), builds as
/// JSON (the schemas), and reads from JSON (settings flattened for a diff).
public indirect enum YAMLValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([YAMLValue])
    case map([(String, YAMLValue)])

    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .int(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .list(let values): hasher.combine(values)
        case .map(let members):
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// A string, or null when nil.
    public static func optional(_ text: String?) -> YAMLValue {
        text.map(YAMLValue.string) ?? .null
    }

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: YAMLValue...) { self = .list(elements) }

    /// A list or a map.
    public var isContainer: Bool {
        switch self {
        case .list, .map: return true
        default: return false
        }
    }

    /// The value on one line, for `field: old -> new`: text as written (in
    /// quotes when it spans lines), lists as `[a, b]`, maps as `{k: v}`.
    public var oneLine: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .string(let text):
            // Line breaks, control and format characters (an escape sequence,
            // a bidi override) are written as escapes inside quotes.
            let special = { (scalar: Unicode.Scalar) in
                scalar != "\t"
                    && [.control, .format, .lineSeparator, .paragraphSeparator].contains(
                        scalar.properties.generalCategory)
            }
            // An empty text shows as such, not as nothing.
            if text.isEmpty { return "\"\"" }
            guard text.unicodeScalars.contains(where: special) else { return text }
            return "\""
                + text.unicodeScalars.map { special($0) ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
        case .list(let items): return "[" + items.map(\.oneLine).joined(separator: ", ") + "]"
        case .map(let members): return "{" + members.map { "\($0.0): \($0.1.oneLine)" }.joined(separator: ", ") + "}"
        }
    }
}

/// As JSON: maps are objects (read back with their keys sorted), lists arrays.
extension YAMLValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .list(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .map(let members):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try container.encode(value, forKey: Key(stringValue: key)) }
        }
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: Key.self) {
            var members: [(String, YAMLValue)] = []
            for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                members.append((key.stringValue, try container.decode(YAMLValue.self, forKey: key)))
            }
            self = .map(members)
        } else if var container = try? decoder.unkeyedContainer() {
            var values: [YAMLValue] = []
            while !container.isAtEnd { values.append(try container.decode(YAMLValue.self)) }
            self = .list(values)
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int.self) {
                self = .int(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }
}
