import YAML

/// The content of one ticket file (SPEC section 4): a platform `Ticket`
/// without the platform's bookkeeping (`updated_at`, `version`), which would
/// make every platform-side touch a git change.
public struct TicketRecord: Sendable, Hashable {
    // Platform-owned
    public var id: String
    public var agent: String
    public var channel: Channel
    public var conversation: String
    /// Kept exactly as the platform wrote it, never normalised: it is
    /// platform-owned, so rewriting it would read as a change in git.
    public var createdAt: String
    public var reason: String
    public var summary: String
    public var customer: Customer
    public var fields: [String: String]
    public var tags: [String]
    // Team-owned
    public var priority: Priority
    public var status: TicketStatus
    public var assignee: String?
    public var resolution: String?

    public init(
        id: String, agent: String, channel: Channel, conversation: String, createdAt: String, reason: String,
        summary: String = "", customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [],
        priority: Priority = .normal, status: TicketStatus = .pending, assignee: String? = nil,
        resolution: String? = nil
    ) {
        self.id = id
        self.agent = agent
        self.channel = channel
        self.conversation = conversation
        self.createdAt = createdAt
        self.reason = reason
        self.summary = summary
        self.customer = customer
        self.fields = fields
        self.tags = tags
        self.priority = priority
        self.status = status
        self.assignee = assignee
        self.resolution = resolution
    }

    /// The file content of a ticket the platform reported.
    public init(_ ticket: Ticket) {
        self.init(
            id: ticket.id, agent: ticket.agent, channel: ticket.channel, conversation: ticket.conversation,
            createdAt: ticket.createdAt, reason: ticket.reason, summary: ticket.summary, customer: ticket.customer,
            fields: ticket.fields, tags: ticket.tags, priority: ticket.priority, status: ticket.status,
            assignee: ticket.assignee, resolution: ticket.resolution)
    }

    /// A platform `Ticket` with this content and the given bookkeeping.
    public func ticket(updatedAt: String, version: String) -> Ticket {
        Ticket(
            id: id, agent: agent, channel: channel, conversation: conversation, createdAt: createdAt, reason: reason,
            summary: summary, customer: customer, fields: fields, tags: tags, priority: priority, status: status,
            assignee: assignee, resolution: resolution, updatedAt: updatedAt, version: version)
    }

    /// This record with a patch's team-owned changes applied.
    public func applying(_ patch: TicketPatch) -> TicketRecord {
        var record = self
        if let priority = patch.priority { record.priority = priority }
        if let status = patch.status { record.status = status }
        if let assignee = patch.assignee { record.assignee = assignee.value }
        if let resolution = patch.resolution { record.resolution = resolution.value }
        return record
    }
}

extension TicketRecord {
    /// Who may change a field: the platform reports its fields, the team
    /// works its fields in git and `tickets push` sends them back.
    public enum Owner: String, Sendable, Hashable {
        case platform
        case team
    }

    /// The keys of a ticket file, in the order they are written (SPEC 4).
    public enum Field: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
        case id, agent, channel, conversation
        case createdAt = "created_at"
        case reason, summary, customer, fields, tags
        case priority, status, assignee, resolution

        public var owner: Owner {
            switch self {
            case .priority, .status, .assignee, .resolution: return .team
            default: return .platform
            }
        }

        /// The key as written in the file.
        public var description: String { rawValue }

        public static func < (lhs: Field, rhs: Field) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// `id agent channel conversation created_at reason summary customer fields tags`.
    public static let ownedByPlatform: [Field] = Field.allCases.filter { $0.owner == .platform }
    /// `priority status assignee resolution`.
    public static let ownedByTeam: [Field] = Field.allCases.filter { $0.owner == .team }

    /// The customer's keys, in the order they are written.
    public static let customerKeys = ["name", "email", "phone"]

    /// A field's value as it is written to the file. Two records agree on a
    /// field exactly when these values are equal, so the writer, the audit
    /// and the merge share one notion of "changed".
    public func value(of field: Field) -> YAMLValue {
        switch field {
        case .id: return .string(id)
        case .agent: return .string(agent)
        case .channel: return .string(channel.rawValue)
        case .conversation: return .string(conversation)
        case .createdAt: return .string(createdAt)
        case .reason: return .string(reason)
        case .summary: return .string(summary)
        case .customer:
            // Absent details are written as null, never left out: every
            // ticket file has the same shape, and a detail appearing later
            // shows as a one-line change.
            return .map([
                ("name", .optional(customer.name)),
                ("email", .optional(customer.email)),
                ("phone", .optional(customer.phone)),
            ])
        case .fields:
            // By UTF-8 bytes: an order that does not depend on locale or on
            // Unicode normalisation.
            let keys = fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return .map(keys.map { ($0, .string(fields[$0]!)) })
        case .tags: return .list(tags.map(YAMLValue.string))
        case .priority: return .string(priority.rawValue)
        case .status: return .string(status.rawValue)
        case .assignee: return .optional(assignee)
        case .resolution: return .optional(resolution)
        }
    }

    /// The fields whose values differ between `self` and `other`, in file order.
    public func changedFields(comparedTo other: TicketRecord) -> [Field] {
        Field.allCases.filter { value(of: $0) != other.value(of: $0) }
    }
}

/// A ticket file's content as JSON (`tickets list --format json`): the
/// platform's ticket without its bookkeeping fields.
extension TicketRecord: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try ticket(updatedAt: "", version: "").encodeFileFields(to: encoder)
    }
}
