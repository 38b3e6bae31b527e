import YAML

/// The JSON Schema of one agent file, for editors (yaml-language-server)
/// and other tools, in draft-07 or 2020-12.
///
/// It is built from the same patterns, enums and limits as the validator.
/// It cannot see `defaults.yaml`, so `support` and its keys (the hours'
/// `timezone` and `weekly` too) are optional, and it cannot express the
/// rules between values (overlapping hours, modes and channels): it accepts
/// every file the validator accepts and rejects unknown keys, wrong types,
/// values outside an enum and malformed ids and numbers.
public enum AgentSchema {
    /// The 2020-12 document.
    public static var document: YAMLValue { document(draft: .draft2020) }

    public static func document(draft: SchemaDraft) -> YAMLValue {
        SchemaBuilder.document(
            draft: draft, title: "supportsync agent",
            description: "The support settings of one AI support agent: config/agents/<agent>.yaml",
            body: closedObject(
                "An agent file",
                [
                    (
                        "agent",
                        describe("The platform id; equals the file name without .yaml", pattern(Patterns.agentID))
                    ),
                    ("name", describe("Display name", text(maxLength: Patterns.nameMaxLength, minLength: 1))),
                    (
                        "channels",
                        describe(
                            "Where the agent talks to customers: calls (voice) and messages (text)",
                            list(enumeration(Channel.allCases), unique: true, minItems: 1))
                    ),
                    ("support", nullable(support)),
                ], required: ["agent", "name", "channels"]))
    }

    static var support: YAMLValue {
        closedObject(
            "What the agent does with a case it cannot resolve; merged over config/defaults.yaml",
            [
                (
                    "mode",
                    nullable(
                        describe(
                            "nothing: answer as best it can; flag: log a pending ticket; escalate: transfer the call; decide: choose per conversation",
                            enumeration(SupportMode.allCases)))
                ),
                ("flag", nullable(flag)),
                ("escalate", nullable(escalate)),
                ("decide", nullable(decide)),
            ])
    }

    static var flag: YAMLValue {
        let builtIn = describe("A built-in detail", enumeration(CollectField.builtIns))
        let longForm = closedObject(
            "A detail with its options",
            [
                (
                    "field",
                    describe(
                        "A built-in detail (name, email, phone, reason) or a custom field such as order_id",
                        object([("anyOf", [builtIn, pattern(Patterns.customField)])]))
                ),
                (
                    "required",
                    nullable(
                        describe(
                            "Whether the agent must collect it before logging the ticket", object([("type", "boolean")])
                        ))
                ),
                (
                    "label",
                    nullable(
                        describe(
                            "How the agent names it to the customer; the field name by default",
                            text(maxLength: Patterns.labelMaxLength)))
                ),
            ], required: ["field"])
        return closedObject(
            "The ticket the agent logs when it flags a case",
            [
                (
                    "collect",
                    nullable(
                        describe(
                            "What the agent asks the customer before logging the ticket",
                            list(
                                object([("anyOf", [builtIn, longForm])]), unique: false, maxItems: Patterns.maxCollect))
                    )
                ),
                ("priority", nullable(describe("The ticket's priority", enumeration(Priority.allCases)))),
                (
                    "tags",
                    nullable(
                        describe(
                            "Tags for the ticket", list(pattern(Patterns.tag), unique: true, maxItems: Patterns.maxTags)
                        ))
                ),
            ])
    }

