/// What an agent may do with a case it cannot resolve, at one moment on
/// one channel: the policy its support settings express (SPEC section 3,
/// and the vendor's page on support settings).
public enum SupportAction: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Answer as best it can.
    case respond
    /// Collect the customer's details and log a pending ticket.
    case flag
    /// Ring the destinations in order, then the fallback.
    case transfer

    public static func < (lhs: SupportAction, rhs: SupportAction) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The outcome for a case the agent cannot resolve. `actions` is in the
/// order respond, flag, transfer; `transfer` is set exactly when it holds
/// `transfer`; `flag` exactly when it holds `flag` or a transfer falls back
/// to flagging.
public struct Outcome: Sendable, Hashable, Codable {
    public var actions: [SupportAction]
    public var transfer: TransferOutcome?
    public var flag: FlagOutcome?

    public init(actions: [SupportAction], transfer: TransferOutcome? = nil, flag: FlagOutcome? = nil) {
        self.actions = actions.sorted()
        self.transfer = transfer
        self.flag = flag
    }

    enum CodingKeys: String, CodingKey {
        case actions, transfer, flag
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(actions, forKey: .actions)
        // Present and null: "does not apply" is part of the answer.
        try container.encode(transfer, forKey: .transfer)
        try container.encode(flag, forKey: .flag)
    }

    /// One line: `flag`, `transfer billing-desk (25 s) -> on-call (25 s) -> flag`,
    /// `one of: respond, flag`. `ringTimes: false` leaves out the seconds.
    public func describe(ringTimes: Bool = true) -> String {
        let words = actions.map { action -> String in
            guard action == .transfer, let transfer else { return action.rawValue }
            return transfer.describe(ringTimes: ringTimes)
        }
        return words.count == 1 ? words[0] : "one of: " + words.joined(separator: ", ")
    }
}

/// A transfer: who is rung, in order, for how long each, and what follows
/// when nobody answers.
public struct TransferOutcome: Sendable, Hashable, Codable {
    public var destinations: [String]
    /// Seconds each destination rings.
    public var ringTimeout: Int
    /// `flag` or `respond`.
    public var then: SupportAction

    public init(destinations: [String], ringTimeout: Int, then: SupportAction) {
        self.destinations = destinations
        self.ringTimeout = ringTimeout
        self.then = then
    }

    enum CodingKeys: String, CodingKey {
        case destinations
        case ringTimeout = "ring_timeout"
        case then
    }

    /// Destination names escaped (`PrintableText`): they are the files' text.
    public func describe(ringTimes: Bool = true) -> String {
        let rung = destinations.map { PrintableText.escaping($0) }.map { ringTimes ? "\($0) (\(ringTimeout) s)" : $0 }
        return "transfer " + (rung + [then.rawValue]).joined(separator: " -> ")
    }
}

/// The ticket a flag logs: its priority, tags and what is collected.
public struct FlagOutcome: Sendable, Hashable, Codable {
    public var priority: Priority
    public var tags: [String]
    public var collect: [String]

    public init(priority: Priority, tags: [String], collect: [String]) {
        self.priority = priority
        self.tags = tags
        self.collect = collect
    }

    init(_ settings: FlagSettings?) {
        let settings = settings ?? FlagSettings()
        self.init(priority: settings.priority, tags: settings.tags, collect: settings.collect.map(\.field))
    }
}
