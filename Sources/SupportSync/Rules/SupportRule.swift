/// A rule between values of one agent's merged support block (the mode,
/// the channels, the blocks written, decide's choices): each in a file
/// named for it, all run from one place once the block is decoded.
protocol SupportRule: Sendable {
    static var rule: Rule { get }
    static func check(_ facts: SupportFacts, reader: inout NodeReader)
}

/// What the cross-field rules judge, gathered while decoding an agent's
/// support block.
struct SupportFacts {
    var context: AgentDecoder.AgentContext
    var mode: Located<SupportMode>
    /// The support block's members, as merged.
    var members: KnownMembers
    /// Whether escalate.destinations is written at all (when it is but is
    /// wrong, its own diagnostics say so and these rules stay quiet).
    var destinationsWritten: Bool
    /// defaults.yaml exists but cannot be read: what it would add is unknown.
    var defaultsUnknown: Bool
    /// `escalate` in decide's `allow`, when decide is the mode.
    var decideEscalate: SourceLocation?

    /// The channels are known and calls are not among them.
    var messagesOnly: Bool { context.channels.map { !$0.contains(.calls) } ?? false }
}

enum SupportRules {
    static let all: [any SupportRule.Type] = [
        EscalateRequiresCalls.self, EscalateRequiresDestinations.self, EscalateMessagesFallback.self, UnusedBlock.self,
    ]

    static func check(_ facts: SupportFacts, reader: inout NodeReader) {
        for rule in all { rule.check(facts, reader: &reader) }
    }
}
