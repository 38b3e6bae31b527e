import YAML

/// Writes an agent's canonical settings as a `config/agents/<id>.yaml` file
/// that validates clean and means exactly those settings.
public enum AgentFileWriter {
    /// The YAML text of `settings`. `defaults` is `config/defaults.yaml`'s
    /// `support:` block, if any: keys it would add that the agent does not
    /// have are written as `null` so the merge cannot change the meaning.
    /// `leavingOut` names `support` blocks not to write at all (not even
    /// `null`): blocks the mode does not use, which the merge with defaults
    /// gives back as they are; the caller checks the file means the same.
    public static func text(
        for settings: AgentSettings, defaults: YAMLValue? = nil, leavingOut: Set<String> = []
    ) -> String {
        var support = value(for: settings.support)
        if let defaults { support = nullingInherited(support, defaults: defaults) }
        if !leavingOut.isEmpty, case .map(let members) = support {
            support = .map(members.filter { !leavingOut.contains($0.0) })
        }
        let file: YAMLValue = .map([
            ("agent", .string(settings.id)),
            ("name", .string(settings.name)),
            ("channels", .list(settings.channels.map { .string($0.rawValue) })),
            ("support", support),
        ])
        return YAMLWriter.write(file)
    }

    static func value(for support: SupportSettings) -> YAMLValue {
        var members: [(String, YAMLValue)] = [("mode", .string(support.mode.rawValue))]
        if let flag = support.flag {
            let collect: [YAMLValue] = flag.collect.map { field in
                if CollectField.builtIns.contains(field.field), !field.required, field.label == field.field {
                    return .string(field.field)
                }
                var entry: [(String, YAMLValue)] = [("field", .string(field.field))]
                if field.label != field.field { entry.append(("label", .string(field.label))) }
                if field.required { entry.append(("required", .bool(true))) }
                return .map(entry)
            }
            members.append(
                (
                    "flag",
                    .map([
                        ("collect", .list(collect)),
                        ("priority", .string(flag.priority.rawValue)),
                        ("tags", .list(flag.tags.map(YAMLValue.string))),
                    ])
                ))
        }
        if let escalate = support.escalate {
            var block: [(String, YAMLValue)] = [("destinations", .list(escalate.destinations.map(destination)))]
            block.append(("transfer", .string(escalate.transfer.rawValue)))
            block.append(("summary", .bool(escalate.summary)))
            if let announce = escalate.announce { block.append(("announce", .string(announce))) }
            // At its default it is left out: a provider without ring
            // timeouts (Vapi) refuses the key written at all.
            if escalate.ringTimeout != EscalateSettings.defaultRingTimeout {
                block.append(("ring_timeout", .int(escalate.ringTimeout)))
            }
            if let hours = escalate.hours {
                var weekly: [(String, YAMLValue)] = []
                for day in Weekday.allCases where !hours.weekly[day].isEmpty {
                    weekly.append((day.rawValue, .list(hours.weekly[day].map(YAMLValue.string))))
                }
                var hoursBlock: [(String, YAMLValue)] = [
                    ("timezone", .string(hours.timezone)), ("weekly", .map(weekly)),
                ]
                if !hours.closed.isEmpty { hoursBlock.append(("closed", .list(hours.closed.map(YAMLValue.string)))) }
                block.append(("hours", .map(hoursBlock)))
            }
            block.append(("fallback", .string(escalate.fallback.rawValue)))
            members.append(("escalate", .map(block)))
        }
        if let decide = support.decide {
            var block: [(String, YAMLValue)] = [("allow", .list(decide.allow.map { .string($0.rawValue) }))]
            if let guidance = decide.guidance { block.append(("guidance", .string(guidance))) }
            members.append(("decide", .map(block)))
        }
        return .map(members)
    }

    private static func destination(_ destination: Destination) -> YAMLValue {
        var entry: [(String, YAMLValue)] = [("name", .string(destination.name))]
        if let number = destination.number { entry.append(("number", .string(number))) }
        if let sip = destination.sip { entry.append(("sip", .string(sip))) }
        if let ext = destination.extension { entry.append(("extension", .string(ext))) }
        return .map(entry)
    }

    /// Adds `key: null` for each key `defaults` has that `value` lacks, at
    /// every mapping both have.
    static func nullingInherited(_ value: YAMLValue, defaults: YAMLValue) -> YAMLValue {
        guard case .map(var members) = value, case .map(let inherited) = defaults else { return value }
        for (key, inheritedValue) in inherited {
            if let index = members.firstIndex(where: { $0.0 == key }) {
                members[index].1 = nullingInherited(members[index].1, defaults: inheritedValue)
            } else if inheritedValue != .null {
                members.append((key, .null))
            }
        }
        return .map(members)
    }
}
