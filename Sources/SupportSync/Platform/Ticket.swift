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

    /// The statuses a ticket of this status may move to, in lifecycle order:
    /// none for a closed one.
    public var moves: [TicketStatus] { Self.allCases.filter { $0 != self && canMove(to: $0) } }

    /// The status a move to `next` goes by when the lifecycle allows it only
    /// through another (resolved -> in_progress -> pending); nil when the
    /// move is direct, or not possible at all.
    public func step(toward next: TicketStatus) -> TicketStatus? {
        guard !canMove(to: next) else { return nil }
        return Self.allCases.first { $0 != self && canMove(to: $0) && $0.canMove(to: next) }
    }

    /// Whether the lifecycle reaches `next`, directly or through one other
    /// status: what a branch's commits may do one move at a time, and a
    /// push sends one move at a time.
    public func reaches(_ next: TicketStatus) -> Bool { canMove(to: next) || step(toward: next) != nil }
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

/// The fields the team owns and works in git; `tickets push` sends them
/// back. One type the patch, the merge and the push all use, so a new team
/// field is one edit the compiler checks everywhere.
public struct TeamFields: Sendable, Hashable {
    public var priority: Priority
    public var status: TicketStatus
    public var assignee: String?
    public var resolution: String?

    public init(
        priority: Priority = .normal, status: TicketStatus = .pending, assignee: String? = nil,
        resolution: String? = nil
    ) {
        self.priority = priority
        self.status = status
        self.assignee = assignee
        self.resolution = resolution
    }

    /// Each team field, in file order.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case priority, status, assignee, resolution
    }

    /// Whether `self` and `other` hold the same value for `field`.
    public func agrees(with other: TeamFields, on field: Field) -> Bool {
        switch field {
        case .priority: return priority == other.priority
        case .status: return status == other.status
        case .assignee: return assignee == other.assignee
        case .resolution: return resolution == other.resolution
        }
    }

    /// Whether these fields break the resolution rule by a change of their
    /// own: resolved or closed with no resolution (blank counts as none),
    /// a status and resolution that none of `earlier` had. A ticket that
    /// already stood so (a platform may close one without a word) keeps
    /// its state; with no earlier version, the rule holds. Audit judges a
    /// commit by it, `tickets set` and `tickets push` a change, the local
    /// platform a patch.
    public func lacksResolution(comparedTo earlier: [TeamFields]) -> Bool {
        [.resolved, .closed].contains(status) && (resolution ?? "").allSatisfy(\.isWhitespace)
            && !earlier.contains { $0.status == status && $0.resolution == resolution }
    }

    /// Takes `field`'s value from `other`.
    public mutating func take(_ field: Field, from other: TeamFields) {
        switch field {
        case .priority: priority = other.priority
        case .status: status = other.status
        case .assignee: assignee = other.assignee
        case .resolution: resolution = other.resolution
        }
    }
}

/// What the platform stamps a ticket with: its version (the ETag a
/// conditional write names) and when it last changed. Kept beside the
/// ticket's fields, never in its file: every platform-side touch would
/// otherwise be a change in git.
public struct PlatformStamp: Sendable, Hashable {
    public var version: String
    public var updatedAt: String

    public init(version: String, updatedAt: String) {
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// A flagged case (SPEC section 4), as the platform reports it: the
/// ticket's fields (declared once, in `TicketRecord`) and the platform's
/// stamp beside them. Reads and writes its fields as its record's.
@dynamicMemberLookup
public struct Ticket: Sendable, Hashable, Codable {
    public var record: TicketRecord
    public var stamp: PlatformStamp

    public init(record: TicketRecord, stamp: PlatformStamp) {
        self.record = record
        self.stamp = stamp
    }

    public init(
        id: String, agent: String, channel: Channel, conversation: String, createdAt: String, reason: String,
        summary: String, customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [],
        priority: Priority = .normal, status: TicketStatus = .pending, assignee: String? = nil,
        resolution: String? = nil, updatedAt: String, version: String
    ) {
        self.init(
            record: TicketRecord(
                id: id, agent: agent, channel: channel, conversation: conversation, createdAt: createdAt,
                reason: reason, summary: summary, customer: customer, fields: fields, tags: tags,
                team: TeamFields(priority: priority, status: status, assignee: assignee, resolution: resolution)),
            stamp: PlatformStamp(version: version, updatedAt: updatedAt))
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<TicketRecord, Value>) -> Value {
        get { record[keyPath: keyPath] }
        set { record[keyPath: keyPath] = newValue }
    }

    public var version: String {
        get { stamp.version }
        set { stamp.version = newValue }
    }

    public var updatedAt: String {
        get { stamp.updatedAt }
        set { stamp.updatedAt = newValue }
    }

    enum StampKeys: String, CodingKey {
        case updatedAt = "updated_at"
        case version
    }

    public init(from decoder: any Decoder) throws {
        record = try TicketRecord(from: decoder)
        let c = try decoder.container(keyedBy: StampKeys.self)
        stamp = PlatformStamp(
            version: try c.decode(String.self, forKey: .version),
            updatedAt: try c.decode(String.self, forKey: .updatedAt))
    }

    /// The record's fields, then the stamp's, in one JSON object.
    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var c = encoder.container(keyedBy: StampKeys.self)
        try c.encode(stamp.updatedAt, forKey: .updatedAt)
        try c.encode(stamp.version, forKey: .version)
    }
}

/// What an agent reports when it flags a case: the platform-owned content
/// of a ticket, before the platform gives it an id and a time. A ticket's
/// record holds one; a draft is one with an optional priority.
public struct CaseReport: Sendable, Hashable {
    public var agent: String
    public var channel: Channel
    public var conversation: String
    public var reason: String
    public var summary: String
    public var customer: Customer
    public var fields: [String: String]
    public var tags: [String]

