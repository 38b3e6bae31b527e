/// How an edit changes what happens to customers: the intervals of the
/// week, per channel, whose outcome changes, the closed dates, and the
/// tickets a flag logs. `plan` shows it before the field diff.
public struct BehaviourChange: Sendable, Hashable, Codable {
    public struct Interval: Sendable, Hashable, Codable {
        public var channel: Channel
        /// `sat`, or a run such as `mon-fri`.
        public var days: String
        public var start: String
        public var end: String
        /// Nil where the agent does not serve the channel on that side.
        public var before: Outcome?
        public var after: Outcome?
        /// `calls, sat 14:00-18:00: flag -> transfer billing-desk -> on-call -> flag`
        public var summary: String
    }

    public struct Values: Sendable, Hashable, Codable {
        public var before: String?
        public var after: String?
    }

    public var intervals: [Interval]
    public var closedAdded: [String]
    public var closedRemoved: [String]
    /// Set when the zone the hours are read in changes.
    public var timezone: Values?
    /// What a flag's ticket carries, when it changes: `priority: normal -> high`.
    public var tickets: [String]

    enum CodingKeys: String, CodingKey {
        case intervals
        case closedAdded = "closed_added"
        case closedRemoved = "closed_removed"
        case timezone, tickets
    }

    /// True when no outcome changes.
    public var isEmpty: Bool {
        intervals.isEmpty && closedAdded.isEmpty && closedRemoved.isEmpty && timezone == nil && tickets.isEmpty
    }

    /// One line per change, for text and Markdown.
    public var lines: [String] {
        if isEmpty { return ["no change in behaviour"] }
        var lines: [String] = []
        if let timezone {
            lines.append(
                "time zone: \(timezone.before ?? "none") -> \(timezone.after ?? "none") (intervals compare local clock times)"
            )
        }
        lines += intervals.map(\.summary)
        if !closedAdded.isEmpty { lines.append("closed dates added: \(closedAdded.joined(separator: ", "))") }
        if !closedRemoved.isEmpty { lines.append("closed dates removed: \(closedRemoved.joined(separator: ", "))") }
        lines += tickets.map { "tickets: \($0)" }
        return lines
    }

    /// The change from `old` (nil: the agent does not exist yet) to `new`.
    public static func between(_ old: AgentSettings?, _ new: AgentSettings) -> BehaviourChange {
        let before = old.map(Week.init)
        let after = Week(new)
        var intervals: [Interval] = []
        for channel in Channel.allCases {
            let oldDays = before?.days.first { $0.channel == channel }?.segments
            let newDays = after.days.first { $0.channel == channel }?.segments
            if oldDays == nil && newDays == nil { continue }
            // Per day, the changed pieces; then runs of days changing alike.
            let perDay = Weekday.allCases.map { day in
                changes(oldDays?[day], newDays?[day])
            }
            for run in Week.runs(perDay) {
                for piece in run.value {
                    let ringTimes =
                        piece.before?.transfer != nil && piece.after?.transfer != nil
                        && piece.before?.transfer?.ringTimeout != piece.after?.transfer?.ringTimeout
                    let summary =
                        "\(channel.rawValue), \(run.days) \(Week.clock(piece.start))-\(Week.clock(piece.end)): "
                        + "\(bracketed(describe(piece.before, ringTimes))) -> \(describe(piece.after, ringTimes))"
                    intervals.append(
                        Interval(
                            channel: channel, days: run.days, start: Week.clock(piece.start),
                            end: Week.clock(piece.end), before: piece.before, after: piece.after, summary: summary))
                }
            }
        }
        let oldClosed = Set(before?.closed ?? [])
        let newClosed = Set(after.closed)
        var timezone: Values?
        if let before, before.timezone != after.timezone, before.timezone != nil, after.timezone != nil {
            timezone = Values(before: before.timezone, after: after.timezone)
        }
        return BehaviourChange(
            intervals: intervals, closedAdded: newClosed.subtracting(oldClosed).sorted(),
            closedRemoved: oldClosed.subtracting(newClosed).sorted(), timezone: timezone,
            tickets: old.map { ticketChanges($0, new) } ?? [])
    }

    private struct Piece: Equatable {
        var start: Int
        var end: Int
        var before: Outcome?
        var after: Outcome?
    }

    /// The pieces of one day whose outcome (what is done, not the ticket's details) differs.
    private static func changes(_ old: [Week.Segment]?, _ new: [Week.Segment]?) -> [Piece] {
        var bounds: Set<Int> = [0, 1440]
        for segment in (old ?? []) + (new ?? []) {
            bounds.insert(segment.start)
            bounds.insert(segment.end)
        }
        let sorted = bounds.sorted()
        var pieces: [Piece] = []
        for (start, end) in zip(sorted, sorted.dropFirst()) {
            let before = old?.first { $0.start <= start && start < $0.end }?.outcome
            let after = new?.first { $0.start <= start && start < $0.end }?.outcome
            guard before?.actions != after?.actions || before?.transfer != after?.transfer else { continue }
            if let last = pieces.last, last.end == start, last.before == before, last.after == after {
                pieces[pieces.count - 1].end = end
            } else {
                pieces.append(Piece(start: start, end: end, before: before, after: after))
            }
        }
        return pieces
    }

    /// The "before" side in brackets when it has steps or choices of its
    /// own, so the arrow between before and after stays unambiguous.
    private static func bracketed(_ text: String) -> String {
        text.contains(" -> ") || text.contains(", ") ? "[\(text)]" : text
    }

    private static func describe(_ outcome: Outcome?, _ ringTimes: Bool) -> String {
        outcome?.describe(ringTimes: ringTimes) ?? "not served"
    }

    /// The ticket's details, when the agent flags on either side.
    private static func ticketChanges(_ old: AgentSettings, _ new: AgentSettings) -> [String] {
        let before = FlagOutcome(old.support.flag)
        let after = FlagOutcome(new.support.flag)
        guard before != after, flags(old) || flags(new) else { return [] }
        var lines: [String] = []
        if before.priority != after.priority {
            lines.append("priority \(before.priority.rawValue) -> \(after.priority.rawValue)")
        }
        if before.tags != after.tags {
            lines.append("tags [\(before.tags.joined(separator: ", "))] -> [\(after.tags.joined(separator: ", "))]")
        }
        if before.collect != after.collect {
            lines.append(
                "collect \(before.collect.joined(separator: ", ")) -> \(after.collect.joined(separator: ", "))")
        }
        return lines
    }

    /// Whether any interval or closed date of the agent's week flags.
    private static func flags(_ settings: AgentSettings) -> Bool {
        let week = Week(settings)
        return week.days.contains { $0.segments.values.contains { $0.contains { $0.outcome.flag != nil } } }
            || week.closedOutcome.values.contains { $0.flag != nil }
    }
}
