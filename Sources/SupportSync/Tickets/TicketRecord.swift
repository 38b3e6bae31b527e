import YAML

/// The content of one ticket file (SPEC section 4), and of a platform
/// `Ticket` without the platform's stamp: every field of a ticket is
/// declared here, once.
@dynamicMemberLookup
public struct TicketRecord: Sendable, Hashable {
    // Platform-owned
    public var id: String
    /// Kept exactly as the platform wrote it, never normalised: it is
    /// platform-owned, so rewriting it would read as a change in git.
    public var createdAt: String
    /// agent, channel, conversation, reason, summary, customer, fields, tags.
    public var report: CaseReport
    // Team-owned
    public var team: TeamFields
    /// Platform-owned: set when the platform erased the customer data.
    public var erasure: Erasure?

    /// The case report's fields, read and written as the record's own.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<CaseReport, Value>) -> Value {
        get { report[keyPath: keyPath] }
        set { report[keyPath: keyPath] = newValue }
    }

    public var priority: Priority {
        get { team.priority }
        set { team.priority = newValue }
    }

    public var status: TicketStatus {
        get { team.status }
        set { team.status = newValue }
    }

    public var assignee: String? {
        get { team.assignee }
        set { team.assignee = newValue }
    }

    public var resolution: String? {
        get { team.resolution }
        set { team.resolution = newValue }
    }

    public init(id: String, createdAt: String, report: CaseReport, team: TeamFields, erasure: Erasure? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.report = report
        self.team = team
        self.erasure = erasure
    }

    public init(
        id: String, agent: String, channel: Channel, conversation: String, createdAt: String, reason: String,
        summary: String = "", customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [],
        team: TeamFields
    ) {
        self.init(
            id: id, createdAt: createdAt,
            report: CaseReport(
                agent: agent, channel: channel, conversation: conversation, reason: reason, summary: summary,
                customer: customer, fields: fields, tags: tags),
            team: team)
    }

    public init(
        id: String, agent: String, channel: Channel, conversation: String, createdAt: String, reason: String,
        summary: String = "", customer: Customer = Customer(), fields: [String: String] = [:], tags: [String] = [],
        priority: Priority = .normal, status: TicketStatus = .pending, assignee: String? = nil,
        resolution: String? = nil
    ) {
        self.init(
            id: id, agent: agent, channel: channel, conversation: conversation, createdAt: createdAt, reason: reason,
            summary: summary, customer: customer, fields: fields, tags: tags,
            team: TeamFields(priority: priority, status: status, assignee: assignee, resolution: resolution))
    }

    /// The file content of a ticket the platform reported.
    public init(_ ticket: Ticket) {
        self = ticket.record
    }

    /// A platform `Ticket` with this content and the given stamp.
    public func ticket(updatedAt: String, version: String) -> Ticket {
        Ticket(record: self, stamp: PlatformStamp(version: version, updatedAt: updatedAt))
    }

    /// This record with a patch's team-owned changes applied.
    public func applying(_ patch: TicketPatch) -> TicketRecord {
        var record = self
        record.team = patch.applied(to: team)
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
        /// Written only once the platform erased the ticket's customer data.
        case erasure

        public var owner: Owner { TeamFields.Field(rawValue: rawValue) == nil ? .platform : .team }

        /// The key as written in the file.
        public var description: String { rawValue }

        public static func < (lhs: Field, rhs: Field) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// `id agent channel conversation created_at reason summary customer fields tags erasure`.
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
        case .agent: return .string(report.agent)
        case .channel: return .string(report.channel.rawValue)
        case .conversation: return .string(report.conversation)
        case .createdAt: return .string(createdAt)
        case .reason: return .string(report.reason)
        case .summary: return .string(report.summary)
        case .customer:
            // Absent details are written as null, never left out: every
            // ticket file has the same shape, and a detail appearing later
            // shows as a one-line change.
            return .map([
                ("name", .optional(report.customer.name)),
                ("email", .optional(report.customer.email)),
                ("phone", .optional(report.customer.phone)),
            ])
        case .fields:
            // By UTF-8 bytes: an order that does not depend on locale or on
            // Unicode normalisation.
            let keys = report.fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return .map(keys.map { ($0, .string(report.fields[$0]!)) })
        case .tags: return .list(report.tags.map(YAMLValue.string))
        case .priority: return .string(priority.rawValue)
        case .status: return .string(status.rawValue)
        case .assignee: return .optional(assignee)
        case .resolution: return .optional(resolution)
        case .erasure:
            guard let erasure else { return .null }
            return .map([("at", .string(erasure.at)), ("by", .string(erasure.by)), ("reason", .string(erasure.reason))])
        }
    }

    /// The fields whose values differ between `self` and `other`, in file order.
    public func changedFields(comparedTo other: TicketRecord) -> [Field] {
        Field.allCases.filter { value(of: $0) != other.value(of: $0) }
    }
}

