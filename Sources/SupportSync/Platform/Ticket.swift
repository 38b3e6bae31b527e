public enum TicketStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case inProgress = "in_progress"
    case resolved
    case closed

    /// The lifecycle: pending -> in_progress | resolved | closed;
    /// in_progress -> pending | resolved | closed; resolved -> in_progress | closed;
    /// closed is final.
    public func canMove(to next: TicketStatus) -> Bool {
        if next == self { return true }
        switch self {
        case .pending: return [.inProgress, .resolved, .closed].contains(next)
        case .inProgress: return [.pending, .resolved, .closed].contains(next)
        case .resolved: return [.inProgress, .closed].contains(next)
        case .closed: return false
        }
    }
}

/// What the agent collected about the customer.
public struct Customer: Sendable, Hashable, Codable {
    public var name: String?
    public var email: String?
    public var phone: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// A flagged case (SPEC section 4), as the platform reports it.
public struct Ticket: Sendable, Hashable, Codable {
    // Platform-owned
    public var id: String
    public var agent: String
    public var channel: Channel
    public var conversation: String
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
    // Platform bookkeeping, not written to ticket files
    public var updatedAt: String
    public var version: String

    public init(
        id: String, agent: String, channel: Channel, conversation: String, createdAt: String, reason: String,
        summary: String, customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [],
        priority: Priority = .normal, status: TicketStatus = .pending, assignee: String? = nil,
        resolution: String? = nil, updatedAt: String, version: String
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
        self.updatedAt = updatedAt
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case id, agent, channel, conversation
        case createdAt = "created_at"
        case reason, summary, customer, fields, tags, priority, status, assignee, resolution
        case updatedAt = "updated_at"
        case version
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        agent = try c.decode(String.self, forKey: .agent)
        channel = try c.decode(Channel.self, forKey: .channel)
        conversation = try c.decode(String.self, forKey: .conversation)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        reason = try c.decode(String.self, forKey: .reason)
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? ""
        customer = try c.decodeIfPresent(Customer.self, forKey: .customer) ?? Customer()
        fields = try c.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority) ?? .normal
        status = try c.decodeIfPresent(TicketStatus.self, forKey: .status) ?? .pending
        assignee = try c.decodeIfPresent(String.self, forKey: .assignee)
        resolution = try c.decodeIfPresent(String.self, forKey: .resolution)
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
        version = try c.decode(String.self, forKey: .version)
    }

    /// Nulls are written out: a ticket always shows its assignee and resolution.
    public func encode(to encoder: any Encoder) throws {
        try encodeFileFields(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(version, forKey: .version)
    }

    /// The fields a ticket file holds, as JSON.
    func encodeFileFields(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(agent, forKey: .agent)
        try c.encode(channel, forKey: .channel)
        try c.encode(conversation, forKey: .conversation)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(reason, forKey: .reason)
        try c.encode(summary, forKey: .summary)
        try c.encode(customer, forKey: .customer)
        try c.encode(fields, forKey: .fields)
        try c.encode(tags, forKey: .tags)
        try c.encode(priority, forKey: .priority)
        try c.encode(status, forKey: .status)
        try c.encode(assignee, forKey: .assignee)
        try c.encode(resolution, forKey: .resolution)
    }
}

/// The body of `POST /v1/tickets`: the platform-owned fields of a new case.
public struct TicketDraft: Sendable, Hashable, Codable {
    public var agent: String
    public var channel: Channel
    public var conversation: String
    public var reason: String
    public var summary: String
    public var customer: Customer
    public var fields: [String: String]
    public var tags: [String]
    public var priority: Priority?

    public init(
        agent: String, channel: Channel, conversation: String, reason: String, summary: String = "",
        customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [], priority: Priority? = nil
    ) {
        self.agent = agent
        self.channel = channel
        self.conversation = conversation
        self.reason = reason
        self.summary = summary
        self.customer = customer
        self.fields = fields
        self.tags = tags
        self.priority = priority
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agent = try c.decode(String.self, forKey: .agent)
        channel = try c.decode(Channel.self, forKey: .channel)
        conversation = try c.decode(String.self, forKey: .conversation)
        reason = try c.decode(String.self, forKey: .reason)
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? ""
        customer = try c.decodeIfPresent(Customer.self, forKey: .customer) ?? Customer()
        fields = try c.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority)
    }
}

/// The body of `PATCH /v1/tickets/{id}`: team-owned fields to change. A key
/// left out is unchanged; `assignee`/`resolution` may be set to null.
public struct TicketPatch: Sendable, Hashable, Codable {
    public enum Update: Sendable, Hashable {
        case clear
        case set(String)

        public var value: String? {
            if case .set(let value) = self { return value }
            return nil
        }
    }

    public var priority: Priority?
    public var status: TicketStatus?
    public var assignee: Update?
    public var resolution: Update?

    public init(
        priority: Priority? = nil, status: TicketStatus? = nil, assignee: Update? = nil, resolution: Update? = nil
    ) {
        self.priority = priority
        self.status = status
        self.assignee = assignee
        self.resolution = resolution
    }

    public var isEmpty: Bool { priority == nil && status == nil && assignee == nil && resolution == nil }

    enum CodingKeys: String, CodingKey {
        case priority, status, assignee, resolution
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority)
        status = try c.decodeIfPresent(TicketStatus.self, forKey: .status)
        func update(_ key: CodingKeys) throws -> Update? {
            guard c.contains(key) else { return nil }
            if try c.decodeNil(forKey: key) { return .clear }
            return .set(try c.decode(String.self, forKey: key))
        }
        assignee = try update(.assignee)
        resolution = try update(.resolution)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encodeIfPresent(status, forKey: .status)
        for (key, update) in [(CodingKeys.assignee, assignee), (.resolution, resolution)] {
            switch update {
            case nil: break
            case .clear: try c.encodeNil(forKey: key)
            case .set(let value): try c.encode(value, forKey: key)
            }
        }
    }

    /// Applies the patch to a ticket's team-owned fields.
    public func applied(to ticket: Ticket) -> Ticket {
        var ticket = ticket
        if let priority { ticket.priority = priority }
        if let status { ticket.status = status }
        if let assignee { ticket.assignee = assignee.value }
        if let resolution { ticket.resolution = resolution.value }
        return ticket
    }
}

/// A page of `GET /v1/tickets?after=&limit=`.
public struct TicketPage: Sendable, Hashable, Codable {
    public var tickets: [Ticket]
    /// The cursor of the next page; null on the last page.
    public var nextCursor: String?
    /// Where this page ends, also on the last page, so a client can resume
    /// from here later. An extension of the API; a server without it makes
    /// the client re-read the last page, which is harmless.
    public var cursor: String?

    public init(tickets: [Ticket], nextCursor: String?, cursor: String? = nil) {
        self.tickets = tickets
        self.nextCursor = nextCursor
        self.cursor = cursor
    }

    enum CodingKeys: String, CodingKey {
        case tickets
        case nextCursor = "next_cursor"
        case cursor
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tickets, forKey: .tickets)
        try c.encode(nextCursor, forKey: .nextCursor)
        try c.encodeIfPresent(cursor, forKey: .cursor)
    }
}
