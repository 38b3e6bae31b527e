import YAML

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
    static func object(_ members: [(String, YAMLValue)]) -> YAMLValue { .map(members) }

    /// An object that admits only `properties`; each property must carry a
    /// description (editors show it on hover).
    static func closedObject(
        _ description: String, _ properties: [(String, YAMLValue)], required: [String] = []
    ) -> YAMLValue {
        var members: [(String, YAMLValue)] = [("description", .string(description)), ("type", "object")]
        if !required.isEmpty { members.append(("required", .list(required.map(YAMLValue.string)))) }
        members.append(("additionalProperties", false))
        members.append(("properties", .map(properties)))
        return .map(members)
    }

    /// `schema` or null. A typed schema takes `"type": [T, "null"]` rather
    /// than an `anyOf`, so an editor reports the real problem inside a map
    /// instead of "matches none of two schemas"; an enum gains `null`.
    static func nullable(_ schema: YAMLValue) -> YAMLValue {
        guard case .map(var members) = schema else { return schema }
        if let index = members.firstIndex(where: { $0.0 == "type" }) {
            switch members[index].1 {
            case .string(let type): members[index].1 = .list([.string(type), "null"])
            case .list(let types) where !types.contains(.string("null")): members[index].1 = .list(types + ["null"])
            default: break
            }
            return .map(members)
        }
        if let index = members.firstIndex(where: { $0.0 == "enum" }), case .list(let values) = members[index].1 {
            members[index].1 = .list(values + [.null])
            return .map(members)
        }
        if let index = members.firstIndex(where: { $0.0 == "anyOf" }), case .list(let options) = members[index].1 {
            members[index].1 = .list(options + [.map([("type", "null")])])
            return .map(members)
        }
        return .map([("anyOf", [schema, .map([("type", "null")])])])
    }

    /// `schema` with a description first.
    static func describe(_ description: String, _ schema: YAMLValue) -> YAMLValue {
        guard case .map(let members) = schema else { return schema }
        return .map([("description", .string(description))] + members.filter { $0.0 != "description" })
    }

    static func pattern(_ pattern: String) -> YAMLValue {
        .map([("type", "string"), ("pattern", .string(pattern))])
    }

    static func text(maxLength: Int? = nil, minLength: Int = 0) -> YAMLValue {
        var members: [(String, YAMLValue)] = [("type", "string")]
        if minLength > 0 { members.append(("minLength", .int(minLength))) }
        if let maxLength { members.append(("maxLength", .int(maxLength))) }
        return .map(members)
    }

    static func enumeration<E: RawRepresentable>(_ cases: [E]) -> YAMLValue where E.RawValue == String {
        enumeration(cases.map(\.rawValue))
    }

    static func enumeration(_ values: [String]) -> YAMLValue {
        .map([("enum", .list(values.map(YAMLValue.string)))])
    }

    static func list(_ items: YAMLValue, unique: Bool, minItems: Int = 0, maxItems: Int? = nil) -> YAMLValue {
        var members: [(String, YAMLValue)] = [("type", "array")]
        if minItems > 0 { members.append(("minItems", .int(minItems))) }
        if let maxItems { members.append(("maxItems", .int(maxItems))) }
        if unique { members.append(("uniqueItems", true)) }
        members.append(("items", items))
        return .map(members)
    }

    /// The document's head: dialect, title and description.
    static func document(
        draft: SchemaDraft, title: String, description: String, body: YAMLValue
    ) -> YAMLValue {
        guard case .map(let members) = body else { return body }
        let head: [(String, YAMLValue)] = [
            ("$schema", .string(draft.uri)),
            (
                "$comment",
                .string(
                    "Written by supportsync \(SupportSyncVersion.current) (supportsync schema); supportsync init --check shows what a newer version would change"
                )
            ),
            ("title", .string(title)), ("description", .string(description)),
        ]
        return .map(head + members.filter { $0.0 != "description" })
    }
}
