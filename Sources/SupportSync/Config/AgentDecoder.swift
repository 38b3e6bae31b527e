/// Reads one agent (or `defaults.yaml`'s `support:` block on its own) from
/// its `ConfigNode` tree, checking every rule of SPEC section 3.1 and
/// producing the canonical settings when there is no error.
struct AgentDecoder {
    /// What is known of the agent the support block belongs to. Nil when
    /// checking `defaults.yaml` on its own: rules that need the agent wait
    /// until the block is merged into each agent.
    struct AgentContext {
        var id: String?
        var file: String
        var channels: Set<Channel>?
    }

    var reader = NodeReader()
    var context: AgentContext?
    /// The agent's id as written, when it is well formed, for cross-file checks.
    var agentIDLocation: Located<String>?
    /// `escalate` in decide's allow list while decide is the mode, for the cross-field rules.
    var decideEscalate: SourceLocation?
    /// Set when `defaults.yaml` exists but cannot be read: what it would
    /// add is unknown, so the rules a default could satisfy (a mode, some
    /// destinations) stay quiet instead of cascading from its error.
    var defaultsUnknown = false
    /// Reading the canonical form (a request body, settings kept by a
    /// provider), where `destinations: []` is how an `escalate` block
    /// inherited without destinations (a flag agent taking defaults'
    /// `ring_timeout`) is written: not the empty list a file may not write.
    var canonical = false

    static let topLevelKeys = ["agent", "name", "channels", "support"]
    static let supportKeys = ["mode", "flag", "escalate", "decide"]

    // MARK: - The agent file

