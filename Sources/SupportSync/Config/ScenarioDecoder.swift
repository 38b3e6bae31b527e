/// Reads `config/tests/*.yaml`: a list of scenarios, each checked against
/// the agents (SPEC: `supportsync test`). Problems are diagnostics, as in
/// agent files; a scenario with one is left out of the run.
struct ScenarioDecoder {
    static let directory = "config/tests"
    static let keys = ["name", "agent", "channel", "at", "expect"]

    var reader = NodeReader()

    /// The scenarios of one file, checked against `agents` (the decoded
    /// agents by id) and `known` (every agent id with a file, decoded or not).
    mutating func decode(_ root: ConfigNode, agents: [String: AgentSettings], known: Set<String>) -> [Scenario] {
        var scenarios: [Scenario] = []
        for item in root.items ?? [] {
            guard let members = reader.mapping(item, path: "a scenario", allowed: Self.keys) else { continue }
            var missing = false
            for key in ["name", "agent", "at", "expect"] where members[key] == nil {
                // A key written null is said so, where it is written.
                reader.reportMissing(
                    key, of: item, at: item.location,
                    removed: (
                        "the scenario's '\(key)' is null; a scenario needs one",
                        hint: Self.missingHint(key).replacingOccurrences(of: "add \(key):", with: "write \(key):")
                    ),
                    missing: ("the scenario has no '\(key)'", hint: Self.missingHint(key)))
                missing = true
            }
            let name = members["name"].flatMap { reader.string($0.value, path: "name") }
            let agent = members["agent"].flatMap { reader.string($0.value, path: "agent") }
            if let agent, !known.contains(agent.value) {
                reader.report(
                    .scenarioAgent, at: agent.location, "there is no agent '\(agent.value)' in config/agents/",
                    hint: Suggestion.closest(to: agent.value, in: known.sorted()).map { "did you mean '\($0)'?" })
            }
            var channel: Located<Channel>?
            if let member = members["channel"] {
                channel = reader.enumeration(member.value, path: "channel", rule: .scenarioChannel)
            }
            let at = members["at"].flatMap { time($0.value) }
            let expect = members["expect"].flatMap { expectation($0.value) }
            // Against the agent, when it decoded: the channel, the time, the destinations.
            var usable = !missing && (members["channel"] == nil || channel != nil)
            if let agent, let at, let settings = agents[agent.value], usable {
                let probe = Scenario(
                    name: "", agent: agent.value, channel: channel?.value, at: at.value, expect: .only(.respond),
                    location: item.location)
                if case .failure(let problem) = ScenarioRunner.resolve(probe, settings) {
                    let location = problem.rule == .scenarioTime ? at.location : channel?.location ?? agent.location
                    reader.report(problem.rule, at: location, problem.message, hint: problem.hint)
                    usable = false
                }
                if case .transfer(let destinations, _) = expect {
                    let names = settings.support.escalate?.destinations.map(\.name) ?? []
                    let written = members["expect"]?.value["transfer"]?.value.items ?? []
                    for destination in destinations where !names.contains(destination) {
                        // At the name, where it is written in the list.
                        let location =
                            written.first { $0.scalar?.text == destination }?.location
                            ?? members["expect"]!.value.location
                        reader.report(
                            .scenarioExpect, at: location,
                            "agent '\(settings.id)' has no destination '\(destination)'",
                            hint: names.isEmpty
                                ? "the agent has no escalate.destinations"
                                : "its destinations are \(names.joined(separator: ", "))")
                        usable = false
                    }
                }
            }
            guard usable, let name, let agent, let at, let expect else { continue }
            let scenario = Scenario(
                name: name.value, agent: agent.value, channel: channel?.value, at: at.value, expect: expect,
                location: item.location)
            scenarios.append(scenario)
        }
        return scenarios
    }

    /// `at`: text as written (a plain `2026-12-05T20:00` reads as a timestamp in YAML, which is fine here).
    private mutating func time(_ node: ConfigNode) -> Located<String>? {
        if node.isReported { return nil }
        guard let scalar = node.scalar, [.string, .timestamp].contains(scalar.coreType) || scalar.style != .plain
        else {
            reader.report(
                .scenarioTime, at: node.location,
                "at must be a time such as 2026-12-05T20:00, found \(node.kindDescription)")
            return nil
        }
        // The shape is checked here; the zone's daylight-saving changes once the agent is known.
        if case .failure(let error) = ZonedMoment.parse(scalar.text, zone: nil) {
            reader.report(.scenarioTime, at: node.location, error.description)
            return nil
        }
        return Located(value: scalar.text, location: node.location)
    }

