import YAML

/// The JSON Schema of one ticket file, `tickets/<YYYY>/<MM>/<id>.yaml`
/// (SPEC 4), for editors and other tools. Every key is present in a file
/// the tool writes (null where empty), so every key is required.
///
/// Like the agent schema it sees one file: the status lifecycle, who may
/// change which field and where the file sits are `audit`'s to judge.
public enum TicketSchema {
    /// `created_at`: RFC 3339 in UTC, optional fractional seconds (`TicketTimestamp`).
    static let createdAtPattern =
        "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$"

    public static func document(draft: SchemaDraft) -> YAMLValue {
        let platform = "Owned by the platform: written by tickets pull, never edited in git"
        let team = "Owned by the team: edit it in a pull request; tickets push sends it to the platform"
        let sealed =
            "Customer data: sealed by the platform with the ticket's key unless supportsync.yaml's tickets.seal leaves it out, as one string \"sealed:v1:<key id>:<base64>\" (or \"withheld:v1\" from a platform that holds no keys, such as Vapi, which keeps the value); opened by tickets show --reveal"
        let detail = { (what: String) in
            SchemaBuilder.describe(what, SchemaBuilder.nullable(SchemaBuilder.text()))
        }
        return SchemaBuilder.document(
            draft: draft, title: "supportsync ticket",
            description: "One ticket an agent flagged: tickets/<YYYY>/<MM>/<id>.yaml",
            body: SchemaBuilder.closedObject(
                "A ticket file",
                [
                    (
                        "id",
                        SchemaBuilder.describe(
                            "The ticket's id; equals the file name. \(platform)",
                            SchemaBuilder.pattern(TicketPaths.idPattern))
                    ),
                    (
                        "agent",
                        SchemaBuilder.describe(
                            "The agent that flagged the case. \(platform)", SchemaBuilder.pattern(Patterns.agentID))
                    ),
                    (
                        "channel",
                        SchemaBuilder.describe(
                            "Where the conversation happened. \(platform)", SchemaBuilder.enumeration(Channel.allCases))
                    ),
                    (
                        "conversation",
                        SchemaBuilder.describe("The platform's conversation id. \(platform)", SchemaBuilder.text())
                    ),
                    (
                        "created_at",
                        SchemaBuilder.describe(
                            "When the ticket was logged, RFC 3339 in UTC; decides the folder. \(platform)",
                            SchemaBuilder.pattern(createdAtPattern))
                    ),
                    (
                        "reason",
                        SchemaBuilder.describe(
                            "Why the agent flagged the case. \(sealed). \(platform)", SchemaBuilder.text())
                    ),
                    (
                        "summary",
                        SchemaBuilder.describe(
                            "The agent's summary of the conversation. \(sealed). \(platform)", SchemaBuilder.text())
                    ),
                    (
                        "customer",
                        SchemaBuilder.closedObject(
                            "The customer's details the agent collected, null where not given. \(sealed), value by value (a null too). \(platform)",
                            [
                                ("name", detail("The customer's name")),
                                ("email", detail("The customer's e-mail address")),
                                ("phone", detail("The customer's phone number")),
                            ], required: TicketRecord.customerKeys)
                    ),
                    (
                        "fields",
                        SchemaBuilder.describe(
                            "The custom fields the agent collected, by name. \(sealed), value by value. \(platform)",
                            SchemaBuilder.object([
                                ("type", "object"), ("propertyNames", SchemaBuilder.pattern(Patterns.customField)),
                                ("additionalProperties", SchemaBuilder.text()),
                            ]))
                    ),
                    (
                        "tags",
                        SchemaBuilder.describe(
                            "Tags from the agent's settings. \(platform)",
                            SchemaBuilder.list(SchemaBuilder.text(), unique: false))
                    ),
                    (
                        "priority",
                        SchemaBuilder.describe(
                            "The ticket's priority. \(team)", SchemaBuilder.enumeration(Priority.allCases))
                    ),
                    (
                        "status",
                        SchemaBuilder.describe(
                            "pending -> in_progress -> resolved -> closed; a resolved or closed ticket needs a resolution. \(team)",
                            SchemaBuilder.enumeration(TicketStatus.allCases))
                    ),
                    (
                        "assignee",
                        SchemaBuilder.describe(
                            "Who works the ticket, or null. \(team)", SchemaBuilder.nullable(SchemaBuilder.text()))
                    ),
                    (
                        "resolution",
                        SchemaBuilder.describe(
                            "What was done, or null. \(team)", SchemaBuilder.nullable(SchemaBuilder.text()))
                    ),
                    (
                        "erasure",
                        SchemaBuilder.closedObject(
                            "Present once the platform erased the customer data (and destroyed the ticket's key): when, by whom and why; reason, summary, customer and fields are then empty. \(platform)",
                            [
                                ("at", SchemaBuilder.describe("When, RFC 3339 in UTC", SchemaBuilder.text())),
                                ("by", SchemaBuilder.describe("Who asked", SchemaBuilder.text())),
                                ("reason", SchemaBuilder.describe("The reason given", SchemaBuilder.text())),
                            ], required: Erasure.keys)
                    ),
                ], required: TicketRecord.Field.allCases.filter { $0 != .erasure }.map(\.rawValue)))
    }
}
