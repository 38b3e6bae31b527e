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
        // A list or mapping that goes from empty to holding entries (or
        // back) shows as its entries' lines, not also as `[] -> (none)`.
        func emptied(_ field: String, _ empty: [String: YAMLValue], _ filled: [String: YAMLValue]) -> Bool {
            guard filled[field] == nil, let value = empty[field], value == .list([]) || value == .map([]) else {
                return false
            }
            return filled.keys.contains { $0.hasPrefix(field + "[") || $0.hasPrefix(field + ".") }
        }
        let differing = Set(before.keys).union(after.keys).filter {
            before[$0] != after[$0] && !emptied($0, before, after) && !emptied($0, after, before)
        }
        // Each field's place is worked out once, not in every comparison.
        return differing.map { (FieldOrder($0), $0) }.sorted { $0.0 < $1.0 }.map { _, field in
            Plan.Change(field: field, old: before[field], new: after[field])
        }
    }

    /// Whether `field` is one of an agent's settings (`name`, `channels`,
    /// `support...`), not a provider's own change such as `vapi.flag_tool`.
    static func isSettingsField(_ field: String) -> Bool {
        let first = field.prefix { $0 != "." && $0 != "[" }
        return first == "name" || first == "channels" || first == "support"
    }

    /// Each field's value, typed as JSON has it (the tree its JSON encoding
    /// reads back as, built without writing the JSON).
    static func values(_ settings: AgentSettings) -> [String: YAMLValue] {
        guard let value = try? YAMLValue(encoding: settings) else { return [:] }
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

    /// Top-level fields first, then by path; list indices numerically
    /// (`destinations[2]` before `destinations[10]`).
    struct FieldOrder: Comparable {
        /// The path in runs: text, and numbers by value.
        enum Run: Comparable {
            case text(String)
            case number(Int)

            static func < (a: Run, b: Run) -> Bool {
                switch (a, b) {
                case (.number(let x), .number(let y)): return x < y
                case (.text(let x), .text(let y)): return x < y
                case (.number, .text(let y)): return y.first.map { "0" < $0 } ?? false
                case (.text(let x), .number): return x.first.map { $0 < "0" } ?? true
                }
            }
        }

        var nested: Bool
        var runs: [Run]
        var path: String

        init(_ path: String) {
            self.path = path
            nested = path.utf8.contains(UInt8(ascii: "."))
            runs = []
            // Byte by byte: an ASCII digit is one byte, and no byte of any
            // other character is one.
            var text: [UInt8] = []
            var number: Int?
            for byte in path.utf8 {
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    if !text.isEmpty {
                        runs.append(.text(String(decoding: text, as: UTF8.self)))
                        text.removeAll(keepingCapacity: true)
                    }
                    number =
                        (number ?? 0).multipliedReportingOverflow(by: 10).partialValue &+ Int(byte - UInt8(ascii: "0"))
                } else {
                    if let value = number {
                        runs.append(.number(value))
                        number = nil
                    }
                    text.append(byte)
                }
            }
            if let number {
                runs.append(.number(number))
            } else if !text.isEmpty {
                runs.append(.text(String(decoding: text, as: UTF8.self)))
            }
        }

        static func < (a: FieldOrder, b: FieldOrder) -> Bool {
            if a.nested != b.nested { return !a.nested }
            if a.runs != b.runs { return a.runs.lexicographicallyPrecedes(b.runs) }
            return a.path < b.path
        }
    }
}
