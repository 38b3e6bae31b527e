/// A check supportsync makes, with a stable id for scripts, CI
/// annotations and suppressions: the raw value is what users see. Open to
/// extension: a provider adds its own with `Rule("vendor-name-length")`.
public struct Rule: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String
    /// How a problem it finds counts, unless a check says otherwise.
    public let severity: Severity

    public init(_ id: String, severity: Severity = .error) {
        self.rawValue = id
        self.severity = severity
    }

    /// A built-in rule by its id; nil for an id supportsync does not define.
    public init?(rawValue: String) {
        guard let rule = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = rule
    }

    public init(from decoder: any Decoder) throws {
        let id = try decoder.singleValueContainer().decode(String.self)
        self = Rule(rawValue: id) ?? Rule(id)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func == (lhs: Rule, rhs: Rule) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    // Reading the file
    public static let yamlSyntax = Rule("yaml-syntax")
    public static let yamlEncoding = Rule("yaml-encoding")
    public static let yamlLimit = Rule("yaml-limit")
    public static let yamlAlias = Rule("yaml-alias")
    public static let yamlTag = Rule("yaml-tag")
    public static let emptyFile = Rule("empty-file")
    public static let multipleDocuments = Rule("multiple-documents")
    public static let notAMapping = Rule("not-a-mapping")
    public static let duplicateKey = Rule("duplicate-key")
    public static let unknownKey = Rule("unknown-key")
    public static let missingKey = Rule("missing-key")
    public static let wrongType = Rule("wrong-type")
    public static let quoteString = Rule("quote-string")
    public static let invalidBoolean = Rule("invalid-boolean")
    public static let invalidInteger = Rule("invalid-integer")
    public static let invalidValue = Rule("invalid-value")
    public static let fileUnreadable = Rule("file-unreadable")

    // The project file, supportsync.yaml, and environment overlays
    /// A token written as a literal instead of `env/NAME`.
    public static let projectSecret = Rule("project-secret")
    /// A provider supportsync does not know.
    public static let projectProvider = Rule("project-provider")
    /// No `default`, or one that names no platform.
    public static let projectDefault = Rule("project-default")
    /// More than one platform with `pull_tickets: true`.
    public static let projectPullTickets = Rule("project-pull-tickets")
    /// An overlay file that is missing, or names an agent config/ lacks.
    public static let projectOverlay = Rule("project-overlay")
    /// A setting the environment's provider cannot express.
    public static let providerUnsupported = Rule("provider-unsupported")

    // The agent
    public static let agentID = Rule("agent-id")
    public static let agentFileName = Rule("agent-file-name")
    public static let duplicateAgent = Rule("duplicate-agent")
    public static let nameLength = Rule("name-length")
    public static let channels = Rule("channels")
    public static let invalidMode = Rule("invalid-mode")
    public static let escalateRequiresCalls = Rule("escalate-requires-calls")
    public static let escalateRequiresDestinations = Rule("escalate-requires-destinations")
    public static let decideAllow = Rule("decide-allow")

    // Escalation
    public static let destinationTarget = Rule("destination-target")
    public static let phoneNumber = Rule("phone-number")
    public static let sipURI = Rule("sip-uri")
    public static let extensionFormat = Rule("extension")
    public static let destinationName = Rule("destination-name")
    public static let destinationCount = Rule("destination-count")
    public static let coldTransferSummary = Rule("cold-transfer-summary")
    public static let ringTimeout = Rule("ring-timeout")
    public static let textLength = Rule("text-length")
    public static let hoursTimezone = Rule("hours-timezone")
    public static let hoursDay = Rule("hours-day")
    public static let hoursRange = Rule("hours-range")
    public static let hoursOverlap = Rule("hours-overlap")
    public static let hoursClosedDate = Rule("hours-closed-date")

    // Flagging
    public static let collectField = Rule("collect-field")
    public static let collectRepeated = Rule("collect-repeated")
    public static let priority = Rule("priority")
    public static let tagFormat = Rule("tag-format")

    // Scenario files (config/tests/*.yaml, `supportsync test`)
    /// A scenario naming an agent config/agents/ lacks.
    public static let scenarioAgent = Rule("scenario-agent")
    /// A channel the agent does not serve, or none where it serves two.
    public static let scenarioChannel = Rule("scenario-channel")
    /// A time that cannot be read, or that a daylight-saving change skips or repeats.
    public static let scenarioTime = Rule("scenario-time")
    /// An `expect` that is malformed or names a destination the agent lacks.
    public static let scenarioExpect = Rule("scenario-expect")
    /// A scenario whose outcome is not what it expects (`supportsync test`).
    public static let scenarioFailed = Rule("scenario-failed")

    // Ticket files (SPEC 4) and their history (SPEC 7 audit). A ticket file's
    // shape problems (unknown, missing or duplicate keys, wrong types, YAML
    // errors) use the shared rules above.
    public static let ticketID = Rule("ticket-id")
    public static let ticketAgent = Rule("ticket-agent")
    public static let ticketChannel = Rule("ticket-channel")
    public static let ticketPriority = Rule("ticket-priority")
    public static let ticketStatus = Rule("ticket-status")
    public static let ticketCreatedAt = Rule("ticket-created-at")
    public static let ticketResolution = Rule("ticket-resolution")
    public static let ticketPath = Rule("ticket-path")
    public static let ticketDeleted = Rule("ticket-deleted")
    /// A ticket file added outside a tickets pull (by hand, or by a branch
    /// whose net change no pull in the range explains).
    public static let ticketAdded = Rule("ticket-added")
    /// Two ticket files with one id, or ids that differ only in case.
    public static let ticketDuplicate = Rule("ticket-duplicate")
    /// A file under tickets/ that is not a ticket, an empty `.gitkeep` or
    /// the cursor; or gitattributes that make git rewrite ticket files.
    public static let ticketStray = Rule("ticket-stray")
    public static let ticketPlatformField = Rule("ticket-platform-field")
    public static let ticketLifecycle = Rule("ticket-lifecycle")
    /// A sealed value that is malformed, sealed with another ticket's key,
    /// or an erasure record that still holds customer data.
    public static let ticketSealed = Rule("ticket-sealed")

    // Warnings
    public static let unusedBlock = Rule("unused-block", severity: .warning)
    public static let escalateMessagesFallback = Rule("escalate-messages-fallback", severity: .warning)
    /// `tickets: {seal: []}`: customer data in plain text in git.
    public static let ticketsUnsealed = Rule("tickets-unsealed", severity: .warning)
    /// The workflow or a schema `init` wrote is an older version's.
    public static let initOutdated = Rule("init-outdated", severity: .warning)

    /// Every built-in rule.
    public static let allCases: [Rule] = [
        .yamlSyntax,
        .yamlEncoding,
        .yamlLimit,
        .yamlAlias,
        .yamlTag,
        .emptyFile,
        .multipleDocuments,
        .notAMapping,
        .duplicateKey,
        .unknownKey,
        .missingKey,
        .wrongType,
        .quoteString,
        .invalidBoolean,
        .invalidInteger,
        .invalidValue,
        .fileUnreadable,
        .projectSecret,
        .projectProvider,
        .projectDefault,
        .projectPullTickets,
        .projectOverlay,
        .providerUnsupported,
        .agentID,
        .agentFileName,
        .duplicateAgent,
        .nameLength,
        .channels,
        .invalidMode,
        .escalateRequiresCalls,
        .escalateRequiresDestinations,
        .decideAllow,
        .destinationTarget,
        .phoneNumber,
        .sipURI,
        .extensionFormat,
        .destinationName,
        .destinationCount,
        .coldTransferSummary,
        .ringTimeout,
        .textLength,
        .hoursTimezone,
        .hoursDay,
        .hoursRange,
        .hoursOverlap,
        .hoursClosedDate,
        .collectField,
        .collectRepeated,
        .priority,
        .tagFormat,
        .scenarioAgent,
        .scenarioChannel,
        .scenarioTime,
        .scenarioExpect,
        .scenarioFailed,
        .ticketID,
        .ticketAgent,
        .ticketChannel,
        .ticketPriority,
        .ticketStatus,
        .ticketCreatedAt,
        .ticketResolution,
        .ticketPath,
        .ticketDeleted,
        .ticketAdded,
        .ticketDuplicate,
        .ticketStray,
        .ticketPlatformField,
        .ticketLifecycle,
        .ticketSealed,
        .unusedBlock,
        .escalateMessagesFallback,
        .initOutdated,
        .ticketsUnsealed,
    ]

    /// Rules about ticket files rather than agent files.
    public var isTicketRule: Bool { rawValue.hasPrefix("ticket-") }
}
