/// The JSON Schema dialects supportsync prints, and the building blocks its
/// schemas share.
public enum SchemaDraft: String, Sendable, CaseIterable {
    /// Draft-07: what yaml-language-server (the VS Code YAML extension) reads
    /// without a warning.
    case draft7 = "7"
    /// 2020-12, the current dialect.
    case draft2020 = "2020-12"

    /// The `$schema` URI of the dialect.
    public var uri: String {
        switch self {
        case .draft7: return "http://json-schema.org/draft-07/schema#"
        case .draft2020: return "https://json-schema.org/draft/2020-12/schema"
        }
    }
}

/// Schema fragments. Only keywords that mean the same in draft-07 and
/// 2020-12 are used, so one tree serves both dialects.
enum SchemaBuilder {
    static func object(_ members: [(String, JSONValue)]) -> JSONValue { .object(members) }

    /// An object that admits only `properties`; each property must carry a
    /// description (editors show it on hover).
    static func closedObject(
        _ description: String, _ properties: [(String, JSONValue)], required: [String] = []
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("description", .string(description)), ("type", "object")]
        if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
        members.append(("additionalProperties", false))
        members.append(("properties", .object(properties)))
        return .object(members)
    }

    /// `schema` or null. A typed schema takes `"type": [T, "null"]` rather
    /// than an `anyOf`, so an editor reports the real problem inside a map
    /// instead of "matches none of two schemas"; an enum gains `null`.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        if let index = members.firstIndex(where: { $0.0 == "type" }) {
            switch members[index].1 {
            case .string(let type): members[index].1 = .array([.string(type), "null"])
            case .array(let types) where !types.contains(.string("null")): members[index].1 = .array(types + ["null"])
            default: break
            }
            return .object(members)
        }
        if let index = members.firstIndex(where: { $0.0 == "enum" }), case .array(let values) = members[index].1 {
            members[index].1 = .array(values + [.null])
            return .object(members)
        }
        if let index = members.firstIndex(where: { $0.0 == "anyOf" }), case .array(let options) = members[index].1 {
            members[index].1 = .array(options + [.object([("type", "null")])])
            return .object(members)
        }
        return .object([("anyOf", [schema, .object([("type", "null")])])])
    }

    /// `schema` with a description first.
    static func describe(_ description: String, _ schema: JSONValue) -> JSONValue {
        guard case .object(let members) = schema else { return schema }
        return .object([("description", .string(description))] + members.filter { $0.0 != "description" })
    }

    static func pattern(_ pattern: String) -> JSONValue {
        .object([("type", "string"), ("pattern", .string(pattern))])
    }

    static func text(maxLength: Int? = nil, minLength: Int = 0) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "string")]
        if minLength > 0 { members.append(("minLength", .int(minLength))) }
        if let maxLength { members.append(("maxLength", .int(maxLength))) }
        return .object(members)
    }

    static func enumeration<E: RawRepresentable>(_ cases: [E]) -> JSONValue where E.RawValue == String {
        enumeration(cases.map(\.rawValue))
    }

    static func enumeration(_ values: [String]) -> JSONValue {
        .object([("enum", .array(values.map(JSONValue.string)))])
    }

    static func list(_ items: JSONValue, unique: Bool, minItems: Int = 0, maxItems: Int? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "array")]
        if minItems > 0 { members.append(("minItems", .int(minItems))) }
        if let maxItems { members.append(("maxItems", .int(maxItems))) }
        if unique { members.append(("uniqueItems", true)) }
        members.append(("items", items))
        return .object(members)
    }

    /// The document's head: dialect, title and description.
    static func document(
        draft: SchemaDraft, title: String, description: String, body: JSONValue
    ) -> JSONValue {
        guard case .object(let members) = body else { return body }
        let head: [(String, JSONValue)] = [
            ("$schema", .string(draft.uri)),
            (
                "$comment",
                .string(
                    "Written by supportsync \(SupportSyncVersion.current) (supportsync schema); supportsync init --check shows what a newer version would change"
                )
            ),
            ("title", .string(title)), ("description", .string(description)),
        ]
        return .object(head + members.filter { $0.0 != "description" })
    }
}