    /// Checks an agent file whose `support` block has been merged with the
    /// defaults. `stem` is the file name without `.yaml`.
    mutating func decodeAgent(_ root: ConfigNode, file: String, stem: String, support: ConfigNode?) -> AgentSettings? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        context = AgentContext(id: nil, file: file, channels: nil)
        guard let members = reader.mapping(root, path: "", allowed: Self.topLevelKeys) else { return nil }
        let id = agentID(members["agent"], stem: stem, start: start)
        context?.id = id?.value
        agentIDLocation = id
        let settings = decodeSettings(root, members: members, support: support, start: start)
        guard let id, let settings else { return nil }
        return AgentSettings(id: id.value, name: settings.name, channels: settings.channels, support: settings.support)
    }

    /// Checks the body of `PUT /v1/agents/{id}`: `{name, channels, support}`
    /// with `support` already in its final form (no defaults to merge).
    mutating func decodeBody(_ root: ConfigNode, id: String) -> AgentSettings? {
        let start = root.location
        context = AgentContext(id: id, file: start.file, channels: nil)
        canonical = true
        guard let members = reader.mapping(root, path: "", allowed: ["name", "channels", "support"]) else { return nil }
        guard let settings = decodeSettings(root, members: members, support: members["support"]?.value, start: start)
        else { return nil }
        return AgentSettings(id: id, name: settings.name, channels: settings.channels, support: settings.support)
    }

    private mutating func decodeSettings(
        _ root: ConfigNode, members: KnownMembers, support: ConfigNode?, start: SourceLocation
    ) -> (name: String, channels: [Channel], support: SupportSettings)? {
        var name: String?
        if let member = members["name"] {
            if let text = reader.string(member.value, path: "name") {
                let length = text.value.unicodeScalars.count
                if length == 0 || length > Patterns.nameMaxLength {
                    reader.report(
                        .nameLength, at: text.location,
                        "name must be 1 to \(Patterns.nameMaxLength) characters, found \(length)")
                } else {
                    name = text.value
                }
            }
        } else {
            // A key written null is reported where it is written.
            reader.report(
                .missingKey, at: reader.nullKeyLocation(root, "name") ?? start, "the agent has no 'name'",
                hint: "add name: the display name of the agent")
        }

        let channels = self.channels(members["channels"], start: reader.nullKeyLocation(root, "channels") ?? start)
        context?.channels = channels.map(Set.init)

        let supportKey = root["support"]?.keyLocation ?? start
        guard let support else {
            if defaultsUnknown { return nil }
            reader.report(
                .missingKey, at: supportKey, "the agent has no support settings ('support.mode' is missing)",
                hint: "add support: {mode: nothing | flag | escalate | decide}, here or in config/defaults.yaml")
            return nil
        }
        guard let settings = decodeSupport(support, keyLocation: supportKey), let name, let channels else {
            return nil
        }
        return (name, channels, settings)
    }

    private mutating func agentID(_ member: ConfigNode.Member?, stem: String, start: SourceLocation) -> Located<String>?
    {
        guard let member else {
            reader.report(.missingKey, at: start, "the agent has no 'agent' id", hint: "add agent: \(stem)")
            return nil
        }
        guard let id = reader.string(member.value, path: "agent") else { return nil }
        guard Patterns.isAgentID(id.value) else {
            reader.report(
                .agentID, at: id.location,
                "'\(id.value)' is not a valid agent id: 1 to 63 lower-case letters, digits and '-', starting with a letter or digit"
            )
            return nil
        }
        if id.value != stem {
            reader.report(
                .agentFileName, at: id.location,
                "the agent id '\(id.value)' does not match the file name '\(stem).yaml'",
                hint: Patterns.isAgentID(String(stem))
                    ? "rename the file to \(id.value).yaml, or set agent: \(stem)"
                    : "rename the file to \(id.value).yaml (\(stem) is no agent id)")
        }
        return id
    }

    private mutating func channels(_ member: ConfigNode.Member?, start: SourceLocation) -> [Channel]? {
        guard let member else {
            reader.report(
                .missingKey, at: start, "the agent has no 'channels'", hint: "add channels: [calls, messages]")
            return nil
        }
        guard let items = reader.list(member.value, path: "channels") else { return nil }
        if items.isEmpty {
            reader.report(.channels, at: member.value.location, "channels must name at least one of calls, messages")
            return nil
        }
        var channels: [Channel] = []
        var valid = true
        for item in items {
            guard
                let channel = reader.enumeration(item, path: "channel", rule: .channels, synonyms: Self.channelSynonyms)
            else {
                valid = false
                continue
            }
            if channels.contains(channel.value) {
                reader.report(.channels, at: channel.location, "channel '\(channel.value.rawValue)' is listed twice")
                valid = false
            } else {
                channels.append(channel.value)
            }
        }
        guard valid else { return nil }
        return Channel.allCases.filter(channels.contains)
    }

    static let channelSynonyms: [String: Channel] = [
        "voice": .calls, "call": .calls, "phone": .calls, "message": .messages, "chat": .messages,
        "sms": .messages, "text": .messages, "whatsapp": .messages,
    ]

    // MARK: - The support block

    static let modeSynonyms: [String: SupportMode] = [
        "transfer": .escalate, "escalation": .escalate, "handoff": .escalate, "human": .escalate,
        "ticket": .flag, "flagged": .flag, "pending": .flag, "log": .flag,
        "none": .nothing, "off": .nothing, "no": .nothing, "respond": .nothing,
        "auto": .decide, "choose": .decide, "judgment": .decide,
    ]

    /// Checks a support block. With no agent context (defaults.yaml alone)
    /// only the rules that hold whatever the agent is are applied. The result
    /// is only meaningful when no error was reported.
    mutating func decodeSupport(_ node: ConfigNode, keyLocation: SourceLocation) -> SupportSettings? {
        guard let members = reader.mapping(node, path: "support", allowed: Self.supportKeys) else { return nil }
        let mode = members["mode"].flatMap {
            reader.enumeration($0.value, path: "support.mode", rule: .invalidMode, synonyms: Self.modeSynonyms)
        }
        if members["mode"] == nil, context != nil, !defaultsUnknown {
            reader.reportMissing(
                "mode", of: node, at: keyLocation,
                removed: (
                    "support.mode is null, which removes it, and an agent needs a mode",
                    hint: "set mode: nothing, flag, escalate or decide here, or delete this line"
                ),
                missing: (
                    "support.mode is missing",
                    hint: "set mode: nothing, flag, escalate or decide (here or in config/defaults.yaml)"
                ))
        }
        let flag = members["flag"].flatMap { decodeFlag($0.value) }
        // Whether destinations are written at all; when they are but are
        // wrong (or the escalate block itself is not a mapping), their own
        // diagnostics say so and the mode rules stay quiet.
        let escalateNode = members["escalate"]?.value
        // In the canonical form an empty list is how none are written.
        let destinationsWritten =
            escalateNode.map { node in
                node.members == nil
                    || node["destinations"].map { !$0.value.isNull && !(canonical && $0.value.items?.isEmpty == true) }
                        ?? false
            } ?? false
        let judged = reader.diagnostics.count
        let escalate = members["escalate"].flatMap { decodeEscalate($0.value) }
        // An escalate block the agent does not use (no destinations, and
        // another mode), inherited from defaults: not judged for what only
        // an escalating agent needs of it (`weekly` beside a default
        // `timezone`). defaults.yaml's own values are judged in it alone.
        if let mode, mode.value != .escalate, !destinationsWritten, let file = context?.file {
            reader.withdraw(after: judged) { $0.location.file != file }
        }
        // What decide may do is checked against the agent only when decide
        // is its mode: a block the mode does not use is not judged (nor kept).
        decideEscalate = nil
        let decide = members["decide"].flatMap {
            decodeDecide($0.value, destinationsWritten: destinationsWritten, inUse: mode?.value == .decide)
        }
        if let mode, let context {
            SupportRules.check(
                SupportFacts(
                    context: context, mode: mode, members: members, destinationsWritten: destinationsWritten,
                    defaultsUnknown: defaultsUnknown, decideEscalate: decideEscalate),
                reader: &reader)
        }

        guard let mode else { return nil }
        var settings = SupportSettings(mode: mode.value)
        // A block the mode does not use is no setting (`unused-block` warns
        // when the agent's own file writes one): kept by neither the platform
        // nor a plan, so a change to it in defaults changes no agent that
        // cannot use it.
        if mode.value != .nothing { settings.flag = flag ?? FlagSettings() }
        // An escalate block with no destinations (one inherited from
        // defaults for its ring_timeout by an agent that does not escalate)
        // transfers nowhere: it is no setting, kept by neither the platform
        // nor a plan. Escalate mode without destinations is an error above.
        settings.escalate = destinationsWritten || mode.value == .escalate ? escalate : nil
        if mode.value == .decide {
            settings.decide = decide ?? DecideSettings(allow: defaultAllow(hasDestinations: destinationsWritten))
        }
        return settings
    }

    func defaultAllow(hasDestinations: Bool) -> [DecideAction] {
        let calls = context?.channels?.contains(.calls) ?? false
        return calls && hasDestinations ? [.respond, .flag, .escalate] : [.respond, .flag]
    }
}
