/// An agent's week, per channel: the intervals of each day in the agent's
/// time zone with the outcome of a case the agent cannot resolve, and what
/// happens on its closed dates.
public struct Week: Sendable, Hashable {
    public struct Segment: Sendable, Hashable {
        /// Minutes since midnight; `end` may be 1440 (24:00).
        public var start: Int
        public var end: Int
        public var outcome: Outcome
    }

    /// A run of days with the same intervals, as a table shows it.
    public struct Row: Sendable, Hashable, Encodable {
        /// `mon`, or a run such as `mon-fri`.
        public var days: String
        public var start: String
        public var end: String
        public var outcome: Outcome
        public var description: String

        enum CodingKeys: String, CodingKey {
            case days, start, end, actions, transfer, flag, description
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(days, forKey: .days)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
            try container.encode(outcome.actions, forKey: .actions)
            try container.encode(outcome.transfer, forKey: .transfer)
            try container.encode(outcome.flag, forKey: .flag)
            try container.encode(description, forKey: .description)
        }
    }

    /// The zone the intervals are in; nil when the hours do not apply.
    public var timezone: String?
    /// The channels the agent serves, in order, each day's segments.
    public var days: [(channel: Channel, segments: [Weekday: [Segment]])]
    /// The closed dates, when the hours apply.
    public var closed: [String]
    /// What happens all day on a closed date, per channel.
    public var closedOutcome: [Channel: Outcome]

    public static func == (lhs: Week, rhs: Week) -> Bool {
        lhs.timezone == rhs.timezone && lhs.closed == rhs.closed && lhs.closedOutcome == rhs.closedOutcome
            && lhs.days.map(\.channel) == rhs.days.map(\.channel)
            && zip(lhs.days, rhs.days).allSatisfy { $0.segments == $1.segments }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timezone)
        hasher.combine(closed)
        for day in days {
            hasher.combine(day.channel)
            hasher.combine(day.segments)
        }
    }

    public init(_ settings: AgentSettings) {
        let usesHours = settings.support.mode == .escalate || settings.support.mode == .decide
        let hours = usesHours ? settings.support.escalate?.hours : nil
        timezone = hours?.timezone
        closed = hours?.closed ?? []
        closedOutcome = [:]
        days = []
        for channel in Channel.allCases where settings.channels.contains(channel) {
            var segments: [Weekday: [Segment]] = [:]
            for day in Weekday.allCases {
                var bounds: Set<Int> = [0, 1440]
                for range in (hours?.weekly[day] ?? []).compactMap(OpeningRange.init) {
                    bounds.insert(range.start)
                    bounds.insert(range.end)
                }
                let sorted = bounds.sorted()
                var list: [Segment] = []
                for (start, end) in zip(sorted, sorted.dropFirst()) {
                    let outcome = SupportPolicy.explain(
                        settings, channel: channel, at: LocalMoment(date: nil, weekday: day, minute: start)
                    ).outcome
                    if let last = list.last, last.outcome == outcome {
                        list[list.count - 1].end = end
                    } else {
                        list.append(Segment(start: start, end: end, outcome: outcome))
                    }
                }
                segments[day] = list
            }
            days.append((channel, segments))
            if let date = closed.first {
                closedOutcome[channel] =
                    SupportPolicy.explain(
                        settings, channel: channel, at: LocalMoment(date: date, weekday: .mon, minute: 0)
                    )
                    .outcome
            }
        }
    }

    /// The table of one channel: runs of days with the same intervals.
    public func rows(_ channel: Channel) -> [Row] {
        guard let segments = days.first(where: { $0.channel == channel })?.segments else { return [] }
        var rows: [Row] = []
        for run in Self.runs(Weekday.allCases.map { segments[$0] ?? [] }) {
            for segment in run.value {
                rows.append(
                    Row(
                        days: run.days, start: Self.clock(segment.start), end: Self.clock(segment.end),
                        outcome: segment.outcome, description: segment.outcome.describe()))
            }
        }
        return rows
    }

    /// Consecutive days with equal values, as `mon-fri` and the value.
    static func runs<Value: Equatable>(_ values: [Value]) -> [(days: String, value: Value)] {
        var runs: [(days: String, value: Value)] = []
        var first = 0
        for index in values.indices where index == values.count - 1 || values[index + 1] != values[index] {
            let days = Weekday.allCases
            runs.append(
                (
                    first == index ? days[index].rawValue : "\(days[first].rawValue)-\(days[index].rawValue)",
                    values[index]
                ))
            first = index + 1
        }
        return runs
    }

    /// `HH:MM` for minutes since midnight; 1440 is `24:00`.
    static func clock(_ minutes: Int) -> String {
        "\(ZonedMoment.two(minutes / 60)):\(ZonedMoment.two(minutes % 60))"
    }
}