    public init(
        agent: String, channel: Channel, conversation: String, reason: String, summary: String = "",
        customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = []
    ) {
        self.agent = agent
        self.channel = channel
        self.conversation = conversation
        self.reason = reason
        self.summary = summary
        self.customer = customer
        self.fields = fields
        self.tags = tags
    }
}

extension CaseReport: Codable {
    enum CodingKeys: String, CodingKey {
        case agent, channel, conversation, reason, summary, customer, fields, tags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            agent: try c.decode(String.self, forKey: .agent), channel: try c.decode(Channel.self, forKey: .channel),
            conversation: try c.decode(String.self, forKey: .conversation),
            reason: try c.decode(String.self, forKey: .reason),
            summary: try c.decodeIfPresent(String.self, forKey: .summary) ?? "",
            customer: try c.decodeIfPresent(Customer.self, forKey: .customer) ?? Customer(),
            fields: try c.decodeIfPresent([String: String].self, forKey: .fields) ?? [:],
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agent, forKey: .agent)
        try c.encode(channel, forKey: .channel)
        try c.encode(conversation, forKey: .conversation)
        try c.encode(reason, forKey: .reason)
        try c.encode(summary, forKey: .summary)
        try c.encode(customer, forKey: .customer)
        try c.encode(fields, forKey: .fields)
        try c.encode(tags, forKey: .tags)
    }
}

/// The body of `POST /v1/tickets`: a case report, and the priority when
/// the agent sets one (else the agent's settings decide).
@dynamicMemberLookup
public struct TicketDraft: Sendable, Hashable, Codable {
    public var report: CaseReport
    public var priority: Priority?

    public init(report: CaseReport, priority: Priority? = nil) {
        self.report = report
        self.priority = priority
    }

    public init(
        agent: String, channel: Channel, conversation: String, reason: String, summary: String = "",
        customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [], priority: Priority? = nil
    ) {
        self.init(
            report: CaseReport(
                agent: agent, channel: channel, conversation: conversation, reason: reason, summary: summary,
                customer: customer, fields: fields, tags: tags),
            priority: priority)
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<CaseReport, Value>) -> Value {
        get { report[keyPath: keyPath] }
        set { report[keyPath: keyPath] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case priority
    }

    public init(from decoder: any Decoder) throws {
        report = try CaseReport(from: decoder)
        priority = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Priority.self, forKey: .priority)
    }

    public func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(priority, forKey: .priority)
    }
}

/// The body of `PATCH /v1/tickets/{id}`: team fields to change. A field
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

    /// The new values; only `changed` ones count.
    public private(set) var values = TeamFields()
    public private(set) var changed: Set<TeamFields.Field> = []

    public init(
        priority: Priority? = nil, status: TicketStatus? = nil, assignee: Update? = nil, resolution: Update? = nil
    ) {
        self.priority = priority
        self.status = status
        self.assignee = assignee
        self.resolution = resolution
    }

    /// Sends `field` with the value `team` holds.
    public mutating func include(_ field: TeamFields.Field, from team: TeamFields) {
        values.take(field, from: team)
        changed.insert(field)
    }

    public var isEmpty: Bool { changed.isEmpty }

    public var priority: Priority? {
        get { changed.contains(.priority) ? values.priority : nil }
        set { set(.priority, newValue.map { TeamFields(priority: $0) }) }
    }

    public var status: TicketStatus? {
        get { changed.contains(.status) ? values.status : nil }
        set { set(.status, newValue.map { TeamFields(status: $0) }) }
    }

    public var assignee: Update? {
        get { changed.contains(.assignee) ? (values.assignee.map(Update.set) ?? .clear) : nil }
        set { set(.assignee, newValue.map { TeamFields(assignee: $0.value) }) }
    }

    public var resolution: Update? {
        get { changed.contains(.resolution) ? (values.resolution.map(Update.set) ?? .clear) : nil }
        set { set(.resolution, newValue.map { TeamFields(resolution: $0.value) }) }
    }

    private mutating func set(_ field: TeamFields.Field, _ source: TeamFields?) {
        if let source { include(field, from: source) } else { changed.remove(field) }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ field: TeamFields.Field) { stringValue = field.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for field in TeamFields.Field.allCases where c.contains(Key(field)) {
            let key = Key(field)
            var team = TeamFields()
            switch field {
            case .priority: team.priority = try c.decode(Priority.self, forKey: key)
            case .status: team.status = try c.decode(TicketStatus.self, forKey: key)
            case .assignee: team.assignee = try c.decodeNil(forKey: key) ? nil : try c.decode(String.self, forKey: key)
            case .resolution:
                team.resolution = try c.decodeNil(forKey: key) ? nil : try c.decode(String.self, forKey: key)
            }
            include(field, from: team)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for field in TeamFields.Field.allCases where changed.contains(field) {
            let key = Key(field)
            switch field {
            case .priority: try c.encode(values.priority, forKey: key)
            case .status: try c.encode(values.status, forKey: key)
            case .assignee: try c.encode(values.assignee, forKey: key)
            case .resolution: try c.encode(values.resolution, forKey: key)
            }
        }
    }

    /// The team fields with this patch applied.
    public func applied(to team: TeamFields) -> TeamFields {
        var team = team
        for field in changed { team.take(field, from: values) }
        return team
    }

    /// Applies the patch to a ticket's team fields.
    public func applied(to ticket: Ticket) -> Ticket {
        var ticket = ticket
        ticket.record.team = applied(to: ticket.record.team)
        return ticket
    }
}

