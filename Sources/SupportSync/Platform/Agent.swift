/// An agent as the platform reports it: its settings in canonical form plus
/// the platform's version (also the `ETag`) and last change.
public struct Agent: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var channels: [Channel]
    public var support: SupportSettings
    public var version: String
    public var updatedAt: String
    /// Found on a platform that binds agents to its own objects (Vapi's
    /// assistants) but bound to none: the agent of this name in config/ may
    /// take it over, once, in a reviewed apply. Never on the wire.
    public var adoptable = false
    /// What the platform holds that the settings do not explain and `apply`
    /// changes (a Vapi flag tool posting to an old webhook). Never on the wire.
    public var providerChanges: [Plan.Change] = []
    /// Fields of `providerChanges` edited on the platform since the last
    /// apply (a Vapi flag tool's URL changed on the dashboard), which the
    /// plan names as drift. Never on the wire.
    public var providerDrift: [String] = []
    /// What the platform holds outside what supportsync manages that changes
    /// what the agent does (a Vapi transfer tool of the team's own), one
    /// sentence each: the plan and `import` say it. Never on the wire.
    public var notes: [String] = []

    public init(
        id: String, name: String, channels: [Channel], support: SupportSettings, version: String, updatedAt: String
    ) {
        self.id = id
        self.name = name
        self.channels = channels
        self.support = support
        self.version = version
        self.updatedAt = updatedAt
    }

    public init(_ settings: AgentSettings, version: String, updatedAt: String) {
        self.init(
            id: settings.id, name: settings.name, channels: settings.channels, support: settings.support,
            version: version, updatedAt: updatedAt)
    }

    /// The settings part, comparable with what config/ says.
    public var settings: AgentSettings {
        AgentSettings(id: id, name: name, channels: channels, support: support)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, channels, support, version
        case updatedAt = "updated_at"
    }
}

/// The body of `PUT /v1/agents/{id}`.
public struct AgentWrite: Sendable, Hashable, Codable {
    public var name: String
    public var channels: [Channel]
    public var support: SupportSettings

    public init(name: String, channels: [Channel], support: SupportSettings) {
        self.name = name
        self.channels = channels
        self.support = support
    }

    public init(_ settings: AgentSettings) {
        self.init(name: settings.name, channels: settings.channels, support: settings.support)
    }

    public func settings(id: String) -> AgentSettings {
        AgentSettings(id: id, name: name, channels: channels, support: support)
    }
}

/// `GET /v1/platform`: which platform's data this is, so a cursor from one
/// platform is never used against another.
public struct PlatformInfo: Sendable, Hashable, Codable {
    public var instance: String
    /// The instance of a local platform whose file does not exist yet (read
    /// as empty): a plan made against it is applied only to a local platform
    /// with no agent yet.
    public static let noInstance = "none"
    public var apiVersion: String
    /// What the token that asked may do (`read`, `sync`, ...), when the
    /// platform says: a dry run tells from it that the run's writes would
    /// be refused. Nil when unknown (an older server, a platform without
    /// scopes).
    public var scopes: [String]?

    public init(instance: String, apiVersion: String = "1", scopes: [String]? = nil) {
        self.instance = instance
        self.apiVersion = apiVersion
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case instance, scopes
        case apiVersion = "api_version"
    }
}