    private mutating func expectation(_ node: ConfigNode) -> Scenario.Expectation? {
        if node.isReported { return nil }
        let synonyms: [String: SupportAction] = ["escalate": .transfer, "nothing": .respond]
        if node.scalar != nil {
            return reader.enumeration(node, path: "expect", rule: .scenarioExpect, synonyms: synonyms)
                .map { .only($0.value) }
        }
        if node.members == nil {
            // Neither form: both are named (a list reads as several actions, which is `may:`).
            reader.report(
                .wrongType, at: node.location,
                "expect must be an action (respond, flag or transfer) or a mapping, found \(node.kindDescription)",
                hint: node.items != nil
                    ? "for a choice among actions write expect: {may: [...]}; for one, expect: flag" : nil)
            return nil
        }
        guard let members = reader.mapping(node, path: "expect", allowed: ["transfer", "then", "may"]) else {
            return nil
        }
        func actions(_ member: ConfigNode.Member) -> [SupportAction]? {
            guard let items = reader.list(member.value, path: "expect.\(member.key)") else { return nil }
            let read = items.compactMap {
                reader.enumeration($0, path: "action", rule: .scenarioExpect, synonyms: synonyms)?.value
            }
            return read.count == items.count ? read : nil
        }
        if let may = members["may"] {
            if let other = members["transfer"] ?? members["then"] {
                reader.report(
                    .scenarioExpect, at: other.keyLocation,
                    other.key == "transfer"
                        ? "expect takes either 'may' or 'transfer', not both"
                        : "'then' follows a transfer; with 'may' there is none",
                    hint: "{may: [respond, flag]} lists what the agent may do; {transfer: [...], then: flag} a transfer"
                )
                return nil
            }
            guard let list = actions(may) else { return nil }
            guard !list.isEmpty, Set(list).count == list.count else {
                reader.report(
                    .scenarioExpect, at: may.value.location, "expect.may must list each action once, and at least one")
                return nil
            }
            return .may(Set(list))
        }
        guard let transfer = members["transfer"] else {
            reader.report(
                .scenarioExpect, at: node.location, "expect has neither 'may' nor 'transfer'",
                hint: "write {transfer: [desk], then: flag}, {may: [respond, flag]}, or a single action")
            return nil
        }
        guard let items = reader.list(transfer.value, path: "expect.transfer") else { return nil }
        let destinations = items.compactMap { reader.string($0, path: "a destination")?.value }
        guard destinations.count == items.count else { return nil }
        guard !destinations.isEmpty else {
            reader.report(.scenarioExpect, at: transfer.value.location, "expect.transfer names no destination")
            return nil
        }
        var then: SupportAction?
        if let member = members["then"] {
            // What follows a transfer: flag or respond; `nothing`, the fallback's own word, is respond.
            let text = member.value.scalar?.text
            if text == "nothing" {
                then = .respond
            } else if text == "flag" || text == "respond" {
                then = SupportAction(rawValue: text!)
            } else {
                reader.report(
                    .scenarioExpect, at: member.value.location,
                    "then is what follows a transfer nobody answers: flag or respond (or nothing), found "
                        + (text.map { "'\($0)'" } ?? member.value.kindDescription))
                return nil
            }
        }
        return .transfer(destinations, then: then)
    }

    static func missingHint(_ key: String) -> String {
        switch key {
        case "name": return "add name: what the scenario checks, in words"
        case "agent": return "add agent: the id of an agent in config/agents/"
        case "at": return "add at: 2026-12-05T20:00 (the agent's local time) or with an offset"
        default: return "add expect: flag, {transfer: [desk], then: flag} or {may: [respond, flag]}"
        }
    }
}

extension ConfigValidator {
    /// The scenario files of `config/tests/`, checked against the agents.
    func validateScenarios(
        paths: [String], agents: [AgentSettings], known: Set<String>, diagnostics: inout [Diagnostic]
    ) -> [Scenario] {
        guard !paths.isEmpty else { return [] }
        let byID = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var scenarios: [Scenario] = []
        for path in paths {
            guard let root = load(path, diagnostics: &diagnostics, root: .scenarios) else { continue }
            var decoder = ScenarioDecoder()
            scenarios += decoder.decode(root, agents: byID, known: known)
            diagnostics += decoder.reader.diagnostics
        }
        return scenarios
    }
}
