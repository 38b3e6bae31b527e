/// The JSON Schema (2020-12) of one agent file, for editors
/// (yaml-language-server) and other tools.
///
/// It is built from the same patterns, enums and limits as the validator.
/// It cannot see `defaults.yaml`, so `support` and its keys are optional, and
/// it cannot express the rules between values (overlapping hours, modes and
/// channels): it accepts every file the validator accepts and rejects unknown
/// keys, wrong types, values outside an enum and malformed ids and numbers.
public enum AgentSchema {
    public static var document: JSONValue {
        object([
            ("$schema", "https://json-schema.org/draft/2020-12/schema"),
            ("title", "supportsync agent"),
            ("description", "The support settings of one AI support agent: config/agents/<agent>.yaml"),
            ("type", "object"),
            ("required", ["agent", "name", "channels"]),
            ("additionalProperties", false),
            (
                "properties",
                object([
                    ("agent", describe("The platform id; equals the file name without .yaml", pattern(Patterns.agentID))),
                    ("name", describe("Display name", text(maxLength: Patterns.nameMaxLength, minLength: 1))),
                    (
                        "channels",
                        describe(
                            "Where the agent talks to customers",
                            object([
                                ("type", "array"), ("minItems", 1), ("uniqueItems", true),
                                ("items", enumeration(Channel.allCases)),
                            ]))
                    ),
                    ("support", nullable(support)),
                ])
            ),
        ])
    }

    static var support: JSONValue {
        closedObject([
            ("mode", nullable(describe("What the agent does with a case it cannot resolve", enumeration(SupportMode.allCases)))),
            ("flag", nullable(flag)),
            ("escalate", nullable(escalate)),
            ("decide", nullable(decide)),
        ])
    }

    static var flag: JSONValue {
        let builtIn = enumeration(CollectField.builtIns)
        let longForm = object([
            ("type", "object"), ("required", ["field"]), ("additionalProperties", false),
            (
                "properties",
                object([
                    ("field", .object([("anyOf", [builtIn, pattern(Patterns.customField)])])),
                    ("required", nullable(object([("type", "boolean")]))),
                    ("label", nullable(text(maxLength: Patterns.labelMaxLength))),
                ])
            ),
        ])
        return closedObject([
            ("collect", nullable(list(object([("anyOf", [builtIn, longForm])]), unique: false))),
            ("priority", nullable(enumeration(Priority.allCases))),
            ("tags", nullable(list(pattern(Patterns.tag), unique: true))),
        ])
    }

    static var escalate: JSONValue {
        let destination = object([
            ("type", "object"), ("required", ["name"]), ("additionalProperties", false),
            (
                "properties",
                object([
                    ("name", text(maxLength: Patterns.destinationNameMaxLength, minLength: 1)),
                    ("number", nullable(describe("E.164, quoted: \"+34910000000\"", pattern(Patterns.e164)))),
                    ("sip", nullable(describe("sip:user@host[:port] or sips:...", pattern(Patterns.sipURI)))),
                    ("extension", nullable(describe("Quoted digits, * and #", pattern(Patterns.extension)))),
                ])
            ),
            (
                "oneOf",
                [
                    object([("required", ["number"]), ("properties", object([("number", object([("type", "string")]))]))]),
                    object([("required", ["sip"]), ("properties", object([("sip", object([("type", "string")]))]))]),
                ]
            ),
        ])
        let range = pattern(Patterns.timeRange)
        let hours = closedObject(
            [
                ("timezone", describe("An IANA time zone name such as Europe/Madrid", object([("type", "string"), ("minLength", 1)]))),
                (
                    "weekly",
                    object([
                        ("type", "object"),
                        ("propertyNames", pattern(Patterns.dayKey)),
                        (
                            "additionalProperties",
                            object([("anyOf", [range, list(range, unique: false), object([("type", "null")])])])
                        ),
                    ])
                ),
                ("closed", nullable(list(pattern(Patterns.date), unique: false))),
            ], required: ["timezone", "weekly"])
        return closedObject([
            (
                "destinations",
                nullable(
                    object([
                        ("type", "array"), ("minItems", 1), ("maxItems", .int(Patterns.maxDestinations)),
                        ("items", destination),
                    ]))
            ),
            ("transfer", nullable(enumeration(Transfer.allCases))),
            ("summary", nullable(object([("type", "boolean")]))),
            ("announce", nullable(text(maxLength: Patterns.announceMaxLength))),
            (
                "ring_timeout",
                nullable(
                    object([
                        ("type", "integer"), ("minimum", .int(Patterns.ringTimeout.lowerBound)),
                        ("maximum", .int(Patterns.ringTimeout.upperBound)),
                    ]))
            ),
            ("hours", nullable(hours)),
            ("fallback", nullable(enumeration(Fallback.allCases))),
        ])
    }

    static var decide: JSONValue {
        closedObject([
            ("allow", nullable(object([("type", "array"), ("minItems", 1), ("uniqueItems", true), ("items", enumeration(DecideAction.allCases))]))),
            ("guidance", nullable(text(maxLength: Patterns.guidanceMaxLength))),
        ])
    }

    // MARK: - Building blocks

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue { .object(members) }

    private static func closedObject(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "object"), ("additionalProperties", false)]
        if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
        members.append(("properties", .object(properties)))
        return .object(members)
    }

    private static func nullable(_ schema: JSONValue) -> JSONValue {
        .object([("anyOf", [schema, .object([("type", "null")])])])
    }

    private static func describe(_ description: String, _ schema: JSONValue) -> JSONValue {
        guard case .object(let members) = schema else { return schema }
        return .object([("description", .string(description))] + members)
    }

    private static func pattern(_ pattern: String) -> JSONValue {
        .object([("type", "string"), ("pattern", .string(pattern))])
    }

    private static func text(maxLength: Int, minLength: Int = 0) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "string")]
        if minLength > 0 { members.append(("minLength", .int(minLength))) }
        members.append(("maxLength", .int(maxLength)))
        return .object(members)
    }

    private static func enumeration<E: RawRepresentable>(_ cases: [E]) -> JSONValue where E.RawValue == String {
        enumeration(cases.map(\.rawValue))
    }

    private static func enumeration(_ values: [String]) -> JSONValue {
        .object([("enum", .array(values.map(JSONValue.string)))])
    }

    private static func list(_ items: JSONValue, unique: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "array"), ("items", items)]
        if unique { members.append(("uniqueItems", true)) }
        return .object(members)
    }
}
