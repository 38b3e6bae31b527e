/// `unused-block` (a warning): a flag, escalate or decide block the mode
/// never uses, written in the agent's own file (an inherited one is not
/// the agent's to remove).
enum UnusedBlock: SupportRule {
    static let rule = Rule.unusedBlock

    static func check(_ facts: SupportFacts, reader: inout NodeReader) {
        let used = facts.mode.value.usedBlocks(messagesOnly: facts.messagesOnly)
        for block in ["flag", "escalate", "decide"] where !used.contains(block) {
            guard let member = facts.members[block], member.keyLocation.file == facts.context.file else { continue }
            let why =
                facts.mode.value == .decide
                ? "an agent without calls never escalates" : "mode \(facts.mode.value.rawValue) does not use it"
            reader.report(
                rule, at: member.keyLocation, "the \(block) block is ignored: \(why)",
                hint: "remove it, or keep it for a later change of mode")
        }
    }
}
