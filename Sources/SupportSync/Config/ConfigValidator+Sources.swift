import Foundation
import YAML

/// One effective setting of an agent and where it was written.
public struct SettingSource: Sendable, Hashable, Encodable {
    /// The canonical field: `support.escalate.ring_timeout`.
    public var field: String
    /// Its value, typed as JSON has it (`25`, `false`, a list).
    public var typedValue: YAMLValue
    /// Its value on one line, as `plan` shows it.
    public var value: String { typedValue.oneLine }
    /// The file and line it came from; nil for a default of the tool.
    public var location: SourceLocation?

    enum CodingKeys: String, CodingKey {
        case field, value, file, line
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(typedValue, forKey: .value)
        // A default has no file: both null, never absent.
        try container.encode(location?.file, forKey: .file)
        try container.encode(location?.line, forKey: .line)
    }
}

extension ConfigValidator {
    /// The agent's canonical settings, each field with the file and line
    /// it came from after defaults and the environment's overlay are
    /// merged: the agent's own file, `config/defaults.yaml`, an overlay, or
    /// nil for a default of the tool. `settings` must be what `validate`
    /// returned for the agent.
    public func sources(of settings: AgentSettings) -> [SettingSource] {
        let path = "\(Self.agentsDirectory)/\(settings.id).yaml"
        var ignored: [Diagnostic] = []
        let file = load(path, diagnostics: &ignored)
        var support = file?["support"]?.value
        if FileManager.default.fileExists(atPath: absolute(Self.defaultsFile)),
            let defaults = load(Self.defaultsFile, diagnostics: &ignored)
        {
            support = DefaultsMerge.merge(defaults: defaults["support"]?.value, agent: support)
        }
        if let project = ProjectFile.load(root: root).project,
            let name = environment ?? project.defaultPlatform,
            let overlayPath = project.platform(named: name)?.overlay,
            let overlay = Overlay.load(path: overlayPath, root: root, diagnostics: &ignored)
        {
            support = overlay.apply(to: support, agent: settings.id)
        }
        let fields = SettingsDiff.values(settings)
        let keyed = fields.keys.map { (field: $0, components: Self.components($0)) }
        return keyed.sorted { Self.settingsOrder($0.components, $1.components) }.map { field, components in
            let location: SourceLocation?
            if components.first == .key("support") {
                location = Self.locate(support, components.dropFirst())
            } else {
                location = Self.locate(file, components[...])
            }
            return SettingSource(field: field, typedValue: fields[field]!, location: location)
        }
    }

    enum Component: Hashable {
        case key(String)
        case index(Int)
    }

    /// The keys of the canonical form in the order the settings are written.
    static let keyOrder: [String: Int] = Dictionary(
        uniqueKeysWithValues: [
            "name", "channels", "support", "mode", "flag", "escalate", "decide", "collect", "field", "required",
            "label", "priority", "tags", "destinations", "number", "sip", "extension", "transfer", "summary",
            "announce", "ring_timeout", "hours", "timezone", "weekly", "mon", "tue", "wed", "thu", "fri", "sat",
            "sun", "closed", "fallback", "allow", "guidance",
        ].enumerated().map { ($1, $0) })

    /// Fields in the order an agent file is written: name, channels, then support's blocks.
    static func settingsOrder(_ a: [Component], _ b: [Component]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            switch (x, y) {
            case (.key(let p), .key(let q)): return (keyOrder[p] ?? Int.max, p) < (keyOrder[q] ?? Int.max, q)
            case (.index(let p), .index(let q)): return p < q
            case (.index, .key): return true
            case (.key, .index): return false
            }
        }
        return a.count < b.count
    }

    /// `support.escalate.destinations[0].number` as keys and indices.
    static func components(_ field: String) -> [Component] {
        var components: [Component] = []
        for part in field.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                if let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                    indices.insert(index, at: 0)
                }
                name = name[..<open]
            }
            components.append(.key(String(name)))
            components += indices.map(Component.index)
        }
        return components
    }

    /// Where the value at `components` below `node` was written; nil when
    /// nobody wrote it (a default). A shorthand (`- name` for a collect
    /// entry, `mon-fri:` for each day) stands for every value it implies.
    static func locate(_ node: ConfigNode?, _ components: ArraySlice<Component>) -> SourceLocation? {
        guard let node, !node.isNull else { return nil }
        guard let first = components.first else { return node.location }
        if node.scalar != nil { return node.location }
        switch first {
        case .key(let key):
            if let member = node[key] {
                // A day written null is closed, by that line.
                if member.value.isNull, Weekday(rawValue: key) != nil { return member.value.location }
                return locate(member.value, components.dropFirst())
            }
            if Weekday(rawValue: key) != nil, let members = node.members {
                // A day written as part of a range of days.
                for member in members {
                    let ends = member.key.split(separator: "-").compactMap { Weekday(rawValue: String($0)) }
                    if ends.count == 2, let day = Weekday(rawValue: key), ends[0] <= day, day <= ends[1] {
                        return locate(member.value, components.dropFirst())
                    }
                }
            }
            return nil
        case .index(let index):
            guard let items = node.items, items.indices.contains(index) else { return nil }
            return locate(items[index], components.dropFirst())
        }
    }
}
