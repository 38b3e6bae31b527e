/// `escalate-requires-destinations`: an agent that serves calls and may
/// escalate (mode escalate, or decide allowing escalate) needs somewhere to
/// transfer the call. An agent without calls is escalate-requires-calls'.
enum EscalateRequiresDestinations: SupportRule {
    static let rule = Rule.escalateRequiresDestinations

    static func check(_ facts: SupportFacts, reader: inout NodeReader) {
        guard !facts.destinationsWritten, !facts.defaultsUnknown, !facts.messagesOnly else { return }
        if facts.mode.value == .escalate {
            reader.report(
                rule, at: facts.mode.location, "mode escalate needs at least one escalate.destinations entry",
                hint: "add support.escalate.destinations with a number or sip address")
        }
        if let entry = facts.decideEscalate {
            reader.report(
                rule, at: entry, "decide may only escalate when support.escalate.destinations are set",
                hint: "add support.escalate.destinations, or remove escalate from allow")
        }
    }
}
