/// `escalate-messages-fallback` (a warning): an agent on calls and messages
/// in mode escalate transfers calls; its messages conversations get the
/// fallback, which is worth saying out loud.
enum EscalateMessagesFallback: SupportRule {
    static let rule = Rule.escalateMessagesFallback

    static func check(_ facts: SupportFacts, reader: inout NodeReader) {
        guard facts.mode.value == .escalate, let channels = facts.context.channels, channels.contains(.calls),
            channels.contains(.messages)
        else { return }
        // The fallback as merged (defaults.yaml may set it); a value that is
        // no fallback is reported where it is written.
        let written = facts.members["escalate"]?.value["fallback"]?.value.scalar.flatMap {
            Fallback(rawValue: $0.text)
        }
        reader.report(
            rule, at: facts.mode.location,
            "escalate transfers calls only; this agent's messages conversations use the fallback, \((written ?? .flag).rawValue)",
            hint: written == nil ? "set escalate.fallback to say what happens on messages (default flag)" : nil)
    }
}