    static var escalate: YAMLValue {
        let destination = SchemaBuilder.describe(
            "Where a call is transferred: a number or a SIP address",
            object([
                ("type", "object"), ("required", ["name"]), ("additionalProperties", false),
                (
                    "properties",
                    object([
                        (
                            "name",
                            describe(
                                "The destination's name in plans and reports",
                                text(maxLength: Patterns.destinationNameMaxLength, minLength: 1))
                        ),
                        ("number", nullable(describe("E.164, quoted: \"+34910000000\"", pattern(Patterns.e164)))),
                        ("sip", nullable(describe("sip:user@host[:port] or sips:...", pattern(Patterns.sipURI)))),
                        (
                            "extension",
                            nullable(
                                describe(
                                    "Quoted digits, * and #, dialled after the number", pattern(Patterns.extension)))
                        ),
                    ])
                ),
                (
                    "oneOf",
                    [
                        object([
                            ("required", ["number"]),
                            ("properties", object([("number", object([("type", "string")]))])),
                        ]),
                        object([("required", ["sip"]), ("properties", object([("sip", object([("type", "string")]))]))]
                        ),
                    ]
                ),
            ]))
        let range = pattern(Patterns.timeRange)
        let hours = closedObject(
            "When the destinations take calls; outside these hours the fallback applies",
            [
                ("timezone", describe("An IANA time zone name such as Europe/Madrid", text(minLength: 1))),
                (
                    "weekly",
                    describe(
                        "Opening hours per day (mon..sun) or day range (mon-fri): \"09:00-13:00\" or a list of ranges",
                        object([
                            ("type", "object"),
                            ("propertyNames", pattern(Patterns.dayKey)),
                            (
                                "additionalProperties",
                                object([("anyOf", [range, list(range, unique: false), object([("type", "null")])])])
                            ),
                        ]))
                ),
                (
                    "closed",
                    nullable(
                        describe(
                            "Dates the destinations are closed all day, YYYY-MM-DD",
                            list(pattern(Patterns.date), unique: false, maxItems: Patterns.maxClosedDates)))
                ),
            ])
        return closedObject(
            "How a call is transferred to a person (calls only)",
            [
                (
                    "destinations",
                    nullable(
                        describe(
                            "Tried in order until one answers",
                            list(destination, unique: false, minItems: 1, maxItems: Patterns.maxDestinations)))
                ),
                (
                    "transfer",
                    nullable(
                        describe(
                            "warm: the agent briefs the person first; cold: the call is put through",
                            enumeration(Transfer.allCases)))
                ),
                (
                    "summary",
                    nullable(
                        describe(
                            "Whether the person receives a brief summary of the call", object([("type", "boolean")])))
                ),
                (
                    "announce",
                    nullable(
                        describe(
                            "What the agent tells the customer before the transfer",
                            text(maxLength: Patterns.announceMaxLength)))
                ),
                (
                    "ring_timeout",
                    nullable(
                        describe(
                            "Seconds each destination rings before the next is tried",
                            object([
                                ("type", "integer"), ("minimum", .int(Patterns.ringTimeout.lowerBound)),
                                ("maximum", .int(Patterns.ringTimeout.upperBound)),
                            ])))
                ),
                ("hours", nullable(hours)),
                (
                    "fallback",
                    nullable(
                        describe(
                            "What happens outside hours, when nobody answers, and on messages",
                            enumeration(Fallback.allCases)))
                ),
            ])
    }

    static var decide: YAMLValue {
        closedObject(
            "What the agent may choose among in mode decide",
            [
                (
                    "allow",
                    nullable(
                        describe(
                            "The actions the agent may choose; escalate applies to calls only",
                            list(enumeration(DecideAction.allCases), unique: true, minItems: 1)))
                ),
                (
                    "guidance",
                    nullable(describe("Instructions for choosing", text(maxLength: Patterns.guidanceMaxLength)))
                ),
            ])
    }

    private static func object(_ members: [(String, YAMLValue)]) -> YAMLValue { .map(members) }
    private static func closedObject(
        _ description: String, _ properties: [(String, YAMLValue)], required: [String] = []
    ) -> YAMLValue {
        SchemaBuilder.closedObject(description, properties, required: required)
    }
    private static func nullable(_ schema: YAMLValue) -> YAMLValue { SchemaBuilder.nullable(schema) }
    private static func describe(_ text: String, _ schema: YAMLValue) -> YAMLValue {
        SchemaBuilder.describe(text, schema)
    }
    private static func pattern(_ pattern: String) -> YAMLValue { SchemaBuilder.pattern(pattern) }
    private static func list(_ items: YAMLValue, unique: Bool, minItems: Int = 0, maxItems: Int? = nil) -> YAMLValue {
        SchemaBuilder.list(items, unique: unique, minItems: minItems, maxItems: maxItems)
    }
    private static func text(maxLength: Int? = nil, minLength: Int = 0) -> YAMLValue {
        SchemaBuilder.text(maxLength: maxLength, minLength: minLength)
    }
    private static func enumeration<E: RawRepresentable>(_ cases: [E]) -> YAMLValue where E.RawValue == String {
        SchemaBuilder.enumeration(cases)
    }
    private static func enumeration(_ values: [String]) -> YAMLValue { SchemaBuilder.enumeration(values) }
}
