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
            let value =
                member.value.isNull
                ? member.value
                : member.key == "weekly"
                    ? mergeWeekly(defaults: merged[index].value, agent: member.value)
                    : merge(defaults: merged[index].value, agent: member.value)
            merged[index] = ConfigNode.Member(
                key: member.key, keyLocation: member.keyLocation, value: value ?? member.value)
        }
        return ConfigNode(value: .mapping(merged), location: agent.location)
    }

    /// `weekly` merges day by day, as its canonical form is one key per day:
    /// a day the agent names (`tue: []`, `tue: null`, or within `mon-wed`)
    /// replaces that day of an inherited key such as `mon-fri`, whose other
    /// days stay, each under its own key, where they were written.
    static func mergeWeekly(defaults: ConfigNode, agent: ConfigNode) -> ConfigNode? {
        guard let inherited = defaults.members, let own = agent.members else {
            return merge(defaults: defaults, agent: agent)
        }
        let named = Set(own.flatMap { Weekday.days(of: $0.key) ?? [] })
        var kept: [ConfigNode.Member] = []
        for member in inherited {
            // A key that is no day stays as written, to be reported there.
            guard let days = Weekday.days(of: member.key) else {
                kept.append(member)
                continue
            }
            let left = days.filter { !named.contains($0) }
            if left.count == days.count {
                kept.append(member)
            } else {
                kept += left.map {
                    ConfigNode.Member(key: $0.rawValue, keyLocation: member.keyLocation, value: member.value)
                }
            }
        }
        // A null day reads as unset once merged: that day is closed. A null
        // that removes inherited days beside keys of its own file opening
        // some of them again (`mon-fri: null` and `tue: ...`: Tuesday only)
        // stands for the days it closes, each under its own key, so it is
        // not read as a second key for the days opened again.
        let inheritedDays = Set(inherited.flatMap { Weekday.days(of: $0.key) ?? [] })
        let reopened = Set(own.filter { !$0.value.opensNoHours }.flatMap { Weekday.days(of: $0.key) ?? [] })
        var mine: [ConfigNode.Member] = []
        for (index, member) in own.enumerated() {
            // Only days it took from what was inherited: a null over a day
            // the file opens that nothing passed down closes nothing, as in
            // one file, and is said so.
            guard member.value.isNull, let days = Weekday.days(of: member.key),
                !reopened.isDisjoint(with: days), days.filter(reopened.contains).allSatisfy(inheritedDays.contains)
            else {
                mine.append(member)
                continue
            }
            // A day another key of the file names keeps that key alone.
            let namedElsewhere = Set(
                own.enumerated().filter { $0.offset != index }.flatMap { Weekday.days(of: $0.element.key) ?? [] })
            mine += days.filter { !reopened.contains($0) && !namedElsewhere.contains($0) }.map {
                ConfigNode.Member(key: $0.rawValue, keyLocation: member.keyLocation, value: member.value)
            }
        }
        return ConfigNode(value: .mapping(kept + mine), location: agent.location)
    }
}