/// A ticket file's content as JSON (the API's ticket without its stamp,
/// and `tickets list --format json`). Nulls are written out: a ticket
/// always shows its assignee and resolution.
extension TicketRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case id, agent, channel, conversation
        case createdAt = "created_at"
        case reason, summary, customer, fields, tags, priority, status, assignee, resolution, erasure
    }

    private enum CustomerKey: String, CodingKey { case name, email, phone }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), createdAt: try c.decode(String.self, forKey: .createdAt),
            report: try CaseReport(from: decoder),
            team: TeamFields(
                priority: try c.decodeIfPresent(Priority.self, forKey: .priority) ?? .normal,
                status: try c.decodeIfPresent(TicketStatus.self, forKey: .status) ?? .pending,
                assignee: try c.decodeIfPresent(String.self, forKey: .assignee),
                resolution: try c.decodeIfPresent(String.self, forKey: .resolution)),
            erasure: try c.decodeIfPresent(Erasure.self, forKey: .erasure))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(report.agent, forKey: .agent)
        try c.encode(report.channel, forKey: .channel)
        try c.encode(report.conversation, forKey: .conversation)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(report.reason, forKey: .reason)
        try c.encode(report.summary, forKey: .summary)
        if encoder.userInfo[JSONCoding.outputDocument] as? Bool == true {
            // A command's document: every customer key, null when unknown.
            var customer = c.nestedContainer(keyedBy: CustomerKey.self, forKey: .customer)
            try customer.encode(report.customer.name, forKey: .name)
            try customer.encode(report.customer.email, forKey: .email)
            try customer.encode(report.customer.phone, forKey: .phone)
        } else {
            try c.encode(report.customer, forKey: .customer)
        }
        try c.encode(report.fields, forKey: .fields)
        try c.encode(report.tags, forKey: .tags)
        try c.encode(priority, forKey: .priority)
        try c.encode(status, forKey: .status)
        try c.encode(assignee, forKey: .assignee)
        try c.encode(resolution, forKey: .resolution)
        try c.encodeIfPresent(erasure, forKey: .erasure)
    }
}

extension TicketRecord {
    /// A reason as a table of tickets shows it: sealed values abbreviated,
    /// its first 60 characters, on one line; `(erased)` for the empty
    /// reason an erasure leaves.
    public static func tableReason(_ reason: String, erased: Bool = false) -> String {
        if erased, reason.isEmpty { return "(erased)" }
        // Most reasons are short printable ASCII with nothing sealed: shown as they are.
        var reason = reason
        let plain = reason.withUTF8 { bytes in
            bytes.count <= 60 && bytes.allSatisfy { (0x20...0x7E).contains($0) }
                && !bytes.starts(with: WithheldValue.text.utf8) && !contains(bytes, sealedPrefix)
        }
        if plain { return reason }
        return String(SealedValue.abbreviated(reason).prefix(60)).replacingOccurrences(of: "\n", with: " ")
    }

    private static let sealedPrefix = Array(SealedValue.prefix.utf8)

    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ part: [UInt8]) -> Bool {
        guard text.count >= part.count else { return false }
        return (0...(text.count - part.count)).contains { start in
            text[start] == part[0] && text[start..<start + part.count].elementsEqual(part)
        }
    }
}

extension TicketRecord {
    /// The bytes of the record's text, about what its file takes: what a
    /// pull counts to hold a bounded amount of tickets in memory at once.
    public var textBytes: Int {
        var bytes = id.utf8.count + createdAt.utf8.count + report.agent.utf8.count + report.conversation.utf8.count
        bytes += report.reason.utf8.count + report.summary.utf8.count
        for value in [
            report.customer.name, report.customer.email, report.customer.phone, team.assignee, team.resolution,
        ] {
            bytes += value?.utf8.count ?? 0
        }
        for (key, value) in report.fields { bytes += key.utf8.count + value.utf8.count }
        for tag in report.tags { bytes += tag.utf8.count }
        return bytes
    }
}
