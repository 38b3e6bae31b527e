/// `escalate-requires-calls`: escalating transfers a call, so an agent
/// that serves only messages can neither be in mode escalate nor let
/// decide choose escalate.
enum EscalateRequiresCalls: SupportRule {
    static let rule = Rule.escalateRequiresCalls

    static func check(_ facts: SupportFacts, reader: inout NodeReader) {
        guard facts.messagesOnly else { return }
        if facts.mode.value == .escalate {
            reader.report(
                rule, at: facts.mode.location, "escalate transfers calls only; this agent serves only messages",
                hint: "use flag or decide")
        }
        if let entry = facts.decideEscalate {
            reader.report(
                rule, at: entry, "escalate transfers calls only; this agent serves only messages",
                hint: "remove escalate from allow")
        }
    }
}
