import YAML

/// What `apply` would do, agent by agent (SPEC section 6, `plan`). Saved by
/// `plan --out` with each agent's platform version, so `apply --plan`
/// applies exactly what was reviewed and refuses agents changed since.
public struct Plan: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        case create
        case update
        case unchanged
    }

    /// One field that differs, on the canonical form: `support.mode: flag -> escalate`.
    public struct Change: Sendable, Hashable, Codable {
        public var field: String
        /// Nil when the field does not exist on that side. JSON carries the
        /// value as it is (`25`, `false`, `null`, a list); text shows it on one line.
        public var oldValue: YAMLValue?
        public var newValue: YAMLValue?

        public var old: String? { oldValue?.oneLine }
        public var new: String? { newValue?.oneLine }

        public init(field: String, old: YAMLValue?, new: YAMLValue?) {
            self.field = field
            self.oldValue = old
            self.newValue = new
        }

        enum CodingKeys: String, CodingKey {
            case field
            case oldValue = "old"
            case newValue = "new"
        }
    }

    public struct AgentPlan: Sendable, Hashable, Codable {
        public var id: String
        public var action: Action
        public var changes: [Change]
        /// The platform's version when planned; nil for a create.
        public var platformVersion: String?
        /// What the agent will be once applied.
        public var desired: AgentSettings
        /// What changes for customers; nil when the agent is unchanged.
        public var behaviour: BehaviourChange?
        /// Fields edited on the platform since the last apply that this
        /// update puts back; nil when there is no record of the last apply.
        public var drift: [String]?
        /// The name of the platform's object this update takes over, bound to
        /// no agent until now and named as the agent is.
        public var binds: String?
        /// What the provider does instead of settings it cannot express
        /// (`strict_supports: false`), one sentence each.
        public var fallbacks: [String]?
        /// What the platform holds outside the settings supportsync manages
        /// that changes what the agent does (a Vapi transfer tool of the
        /// team's own), one sentence each; shown even when nothing changes.
        public var notes: [String]?

        public init(
            id: String, action: Action, changes: [Change], platformVersion: String?, desired: AgentSettings,
            behaviour: BehaviourChange? = nil
        ) {
            self.id = id
            self.action = action
            self.changes = changes
            self.platformVersion = platformVersion
            self.desired = desired
            self.behaviour = behaviour
        }

        enum CodingKeys: String, CodingKey {
            case id, action, behaviour, drift, binds, fallbacks, notes, changes
            case platformVersion = "platform_version"
            case desired
        }
    }

    public var agents: [AgentPlan]
    /// Agents on the platform that config/ does not manage: listed, never touched.
    public var unmanaged: [String]
    /// For display only (not in JSON or a saved plan): the name of an object
    /// bound to no agent whose name gives a managed agent's id, by that id.
    public var unmanagedNames: [String: String] = [:]
    /// The platform the plan was made against (`GET /v1/platform`).
    public var platformInstance: String?
    /// The environment of `supportsync.yaml` it was made for; nil without one.
    public var environment: String?
    /// How `apply` makes each write conditional on the version planned:
    /// `native` (the platform's `If-Match`) or `emulated` (read again and
    /// compared just before the write; Vapi).
    public var conditional: ConditionalWrites = .native

    public init(agents: [AgentPlan], unmanaged: [String], platformInstance: String?) {
        self.agents = agents
        self.unmanaged = unmanaged
        self.platformInstance = platformInstance
    }

    enum CodingKeys: String, CodingKey {
        case agents, unmanaged, environment, conditional
        case platformInstance = "platform_instance"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agents = try container.decode([AgentPlan].self, forKey: .agents)
        unmanaged = try container.decode([String].self, forKey: .unmanaged)
        platformInstance = try container.decodeIfPresent(String.self, forKey: .platformInstance)
        environment = try container.decodeIfPresent(String.self, forKey: .environment)
        conditional = try container.decodeIfPresent(ConditionalWrites.self, forKey: .conditional) ?? .native
    }

    public var pending: [AgentPlan] { agents.filter { $0.action != .unchanged } }

    /// Records, on each agent, what the provider does instead of settings it cannot express.
    public mutating func noteFallbacks(_ notes: [String: [String]]) {
        for index in agents.indices {
            if let found = notes[agents[index].id], !found.isEmpty { agents[index].fallbacks = found }
        }
    }
    public var hasChanges: Bool { !pending.isEmpty }

    public func count(_ action: Action) -> Int { agents.count { $0.action == action } }
}
