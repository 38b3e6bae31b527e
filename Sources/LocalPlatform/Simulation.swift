import Foundation
import GRDB
import SupportSync

/// `platform simulate`: conversations played on the local platform's
/// agents at realistic times. The cases an agent cannot resolve go through
/// its live settings (`SupportPolicy`): a flag makes a ticket dated when
/// the conversation happened, with the collected fields filled in; a
/// transfer rings the destinations in order, and the fallback follows when
/// nobody answers. Every conversation is kept in the database's
/// `conversation` table. The same seed on the same agents plays the same
/// conversations and makes the same tickets.
public struct Simulation: Sendable {
    public var conversations: Int
    public var seed: UInt64
    /// The first day, `YYYY-MM-DD`, in each agent's time zone.
    public var from: String
    public var days: Int

    public init(conversations: Int, seed: UInt64, from: String, days: Int) {
        self.conversations = conversations
        self.seed = seed
        self.from = from
        self.days = days
    }

    /// What happened to one conversation.
    public enum Outcome: String, Sendable, Codable {
        /// The agent answered: the case was resolved, or it responded as best it could.
        case responded
        /// A ticket was logged.
        case flagged
        /// A destination answered the transfer.
        case transferred
        /// Nobody answered the transfer: the fallback followed.
        case fellBack = "fell_back"
    }

    /// The counts of one agent.
    public struct AgentSummary: Sendable, Hashable, Codable {
        public var agent: String
        public var conversations = 0
        public var responded = 0
        public var flagged = 0
        public var transferred = 0
        public var fellBack = 0
        public var tickets = 0

        enum CodingKeys: String, CodingKey {
            case agent, conversations, responded, flagged, transferred, tickets
            case fellBack = "fell_back"
        }
    }

    public struct Report: Sendable, Codable {
        public var seed: UInt64
        public var from: String
        public var days: Int
        public var agents: [AgentSummary]
        /// The tickets made, in the order they were made.
        public var tickets: [String]

        public var text: String {
            func row(_ summary: AgentSummary) -> [String] {
                [summary.agent]
                    + [
                        summary.conversations, summary.responded, summary.flagged, summary.transferred,
                        summary.fellBack, summary.tickets,
                    ].map(String.init)
            }
            var total = AgentSummary(agent: "total")
            for summary in agents {
                total.conversations += summary.conversations
                total.responded += summary.responded
                total.flagged += summary.flagged
                total.transferred += summary.transferred
                total.fellBack += summary.fellBack
                total.tickets += summary.tickets
            }
            let rows =
                [["agent", "conversations", "responded", "flagged", "transferred", "fell back", "tickets"]]
                + agents.map(row) + (agents.count > 1 ? [row(total)] : [])
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { column, cell in
                    column == 0
                        ? cell + String(repeating: " ", count: widths[column] - cell.count)
                        : String(repeating: " ", count: widths[column] - cell.count) + cell
                }.joined(separator: "  ")
            }.joined(separator: "\n") + "\n"
        }
    }
}

