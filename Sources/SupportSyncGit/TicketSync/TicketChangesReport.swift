import SupportSync
import YAML

/// How `tickets diff` prints what a pull request does to tickets: text for
/// a terminal, Markdown for the pull-request comment and the job summary.
public enum TicketChangesReport {
    /// Tickets listed in Markdown before "and N more" (the comment has a
    /// size limit; the JSON keeps all).
    public static let markdownLimit = 200

    public static func text(_ changes: [TicketQueries.TicketChange]) -> String {
        guard !changes.isEmpty else { return "no ticket changes\n" }
        var out = ""
        for change in changes {
            out += "\(change.kind.rawValue) \(change.id) (\(change.path))\n"
            if !change.readable { out += "    the file does not read as a ticket; supportsync audit says why\n" }
            for field in change.changes where change.kind == .modified {
                out += "    \(field.field): \(shown(field, field.oldValue)) -> \(shown(field, field.newValue))\n"
            }
        }
        return out + summary(changes) + "\n"
    }

    /// A value as the reports show it, on one line: sealed values as
    /// `(sealed)`, and customer data (the fields sealing covers) never by
    /// its text, sealed or not: the report goes into the pull-request
    /// comment, and a value in plain text there is the leak audit reports.
    static func shown(_ change: TicketQueries.FieldChange, _ value: YAMLValue?) -> String {
        guard let value else { return "(none)" }
        guard let field = TicketRecord.Field(rawValue: change.field), TicketAudit.customerData.contains(field) else {
            return SealedValue.abbreviated(value.oneLine)
        }
        return (change.described ? value : TicketAudit.described(value)).oneLine
    }

    public static func markdown(_ changes: [TicketQueries.TicketChange]) -> String {
        var out = "### Ticket changes\n\n"
        guard !changes.isEmpty else { return out + "This pull request changes no ticket.\n" }
        out += summary(changes) + "\n\n| Ticket | Change | Fields |\n|---|---|---|\n"
        for change in changes.prefix(markdownLimit) {
            let fields: String
            if !change.readable {
                fields = "the file does not read as a ticket"
            } else if change.kind == .modified {
                fields = change.changes.map {
                    "`\($0.field)`: \(cell(shown($0, $0.oldValue))) → \(cell(shown($0, $0.newValue)))"
                }
                .joined(separator: "<br>")
            } else {
                fields = ""
            }
            out += "| `\(change.id)` | \(change.kind.rawValue) | \(fields) |\n"
        }
        if changes.count > markdownLimit { out += "\nand \(changes.count - markdownLimit) more\n" }
        return out
    }

    static func summary(_ changes: [TicketQueries.TicketChange]) -> String {
        let count = { (kind: TicketQueries.TicketChange.Kind) in changes.filter { $0.kind == kind }.count }
        let noun = changes.count == 1 ? "ticket" : "tickets"
        return
            "\(changes.count) \(noun) changed: \(count(.modified)) modified, \(count(.added)) added, \(count(.deleted)) deleted"
    }

    /// A value inside a table cell: one line, no pipe, at most 120 characters.
    static func cell(_ value: String) -> String {
        var text = value.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "<", with: "&lt;")
        if text.count > 120 { text = String(text.prefix(119)) + "…" }
        return text
    }
}
