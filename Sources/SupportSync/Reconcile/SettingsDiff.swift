import Foundation
import YAML

/// Field-by-field differences between two canonical forms.
///
/// Both sides are flattened through their JSON encoding into paths such as
/// `support.escalate.destinations[0].number`. Lists of scalars (`channels`,
/// `tags`, opening ranges) stay one field, shown as `[a, b]`; lists of
/// objects are compared item by item.
public enum SettingsDiff {
    public static func changes(from old: AgentSettings?, to new: AgentSettings) -> [Plan.Change] {
        // Equal settings encode alike: the common no-change plan skips the
        // flattening, which is most of a large plan's time.
        if let old, old == new { return [] }
        let before = old.map(values) ?? [:]
        let after = values(new)
        // Only the differing fields are sorted (the order's numeric compare is slow).
        let differing = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
        return differing.sorted(by: fieldOrder).map { Plan.Change(field: $0, old: before[$0], new: after[$0]) }
    }

    /// Each field's value on one line, as `plan` prints it.
    static func flatten(_ settings: AgentSettings) -> [String: String] {
        values(settings).mapValues(\.oneLine)
    }

    /// Each field's value, typed as JSON has it.
    static func values(_ settings: AgentSettings) -> [String: YAMLValue] {
        guard let data = try? JSONCoding.encoder().encode(settings),
            let value = try? JSONDecoder().decode(YAMLValue.self, from: data)
        else { return [:] }
        var fields: [String: YAMLValue] = [:]
        walk(value, path: "", into: &fields)
        fields.removeValue(forKey: "id")
        return fields
    }

    private static func walk(_ value: YAMLValue, path: String, into fields: inout [String: YAMLValue]) {
        switch value {
        case .map(let members):
            if members.isEmpty { fields[path] = .map([]) }
            for (key, item) in members { walk(item, path: path.isEmpty ? key : "\(path).\(key)", into: &fields) }
        case .list(let items) where items.contains(where: \.isContainer):
            for (index, item) in items.enumerated() { walk(item, path: "\(path)[\(index)]", into: &fields) }
        default:
            fields[path] = value
        }
    }

    /// Top-level fields first, then by path; list indices numerically.
    static func fieldOrder(_ a: String, _ b: String) -> Bool {
        let depthA = a.count { $0 == "." }
        let depthB = b.count { $0 == "." }
        if (depthA == 0) != (depthB == 0) { return depthA == 0 }
        return a.compare(b, options: .numeric) == .orderedAscending
    }
}
