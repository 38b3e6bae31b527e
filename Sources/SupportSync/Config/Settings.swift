/// The support settings of one agent in canonical form: defaults merged,
/// every default explicit, shorthand expanded. This is what the platform
/// receives, what `plan` compares and what `import` writes from.
public struct AgentSettings: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var channels: [Channel]
    public var support: SupportSettings

    public init(id: String, name: String, channels: [Channel], support: SupportSettings) {
        self.id = id
        self.name = name
        self.channels = channels
        self.support = support
    }
}

public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
    case calls
    case messages
}

public enum SupportMode: String, Sendable, Hashable, Codable, CaseIterable {
    case nothing
    case flag
    case escalate
    case decide

    /// The `support` blocks this mode uses (`unused-block` warns of the
    /// others); an agent without calls never escalates.
    func usedBlocks(messagesOnly: Bool) -> Set<String> {
        switch self {
        case .nothing: return []
        case .flag: return ["flag"]
        case .escalate: return ["flag", "escalate"]
        case .decide: return messagesOnly ? ["flag", "decide"] : ["flag", "escalate", "decide"]
        }
    }
}

public enum Priority: String, Sendable, Hashable, Codable, CaseIterable {
    case low
    case normal
    case high
    case urgent
}

public enum Transfer: String, Sendable, Hashable, Codable, CaseIterable {
    case warm
    case cold
}

public enum Fallback: String, Sendable, Hashable, Codable, CaseIterable {
    case flag
    case nothing
}

public enum DecideAction: String, Sendable, Hashable, Codable, CaseIterable {
    case respond
    case flag
    case escalate
}

public enum Weekday: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The days a `weekly` key names: `mon`, or a range running forward
    /// through the week such as `mon-fri`; nil for anything else.
    public static func days(of key: String) -> [Weekday]? {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false).map { Weekday(rawValue: String($0)) }
        guard (1...2).contains(parts.count), let first = parts.first ?? nil, let last = parts.last ?? nil,
            first <= last
        else { return nil }
        return allCases.filter { $0 >= first && $0 <= last }
    }
}

public struct SupportSettings: Sendable, Hashable, Codable {
    public var mode: SupportMode
    public var flag: FlagSettings?
    public var escalate: EscalateSettings?
    public var decide: DecideSettings?

    public init(
        mode: SupportMode, flag: FlagSettings? = nil, escalate: EscalateSettings? = nil, decide: DecideSettings? = nil
    ) {
        self.mode = mode
        self.flag = flag
        self.escalate = escalate
        self.decide = decide
    }
}

public struct FlagSettings: Sendable, Hashable, Codable {
    public var collect: [CollectField]
    public var priority: Priority
    public var tags: [String]

    public init(collect: [CollectField] = [], priority: Priority = .normal, tags: [String] = []) {
        self.collect = collect
        self.priority = priority
        self.tags = tags
    }
}

/// One thing the agent asks the customer for before logging a ticket.
public struct CollectField: Sendable, Hashable, Codable {
    public var field: String
    public var required: Bool
    public var label: String

    public init(field: String, required: Bool = false, label: String? = nil) {
        self.field = field
        self.required = required
        self.label = label ?? field
    }

    public static let builtIns = ["name", "email", "phone", "reason"]
}

public struct EscalateSettings: Sendable, Hashable, Codable {
    /// Seconds each destination rings when `ring_timeout` is not written.
    public static let defaultRingTimeout = 30

    public var destinations: [Destination]
    public var transfer: Transfer
    public var summary: Bool
    public var announce: String?
    public var ringTimeout: Int
    public var hours: Hours?
    public var fallback: Fallback

    public init(
        destinations: [Destination], transfer: Transfer = .warm, summary: Bool = true, announce: String? = nil,
        ringTimeout: Int = EscalateSettings.defaultRingTimeout, hours: Hours? = nil, fallback: Fallback = .flag
    ) {
        self.destinations = destinations
        self.transfer = transfer
        self.summary = summary
        self.announce = announce
        self.ringTimeout = ringTimeout
        self.hours = hours
        self.fallback = fallback
    }

    enum CodingKeys: String, CodingKey {
        case destinations, transfer, summary, announce
        case ringTimeout = "ring_timeout"
        case hours, fallback
    }
}

/// Where an escalated call goes: a phone number or a SIP URI, never both.
public struct Destination: Sendable, Hashable, Codable {
    public var name: String
    public var number: String?
    public var sip: String?
    public var `extension`: String?

    public init(name: String, number: String? = nil, sip: String? = nil, extension: String? = nil) {
        self.name = name
        self.number = number
        self.sip = sip
        self.extension = `extension`
    }
}

/// When humans answer escalated calls. `weekly` always has all seven days,
/// in order, each with its ranges sorted ("09:00-13:00").
public struct Hours: Sendable, Hashable, Codable {
    public var timezone: String
    public var weekly: Weekly
    public var closed: [String]

    public init(timezone: String, weekly: Weekly, closed: [String] = []) {
        self.timezone = timezone
        self.weekly = weekly
        self.closed = closed
    }
}

/// The seven days of a week, each with its opening ranges, encoded as a JSON
/// object with the keys in `mon..sun` order.
public struct Weekly: Sendable, Hashable, Codable {
    public var days: [Weekday: [String]]

    public init(days: [Weekday: [String]] = [:]) {
        self.days = days
    }

    public subscript(day: Weekday) -> [String] {
        get { days[day] ?? [] }
        set { days[day] = newValue }
    }

    struct DayKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DayKey.self)
        var days: [Weekday: [String]] = [:]
        for key in container.allKeys {
            guard let day = Weekday(rawValue: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "'\(key.stringValue)' is not a day (mon..sun)")
            }
            days[day] = try container.decode([String].self, forKey: key)
        }
        self.days = days
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DayKey.self)
        for day in Weekday.allCases {
            try container.encode(self[day], forKey: DayKey(stringValue: day.rawValue))
        }
    }
}

public struct DecideSettings: Sendable, Hashable, Codable {
    public var allow: [DecideAction]
    public var guidance: String?

    public init(allow: [DecideAction], guidance: String? = nil) {
        self.allow = allow
        self.guidance = guidance
    }
}
