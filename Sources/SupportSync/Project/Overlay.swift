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
        Self.refuseNull(node["support"], path: "support", reader: &reader)
        if let agents = members["agents"] {
            for entry in agents.value.members ?? [] {
                guard let block = reader.mapping(entry.value, path: "agents.\(entry.key)", allowed: ["support"])
                else { continue }
                overlay.agentLocations[entry.key] = entry.keyLocation
                if let support = block["support"] { overlay.agents[entry.key] = support.value }
                Self.refuseNull(entry.value["support"], path: "agents.\(entry.key).support", reader: &reader)
            }
            if agents.value.members == nil {
                _ = reader.mapping(agents.value, path: "agents", allowed: [])
            }
        }
        return overlay
    }

    /// A `support: null` would remove every setting of every agent it
    /// reaches, which no agent can run without: refused, where defaults'
    /// rule (null removes a key) would otherwise have it pass unnoticed.
    private static func refuseNull(_ member: ConfigNode.Member?, path: String, reader: inout NodeReader) {
        guard let member, member.value.isNull else { return }
        reader.report(
            .wrongType, at: member.value.location, "\(path) must be a mapping, found null",
            hint: "an overlay changes settings key by key: to remove one, set that key to null inside support")
    }

    /// `support` (an agent's, merged with defaults) with this overlay over it.
    func apply(to support: ConfigNode?, agent: String) -> ConfigNode? {
        let merged = DefaultsMerge.merge(defaults: support, agent: self.support)
        return DefaultsMerge.merge(defaults: merged, agent: agents[agent])
    }
}
