import Foundation

/// An environment's overlay file: a `support:` block applied over every
/// agent's merged settings, then `agents: {<id>: {support: ...}}` for one
/// agent, by the rules of defaults (maps key by key, lists replace, `null`
/// removes). So an environment can force a value every agent has set.
struct Overlay: Sendable {
    var path: String
    var support: ConfigNode?
    /// By agent id: the `support:` block for that agent.
    var agents: [String: ConfigNode]
    /// Where each agent id was written, for naming one config/ lacks.
    var agentLocations: [String: SourceLocation]

    /// Reads the overlay at `path`; nil when it cannot be read at all.
    static func load(path: String, root: URL, diagnostics: inout [Diagnostic]) -> Overlay? {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let data: [UInt8]
        switch RepositoryFile.read(root.appendingPathComponent(path).path, root: root.path, limit: 1 << 20) {
        case .success(let bytes): data = bytes
        case .failure(let failure):
            diagnostics.append(Diagnostic(.fileUnreadable, at: start, failure.description))
            return nil
        }
        guard let node = YAMLFile.load(data, file: path, diagnostics: &diagnostics) else { return nil }
        var reader = NodeReader()
        defer { diagnostics += reader.diagnostics }
        guard let members = reader.mapping(node, path: "", allowed: ["support", "agents"]) else { return nil }
        var overlay = Overlay(path: path, support: members["support"]?.value, agents: [:], agentLocations: [:])
        if let agents = members["agents"] {
            for entry in agents.value.members ?? [] {
                guard let block = reader.mapping(entry.value, path: "agents.\(entry.key)", allowed: ["support"])
                else { continue }
                overlay.agentLocations[entry.key] = entry.keyLocation
                if let support = block["support"] { overlay.agents[entry.key] = support.value }
            }
            if agents.value.members == nil {
                _ = reader.mapping(agents.value, path: "agents", allowed: [])
            }
        }
        return overlay
    }

    /// `support` (an agent's, merged with defaults) with this overlay over it.
    func apply(to support: ConfigNode?, agent: String) -> ConfigNode? {
        let merged = DefaultsMerge.merge(defaults: support, agent: self.support)
        return DefaultsMerge.merge(defaults: merged, agent: agents[agent])
    }
}
