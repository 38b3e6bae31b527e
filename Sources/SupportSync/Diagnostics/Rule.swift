/// Every check supportsync makes, with a stable name for scripts, CI
/// annotations and suppressions. The raw value is what users see.
public enum Rule: String, Sendable, Hashable, CaseIterable, Codable {
    // Reading the file
    case yamlSyntax = "yaml-syntax"
    case yamlEncoding = "yaml-encoding"
    case yamlLimit = "yaml-limit"
    case yamlAlias = "yaml-alias"
    case yamlTag = "yaml-tag"
    case emptyFile = "empty-file"
    case multipleDocuments = "multiple-documents"
    case notAMapping = "not-a-mapping"
    case duplicateKey = "duplicate-key"
    case unknownKey = "unknown-key"
    case missingKey = "missing-key"
    case wrongType = "wrong-type"
    case quoteString = "quote-string"
    case invalidBoolean = "invalid-boolean"
    case invalidInteger = "invalid-integer"
    case invalidValue = "invalid-value"
    case fileUnreadable = "file-unreadable"

    // The project file, supportsync.yaml, and environment overlays
    /// A token written as a literal instead of `env/NAME`.
    case projectSecret = "project-secret"
    /// A provider supportsync does not know.
    case projectProvider = "project-provider"
    /// No `default`, or one that names no platform.
    case projectDefault = "project-default"
    /// More than one platform with `pull_tickets: true`.
    case projectPullTickets = "project-pull-tickets"
    /// An overlay file that is missing, or names an agent config/ lacks.
    case projectOverlay = "project-overlay"
    /// A setting the environment's provider cannot express.
    case providerUnsupported = "provider-unsupported"

    // The agent
    case agentID = "agent-id"
    case agentFileName = "agent-file-name"
    case duplicateAgent = "duplicate-agent"
    case nameLength = "name-length"
    case channels = "channels"
    case invalidMode = "invalid-mode"
    case escalateRequiresCalls = "escalate-requires-calls"
    case escalateRequiresDestinations = "escalate-requires-destinations"
    case decideAllow = "decide-allow"

    // Escalation
    case destinationTarget = "destination-target"
    case phoneNumber = "phone-number"
    case sipURI = "sip-uri"
    case extensionFormat = "extension"
    case destinationName = "destination-name"
    case destinationCount = "destination-count"
    case coldTransferSummary = "cold-transfer-summary"
    case ringTimeout = "ring-timeout"
    case textLength = "text-length"
    case hoursTimezone = "hours-timezone"
    case hoursDay = "hours-day"
    case hoursRange = "hours-range"
    case hoursOverlap = "hours-overlap"
    case hoursClosedDate = "hours-closed-date"

    // Flagging
    case collectField = "collect-field"
    case collectRepeated = "collect-repeated"
    case priority = "priority"
    case tagFormat = "tag-format"

    // Ticket files (SPEC 4) and their history (SPEC 7 audit). A ticket file's
    // shape problems (unknown, missing or duplicate keys, wrong types, YAML
    // errors) use the shared rules above.
    case ticketID = "ticket-id"
    case ticketAgent = "ticket-agent"
    case ticketChannel = "ticket-channel"
    case ticketPriority = "ticket-priority"
    case ticketStatus = "ticket-status"
    case ticketCreatedAt = "ticket-created-at"
    case ticketResolution = "ticket-resolution"
    case ticketPath = "ticket-path"
    case ticketDeleted = "ticket-deleted"
    case ticketPlatformField = "ticket-platform-field"
    case ticketLifecycle = "ticket-lifecycle"

    // Warnings
    case unusedBlock = "unused-block"
    case escalateMessagesFallback = "escalate-messages-fallback"
    /// The workflow or a schema `init` wrote is an older version's.
    case initOutdated = "init-outdated"

    /// Rules about ticket files rather than agent files.
    public var isTicketRule: Bool { rawValue.hasPrefix("ticket-") }

    public var severity: Severity {
        switch self {
        case .unusedBlock, .escalateMessagesFallback, .initOutdated: return .warning
        default: return .error
        }
    }
}
