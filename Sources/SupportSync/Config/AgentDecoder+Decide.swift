extension AgentDecoder {
    static let decideKeys = ["allow", "guidance"]

    /// `inUse`: the agent's mode is decide, so `allow` is checked against
    /// the agent's channels and destinations.
    mutating func decodeDecide(_ node: ConfigNode, destinationsWritten: Bool, inUse: Bool) -> DecideSettings? {
        guard let members = reader.mapping(node, path: "support.decide", allowed: Self.decideKeys) else { return nil }
        var guidance: String?
        if let member = members["guidance"], let text = reader.string(member.value, path: "support.decide.guidance"),
            reader.checkLength(text, path: "support.decide.guidance", max: Patterns.guidanceMaxLength)
        {
            guidance = text.value
        }
        guard let member = members["allow"] else {
            return DecideSettings(allow: defaultAllow(hasDestinations: destinationsWritten), guidance: guidance)
        }
        guard let items = reader.list(member.value, path: "support.decide.allow") else { return nil }
        if items.isEmpty {
            reader.report(
                .decideAllow, at: member.value.location,
                "support.decide.allow is empty: the agent would have nothing to choose",
                hint: "allow at least respond, or remove the key for the default")
            return nil
        }
        var allow: [DecideAction] = []
        for item in items {
            guard
                let action = reader.enumeration(item, path: "support.decide.allow entry", rule: .decideAllow)
                    as Located<DecideAction>?
            else { continue }
            if allow.contains(action.value) {
                reader.report(.decideAllow, at: action.location, "'\(action.value.rawValue)' is allowed twice")
                continue
            }
            allow.append(action.value)
            if action.value == .escalate, inUse, context != nil { decideEscalate = action.location }
        }
        let order = DecideAction.allCases
        return DecideSettings(allow: order.filter(allow.contains), guidance: guidance)
    }
}
