import YAML

/// Names what an apply puts back: the fields of an agent edited on the
/// platform since the last apply (a dashboard edit that a sync every 15
/// minutes reverts would otherwise be reverted without a word).
public enum Drift {
    /// Sets each update's `drift` from `lastApplied` (the settings the last
    /// apply wrote, by agent id): a field the update changes whose live
    /// value is not what was last applied was edited on the platform since.
    public static func annotate(_ plan: inout Plan, lastApplied: [String: AgentSettings]) {
        for index in plan.agents.indices where plan.agents[index].action == .update {
            guard let last = lastApplied[plan.agents[index].id] else { continue }
            let applied = SettingsDiff.values(last)
            // What the provider found edited on its side (the reconciler set
            // it from `Agent.providerDrift`), then settings fields: a
            // provider's own change (`vapi.flag_tool`, from the environment)
            // is no edit on the platform.
            let provider = (plan.agents[index].drift ?? []).filter { !SettingsDiff.isSettingsField($0) }
            let edited =
                provider
                + plan.agents[index].changes.filter {
                    SettingsDiff.isSettingsField($0.field) && applied[$0.field] != $0.oldValue
                }.map(\.field)
            plan.agents[index].drift = edited.isEmpty ? nil : edited
        }
    }

    /// The updates that put back fields edited on the platform, with them:
    /// what a dry run says the run would put back.
    public static func putBack(_ plan: Plan) -> [(id: String, fields: [String])] {
        plan.agents.compactMap { agent in
            guard agent.action == .update, let fields = agent.drift else { return nil }
            return (agent.id, fields)
        }
    }

    /// The agents an apply report shows were put back, with their fields.
    public static func putBack(_ plan: Plan, _ report: ApplyReport) -> [(id: String, fields: [String])] {
        let updated = Set(report.updated)
        return putBack(plan).filter { updated.contains($0.id) }
    }
}