/// A ticket the platform sent that does not decode: its id as sent, and why.
public struct UnreadableTicket: Sendable, Hashable {
    public var id: String
    public var reason: String

    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
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
    /// How many items the platform read for this page that are not tickets
    /// (Vapi: calls nobody flagged). Not on the wire: a pull commits a
    /// cursor that passed over many, even with no ticket, so the next pull
    /// does not read them again.
    public var passedOver = 0
    /// Tickets of the page that did not decode, each by its id. Not on the
    /// wire: one broken ticket (a field of the wrong type, a string with a
    /// lone UTF-16 surrogate escape) is refused by name, and the rest of
    /// the page still reads.
    public var unreadable: [UnreadableTicket] = []

    public init(
        tickets: [Ticket], nextCursor: String?, cursor: String? = nil, passedOver: Int = 0,
        unreadable: [UnreadableTicket] = []
    ) {
        self.tickets = tickets
        self.nextCursor = nextCursor
        self.cursor = cursor
        self.passedOver = passedOver
        self.unreadable = unreadable
    }

    enum CodingKeys: String, CodingKey {
        case tickets
        case nextCursor = "next_cursor"
        case cursor
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var items = try c.nestedUnkeyedContainer(forKey: .tickets)
        tickets = []
        tickets.reserveCapacity(items.count ?? 0)
        while !items.isAtEnd {
            switch try items.decode(Item.self) {
            case .ticket(let ticket): tickets.append(ticket)
            case .unreadable(let ticket): unreadable.append(ticket)
            }
        }
        nextCursor = try c.decodeIfPresent(String.self, forKey: .nextCursor)
        cursor = try c.decodeIfPresent(String.self, forKey: .cursor)
    }

    /// One entry of `tickets`: a ticket, or, when it does not decode but
    /// its id does, why. An entry without an id fails the page, since
    /// nothing could name it.
    private enum Item: Decodable {
        case ticket(Ticket)
        case unreadable(UnreadableTicket)

        private enum IDKey: String, CodingKey { case id }

        /// What the API requires of a ticket beside its id: one without a
        /// field is refused, never read with a default (a closed ticket
        /// sent without its status would land as pending).
        private enum RequiredKey: String, CodingKey, CaseIterable {
            case agent, channel, conversation, reason, summary, customer, fields, tags, priority, status
            case assignee, resolution, version
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        private struct MissingFields: Error, CustomStringConvertible {
            var names: [String]
            var description: String { "it lacks \(names.joined(separator: ", ")), which the API requires" }
        }

        init(from decoder: any Decoder) throws {
            do {
                let present = try decoder.container(keyedBy: RequiredKey.self)
                let missing = RequiredKey.allCases.filter { !present.contains($0) }.map(\.rawValue)
                guard missing.isEmpty else { throw MissingFields(names: missing) }
                self = .ticket(try Ticket(from: decoder))
            } catch {
                guard let id = try? decoder.container(keyedBy: IDKey.self).decode(String.self, forKey: .id),
                    !id.isEmpty
                else { throw error }
                self = .unreadable(
                    UnreadableTicket(
                        id: id,
                        reason: "the platform's JSON for it does not read: "
                            + ((error as? MissingFields)?.description
                                ?? JSONCoding.summary(of: error, below: decoder.codingPath))))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tickets, forKey: .tickets)
        try c.encode(nextCursor, forKey: .nextCursor)
        try c.encodeIfPresent(cursor, forKey: .cursor)
    }
}