extension LocalPlatform {
    /// Plays `simulation` on this platform's agents, in one transaction.
    public func simulate(_ simulation: Simulation) async throws(PlatformError) -> Simulation.Report {
        guard simulation.conversations >= 0, simulation.days >= 1,
            ZonedMoment.date(simulation.from, plus: 0) != nil
        else { throw .badRequest("a simulation needs a date, at least one day and no negative count") }
        let agents = try await agents()
        guard !agents.isEmpty else {
            throw .badRequest("the local platform has no agents to play: run 'supportsync sync' or 'apply' first")
        }
        return try await write { db in
            var random = SeededRandom(seed: simulation.seed)
            var played = (0..<simulation.conversations).map { _ in
                Self.conversation(agents: agents, simulation: simulation, random: &random)
            }
            // In time order, so tickets are numbered as they happened.
            played.sort { ($0.moment.instant, $0.id) < ($1.moment.instant, $1.id) }
            var summaries = Dictionary(
                uniqueKeysWithValues: agents.map { ($0.id, Simulation.AgentSummary(agent: $0.id)) })
            var tickets: [String] = []
            for var conversation in played {
                // Played again on the same database (the same seed twice): the next free id.
                let base = conversation.id
                var again = 1
                while try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM conversation WHERE id = ?", arguments: [conversation.id]) == true
                {
                    again += 1
                    conversation.id = "\(base)-\(again)"
                }
                var ticketID: String?
                if let draft = conversation.ticket {
                    var id: String
                    repeat {
                        id = Self.ticketID(UInt32(truncatingIfNeeded: random.next()))
                    } while try Self
                        .ticketExists(id, db)
                    let agent = try Self.decode(
                        AgentWrite.self,
                        try String.fetchOne(db, sql: "SELECT body FROM agent WHERE id = ?", arguments: [draft.agent])
                            ?? "")
                    _ = try Self.insertTicket(
                        draft, agent: agent, id: id, createdAt: Self.timestamp(conversation.date),
                        idempotencyKey: nil, db)
                    ticketID = id
                    tickets.append(id)
                }
                try db.execute(
                    sql: """
                        INSERT INTO conversation (id, agent, channel, at, outcome, rung, answered_by, ticket_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        conversation.id, conversation.agent, conversation.channel.rawValue,
                        conversation.moment.rfc3339, conversation.outcome.rawValue, Self.encode(conversation.rung),
                        conversation.answeredBy, ticketID,
                    ])
                var summary = summaries[conversation.agent]!
                summary.conversations += 1
                switch conversation.outcome {
                case .responded: summary.responded += 1
                case .flagged: summary.flagged += 1
                case .transferred: summary.transferred += 1
                case .fellBack: summary.fellBack += 1
                }
                if ticketID != nil { summary.tickets += 1 }
                summaries[conversation.agent] = summary
            }
            return Simulation.Report(
                seed: simulation.seed, from: simulation.from, days: simulation.days,
                agents: summaries.values.sorted { $0.agent < $1.agent }, tickets: tickets)
        }
    }

    /// One conversation, decided before anything is written.
    struct Played: Sendable {
        var id: String
        var agent: String
        var channel: Channel
        var moment: ZonedMoment
        var outcome: Simulation.Outcome
        var rung: [String] = []
        var answeredBy: String?
        var ticket: TicketDraft?

        var date: Date { Date(timeIntervalSince1970: TimeInterval(moment.instant)) }
    }

    /// How busy each hour of the day is, midnight first: a support line's day.
    static let hourWeights = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 12, 13, 13, 12, 11, 9, 7, 5, 4, 3, 2]
    /// The share of conversations the agent resolves on its own, in percent.
    static let resolvedPercent = 60
    /// The chance each destination answers, in percent.
    static let answerPercent = 55

    static func conversation(agents: [Agent], simulation: Simulation, random: inout SeededRandom) -> Played {
        let agent = agents[random.below(agents.count)]
        let settings = agent.settings
        let channel = settings.channels[random.below(settings.channels.count)]
        let moment = Self.moment(settings: settings, simulation: simulation, random: &random)
        let id = "C-" + String(format: "%08X", UInt32(truncatingIfNeeded: random.next()))
        var played = Played(id: id, agent: agent.id, channel: channel, moment: moment, outcome: .responded)
        // Drawn for every conversation, so one agent's settings never shift another's draws.
        let resolved = random.below(100) < resolvedPercent
        let choice = random.below(5)
        let answers = (0..<10).map { _ in random.below(100) < answerPercent }
        let details = TicketDetails(random: &random)
        if resolved { return played }

        let outcome = SupportPolicy.explain(settings, channel: channel, at: moment.local).outcome
        guard var action = outcome.actions.first else { return played }
        if outcome.actions.count > 1 {
            // decide: flag and transfer twice as likely as responding.
            let weighted = outcome.actions.flatMap { $0 == .respond ? [$0] : [$0, $0] }
            action = weighted[choice % weighted.count]
        }
        switch action {
        case .respond:
            played.outcome = .responded
        case .flag:
            played.outcome = .flagged
            played.ticket = details.draft(agent: settings, channel: channel, conversation: id, transfer: nil)
        case .transfer:
            let transfer = outcome.transfer!
            for (index, destination) in transfer.destinations.enumerated() {
                played.rung.append(destination)
                if answers[index % answers.count] {
                    played.answeredBy = destination
                    break
                }
            }
            if played.answeredBy != nil {
                played.outcome = .transferred
            } else {
                played.outcome = .fellBack
                if transfer.then == .flag {
                    played.ticket = details.draft(
                        agent: settings, channel: channel, conversation: id, transfer: transfer.destinations)
                }
            }
        }
        return played
    }

    /// A moment on one of the days, in the agent's zone, at a busy hour more often.
    static func moment(settings: AgentSettings, simulation: Simulation, random: inout SeededRandom) -> ZonedMoment {
        let day = ZonedMoment.date(simulation.from, plus: random.below(simulation.days))!
        var pick = random.below(hourWeights.reduce(0, +))
        var hour = 0
        while pick >= hourWeights[hour] {
            pick -= hourWeights[hour]
            hour += 1
        }
        let minute = random.below(60)
        let second = random.below(60)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        // A time a daylight-saving change skips or repeats is played an hour later (or earlier, at 23:00).
        for shifted in [hour, hour < 23 ? hour + 1 : hour - 1] {
            let local = "\(day)T\(two(shifted)):\(two(minute)):\(two(second))"
            if case .success(let moment) = ZonedMoment.parse(local, zone: settings.timeZone) { return moment }
        }
        return try! ZonedMoment.parse("\(day)T\(two(hour)):\(two(minute)):\(two(second))Z", zone: nil).get()
    }
}

/// What a customer tells the agent before a ticket is logged: plausible,
/// made up, drawn from the seed.
struct TicketDetails: Sendable {
    static let names = [
        "Ana García", "Jon Smith", "Mei Chen", "Lucas Martin", "Sofia Rossi", "Omar Haddad", "Emma Müller",
        "Noah Dubois", "Priya Nair", "Lea Novak", "Diego López", "Hannah Berg",
    ]
    static let cases: [(reason: String, summary: String)] = [
        ("Charged twice for one order", "The customer sees two identical charges and wants one refunded."),
        ("Refund not received", "A refund promised two weeks ago has not reached the customer's card."),
        (
            "Wrong size delivered",
            "The parcel holds a different size from the one ordered; the customer wants an exchange."
        ),
        ("Change of delivery address", "The customer moved and needs an order that has not shipped sent elsewhere."),
        ("Invoice with the wrong company name", "The customer needs the invoice reissued to the right company."),
        ("Damaged item", "The item arrived broken; the customer has photos and wants a replacement."),
        ("Cancel a subscription", "The customer wants the subscription stopped before the next charge."),
        ("Missing item in the parcel", "One of three items ordered was not in the parcel."),
    ]

    var name: String
    var phone: String
    var reason: String
    var summary: String
    var number: Int

    init(random: inout SeededRandom) {
        name = Self.names[random.below(Self.names.count)]
        phone = "+346" + String(format: "%08d", random.below(100_000_000))
        let chosen = Self.cases[random.below(Self.cases.count)]
        reason = chosen.reason
        summary = chosen.summary
        number = 10_000 + random.below(90_000)
    }

    /// The ticket of a flag, or of a transfer nobody answered: what the
    /// agent's `collect` asks for, filled in.
    func draft(agent: AgentSettings, channel: Channel, conversation: String, transfer: [String]?) -> TicketDraft {
        let flag = agent.support.flag ?? FlagSettings()
        var customer = Customer()
        var fields: [String: String] = [:]
        let handle = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
            .replacingOccurrences(of: " ", with: ".")
        for field in flag.collect {
            switch field.field {
            case "name": customer.name = name
            case "email": customer.email = "\(handle)@example.com"
            case "phone": customer.phone = phone
            case "reason": break
            default:
                fields[field.field] = field.field.hasSuffix("id") ? "A-\(number)" : "\(field.label) \(number)"
            }
        }
        var summary = self.summary
        if let transfer {
            summary += " Nobody answered the transfer (\(transfer.joined(separator: ", ")))."
        }
        return TicketDraft(
            agent: agent.id, channel: channel, conversation: conversation, reason: reason, summary: summary,
            customer: customer, fields: fields, tags: flag.tags)
    }
}

/// SplitMix64: a small, fast generator that repeats exactly for a seed.
/// For simulation only; nothing secret comes from it.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(1, bound)))
    }
}
