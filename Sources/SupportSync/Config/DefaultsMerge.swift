/// Merges `config/defaults.yaml`'s `support:` block into an agent's.
///
/// Maps merge key by key and the agent's value wins; lists replace; an
/// explicit `null` in the agent's file removes the inherited key. Each value
/// keeps the location of the file it came from.
enum DefaultsMerge {
    static func merge(defaults: ConfigNode?, agent: ConfigNode?) -> ConfigNode? {
        guard let agent else { return defaults }
        if agent.isNull { return nil }
        guard let defaults, var merged = defaults.members, let overrides = agent.members else { return agent }
        for member in overrides {
            guard let index = merged.firstIndex(where: { $0.key == member.key }) else {
                merged.append(member)
                continue
            }
            // A null keeps its place so the key is still checked, and reads as unset.
            let value = member.value.isNull ? member.value : merge(defaults: merged[index].value, agent: member.value)
            merged[index] = ConfigNode.Member(
                key: member.key, keyLocation: member.keyLocation, value: value ?? member.value)
        }
        return ConfigNode(value: .mapping(merged), location: agent.location)
    }
}
