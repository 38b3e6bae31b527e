/// One scenario of `config/tests/*.yaml`: an agent, a channel, a moment and
/// what must happen to a case the agent cannot resolve then.
public struct Scenario: Sendable, Hashable {
    public enum Expectation: Sendable, Hashable {
        /// `expect: flag`: the actions are exactly `[flag]`.
        case only(SupportAction)
        /// `expect: {transfer: [a, b], then: flag}`: exactly `[transfer]`,
        /// these destinations in this order, this fallback (when given).
        case transfer([String], then: SupportAction?)
        /// `expect: {may: [respond, flag]}`: exactly these, in any order.
        case may(Set<SupportAction>)

        public func matches(_ outcome: Outcome) -> Bool {
            switch self {
            case .only(let action): return outcome.actions == [action]
            case .transfer(let destinations, let then):
                guard outcome.actions == [.transfer], let transfer = outcome.transfer else { return false }
                return transfer.destinations == destinations && (then == nil || transfer.then == then)
            case .may(let actions): return Set(outcome.actions) == actions && outcome.actions.count == actions.count
            }
        }

        /// As the scenario says it: `flag`, `transfer billing-desk -> on-call -> flag`, `may respond, flag`.
        public var description: String {
            switch self {
            case .only(let action): return action.rawValue
            case .transfer(let destinations, let then):
                return "transfer " + (destinations + [then?.rawValue ?? "(any fallback)"]).joined(separator: " -> ")
            case .may(let actions): return "may " + actions.sorted().map(\.rawValue).joined(separator: ", ")
            }
        }
    }

    public var name: String
    public var agent: String
    /// Nil when the agent serves one channel only.
    public var channel: Channel?
    /// As written: RFC 3339, or a local time in the agent's zone.
    public var at: String
    public var expect: Expectation
    /// Where the scenario starts in its file.
    public var location: SourceLocation
}

/// The result of one scenario.
public struct ScenarioResult: Sendable, Hashable {
    public var scenario: Scenario
    public var channel: Channel
    public var moment: ZonedMoment
    public var explanation: Explanation
    public var passed: Bool { scenario.expect.matches(explanation.outcome) }
}

/// Runs scenarios against validated agents, offline.
public enum ScenarioRunner {
    /// Each scenario whose agent is among `agents`, in file order. A
    /// scenario whose agent, channel or time cannot be used was reported
    /// by `validate` and is left out.
    public static func run(_ scenarios: [Scenario], agents: [AgentSettings]) -> [ScenarioResult] {
        let byID = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var results: [ScenarioResult] = []
        for scenario in scenarios {
            guard let settings = byID[scenario.agent],
                case .success(let (channel, moment)) = resolve(scenario, settings)
            else { continue }
            let explanation = SupportPolicy.explain(settings, channel: channel, at: moment.local)
            results.append(
                ScenarioResult(scenario: scenario, channel: channel, moment: moment, explanation: explanation))
        }
        return results
    }

    /// The scenario's channel and moment for this agent, or why not.
    static func resolve(_ scenario: Scenario, _ settings: AgentSettings) -> Result<
        (Channel, ZonedMoment), ScenarioProblem
    > {
        let channel: Channel
        if let written = scenario.channel {
            guard settings.channels.contains(written) else {
                let served = settings.channels.map(\.rawValue)
                return .failure(
                    ScenarioProblem(
                        rule: .scenarioChannel,
                        message:
                            "agent '\(settings.id)' does not serve \(written.rawValue); it serves \(served.joined(separator: " and "))",
                        hint: "write " + served.map { "channel: \($0)" }.joined(separator: " or ")))
            }
            channel = written
        } else if settings.channels.count == 1 {
            channel = settings.channels[0]
        } else {
            return .failure(
                ScenarioProblem(
                    rule: .scenarioChannel,
                    message: "agent '\(settings.id)' serves calls and messages: the scenario must name its channel",
                    hint: "add channel: calls or channel: messages"))
        }
        switch ZonedMoment.parse(scenario.at, zone: settings.timeZone) {
        case .success(let moment): return .success((channel, moment))
        case .failure(let error): return .failure(ScenarioProblem(rule: .scenarioTime, message: error.description))
        }
    }
}

struct ScenarioProblem: Error {
    var rule: Rule
    var message: String
    var hint: String? = nil
}

extension AgentSettings {
    /// The zone the agent's clock is read in: its hours' zone when its mode
    /// uses them (escalate, decide); nil (UTC) otherwise.
    public var timeZone: String? {
        support.mode == .escalate || support.mode == .decide ? support.escalate?.hours?.timezone : nil
    }

    /// The agent can transfer a call: on calls, in escalate mode or deciding with escalate allowed.
    public var mayTransfer: Bool {
        guard channels.contains(.calls) else { return false }
        switch support.mode {
        case .escalate: return true
        case .decide: return support.decide?.allow.contains(.escalate) ?? false
        case .nothing, .flag: return false
        }
    }

    /// The agent can flag a case: flag mode, escalate falling back to flag, decide with flag allowed.
    public var mayFlag: Bool {
        switch support.mode {
        case .flag: return true
        case .escalate: return support.escalate?.fallback == .flag
        case .decide: return support.decide?.allow.contains(.flag) ?? false
        case .nothing: return false
        }
    }
}
