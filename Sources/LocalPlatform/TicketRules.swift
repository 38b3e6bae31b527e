import SupportSync

/// What the platform accepts for tickets.
enum TicketRules {
    static func check(_ draft: TicketDraft) throws(PlatformError) {
        if draft.conversation.isEmpty { throw .invalid(field: "conversation", message: "conversation is required") }
        if draft.reason.isEmpty { throw .invalid(field: "reason", message: "reason is required") }
        for tag in draft.tags where !Patterns.isTag(tag) {
            throw .invalid(field: "tags", message: "'\(tag)' is not a valid tag")
        }
        for key in draft.fields.keys.sorted() where !Patterns.isCustomField(key) {
            throw .invalid(field: "fields.\(key)", message: "'\(key)' is not a valid field name")
        }
    }

    static func checkTransition(from current: Ticket, to next: Ticket) throws(PlatformError) {
        guard current.status.canMove(to: next.status) else {
            throw .invalid(
                field: "status", message: "a \(current.status.rawValue) ticket cannot move to \(next.status.rawValue)")
        }
        // As audit judges a commit: a ticket already closed without a
        // resolution (imported so) still takes other edits.
        if next.record.team.lacksResolution(comparedTo: [current.record.team]) {
            throw .invalid(field: "resolution", message: "a \(next.status.rawValue) ticket needs a resolution")
        }
    }
}
